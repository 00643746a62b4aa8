import { describe, expect, it } from "vitest";
import { tf } from "./engine.js";
import { valueAndGrad } from "./autodiff.js";
import { layout, flatten, unflatten } from "./flatten.js";

// log p(q) = -0.5 * sum(a * q^2) + sum(b * q): gradient -a*q + b, per row.
const a = [1, 2, 3];
const b = [0.5, -1, 2];
const f = (q: tf.Tensor2D): tf.Tensor1D =>
  tf.sum(tf.add(tf.mul(-0.5, tf.mul(a, tf.square(q))), tf.mul(b, q)), 1) as tf.Tensor1D;

describe("valueAndGrad", () => {
  it("returns per-chain values and gradients matching the analytic ones", () => {
    const rows = [[0.1, -0.2, 0.3], [1, 2, -3], [0, 0, 0]];
    const q = tf.tensor2d(rows);
    const { value, grad } = valueAndGrad(f, q);
    const v = value.arraySync();
    const g = grad.arraySync();
    rows.forEach((r, c) => {
      const exact = r.reduce((s, x, i) => s - 0.5 * a[i]! * x * x + b[i]! * x, 0);
      expect(v[c]).toBeCloseTo(exact, 5);
      r.forEach((x, i) => expect(g[c]![i]).toBeCloseTo(-a[i]! * x + b[i]!, 5));
    });
    tf.dispose([q, value, grad]);
  });

  it("leaks no tensors over 1,000 calls", () => {
    const q = tf.randomNormal([8, 3]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) {
      const { value, grad } = valueAndGrad(f, q);
      tf.dispose([value, grad]);
    }
    expect(tf.memory().numTensors).toBe(before);
    q.dispose();
  });
});

describe("flatten / unflatten", () => {
  it("round-trips named blocks with a leading row axis", () => {
    const lay = layout([{ name: "mu", shape: [] }, { name: "beta", shape: [2, 3] }, { name: "s", shape: [2] }]);
    expect(lay.dim).toBe(9);
    const q = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8, 9], [9, 8, 7, 6, 5, 4, 3, 2, 1]]);
    const named = unflatten(lay, q);
    expect(named["mu"]!.shape).toEqual([2]);
    expect(named["beta"]!.shape).toEqual([2, 2, 3]);
    expect(named["beta"]!.arraySync()).toEqual([[[2, 3, 4], [5, 6, 7]], [[8, 7, 6], [5, 4, 3]]]);
    const back = flatten(lay, named);
    expect(back.arraySync()).toEqual(q.arraySync());
    tf.dispose([q, back, ...Object.values(named)]);
  });

  it("rejects a matrix of the wrong width and duplicate names", () => {
    const lay = layout([{ name: "x", shape: [2] }]);
    const q = tf.zeros([1, 3]) as tf.Tensor2D;
    expect(() => unflatten(lay, q)).toThrow(/3 columns, the layout needs 2/);
    expect(() => layout([{ name: "x", shape: [] }, { name: "x", shape: [] }])).toThrow(/duplicate/);
    q.dispose();
  });
});
