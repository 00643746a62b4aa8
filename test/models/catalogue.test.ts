import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { valueAndGrad } from "../../core/autodiff.js";
import { compile, modelInstance } from "../../interpreter/program.js";
import { logDensityOf, outputsOf } from "../../interpreter/instance.js";
import { CATALOGUE } from "./catalogue.js";
import { rng } from "./reference.js";

const CHAINS = 8;

describe.each(CATALOGUE)("catalogue: $name", (entry) => {
  const inst = modelInstance(compile(entry.source, `${entry.model}.dlm`), entry.model, entry.data);
  const next = rng(entry.dim * 7919 + entry.name.length);
  const points = Array.from({ length: CHAINS }, () => Array.from({ length: entry.dim }, () => 3 * next() - 1.5));

  it("has the expected dimension", () => {
    expect(inst.layout.dim).toBe(entry.dim);
  });

  it("matches the hand-written log density for 8 chains at once and for 1 chain", () => {
    const expected = points.map(entry.logp);
    const batched = tf.tidy(() => Array.from(logDensityOf(inst, tf.tensor2d(points)).dataSync()));
    batched.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, Math.abs(expected[i]!) > 100 ? 2 : 3));
    for (const [i, p] of points.slice(0, 3).entries()) {
      const single = tf.tidy(() => logDensityOf(inst, tf.tensor2d([p])).dataSync()[0]!);
      expect(single).toBeCloseTo(expected[i]!, 3);
    }
  });

  it("has gradients that match central finite differences of the reference", () => {
    const q = tf.tensor2d(points.slice(0, 4));
    const { value, grad } = valueAndGrad((x) => logDensityOf(inst, x), q);
    const g = grad.arraySync();
    value.dispose();
    grad.dispose();
    q.dispose();
    const h = 1e-5;
    points.slice(0, 4).forEach((p, c) => {
      for (let d = 0; d < entry.dim; d++) {
        const up = [...p];
        const dn = [...p];
        up[d]! += h;
        dn[d]! -= h;
        const fd = (entry.logp(up) - entry.logp(dn)) / (2 * h);
        expect(Math.abs(g[c]![d]! - fd)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
      }
    });
  });
});

describe("leaks", () => {
  it("keeps numTensors flat over 1,000 log-density evaluations (and 100 gradients and outputs)", () => {
    const entry = CATALOGUE.find((e) => e.model === "bnn")!;
    const inst = modelInstance(compile(entry.source, "bnn.dlm"), "bnn", entry.data);
    const q = tf.randomNormal([4, entry.dim]) as tf.Tensor2D;
    tf.tidy(() => logDensityOf(inst, q)); // warm-up: lazily created constants
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) logDensityOf(inst, q).dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 100; i++) {
      const r = valueAndGrad((x) => logDensityOf(inst, x), q);
      tf.dispose([r.value, r.grad]);
      outputsOf(inst, q);
    }
    expect(tf.memory().numTensors).toBe(before);
    q.dispose();
  });
});
