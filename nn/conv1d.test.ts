// Conv1D against a float64 loop written from the definition
//   y[n, t, o] = σ(b[o] + Σ_{i,c} x[n, s·t + i − p, c] W[i, c, o])   (zero outside the sequence),
// its gradients against central differences of that loop, chain-batched weights against
// separate calls, and the cpu and wasm backends against each other.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine, type BackendName } from "../core/engine.js";
import { centralDiffs, gradientMismatch, lcg, maxRelDiff, onBackend } from "../core/kernels/testing.js";
import { callArgs, pair } from "./args.js";
import { conv1d } from "./conv1d.js";
import { forward } from "./layer.js";
import type { Padding } from "./padding.js";
import { LAYERS } from "./registry.js";
import type { ParamTree } from "./tree.js";

const startBackend = tf.getBackend() as BackendName;
afterAll(async () => {
  await initEngine(startBackend);
});

const vals = (n: number, seed: number): number[] => Array.from(lcg(n, seed));

interface Dims {
  n: number;
  l: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  /** Zero padding before the sequence, and the output length. */
  before: number;
  lo: number;
}

function naive(d: Dims, x: readonly number[], w: readonly number[], b: readonly number[], relu = false): number[] {
  const y: number[] = [];
  for (let n = 0; n < d.n; n++)
    for (let t = 0; t < d.lo; t++)
      for (let o = 0; o < d.cout; o++) {
        let acc = b[o]!;
        for (let i = 0; i < d.k; i++) {
          const pos = d.stride * t + i - d.before;
          if (pos < 0 || pos >= d.l) continue;
          for (let c = 0; c < d.cin; c++) acc += x[(n * d.l + pos) * d.cin + c]! * w[(i * d.cin + c) * d.cout + o]!;
        }
        y.push(relu ? Math.max(acc, 0) : acc);
      }
  return y;
}



const cases: { name: string; pad: Padding; d: Dims; relu?: boolean }[] = [
  { name: "k 3, valid", pad: "valid", d: { n: 2, l: 7, cin: 3, cout: 4, k: 3, stride: 1, before: 0, lo: 5 } },
  // 'same', stride 2 on 7: out ⌈7/2⌉ = 4, total padding max(3·2 + 3 − 7, 0) = 2, one before.
  { name: "k 3, same, stride 2, relu", pad: "same", d: { n: 2, l: 7, cin: 3, cout: 4, k: 3, stride: 2, before: 1, lo: 4 }, relu: true },
  { name: "k 2, pad 1", pad: 1, d: { n: 1, l: 5, cin: 2, cout: 3, k: 2, stride: 1, before: 1, lo: 6 } },
  // pad 2, stride 2 on 7 with k 3: ⌊(7 + 4 − 3)/2⌋ + 1 = 5.
  { name: "k 3, pad 2, stride 2", pad: 2, d: { n: 2, l: 7, cin: 2, cout: 3, k: 3, stride: 2, before: 2, lo: 5 } },
  { name: "k 4, valid, stride 3", pad: "valid", d: { n: 2, l: 10, cin: 1, cout: 2, k: 4, stride: 3, before: 0, lo: 3 } },
];

describe("Conv1D", () => {
  for (const cs of cases) {
    it(`${cs.name}: shapes and values match the float64 loop`, () => {
      const d = cs.d;
      const layer = conv1d(d.k, d.cin, d.cout, { stride: d.stride, pad: cs.pad, activation: cs.relu ? "relu" : "identity" });
      expect(layer.outputShape([d.l, d.cin])).toEqual([d.lo, d.cout]);
      expect(layer.paramSpecs()).toMatchObject({ weight: { shape: [d.k, d.cin, d.cout] }, bias: { shape: [d.cout] } });
      const [x, w, b] = [vals(d.n * d.l * d.cin, 1), vals(d.k * d.cin * d.cout, 2), vals(d.cout, 3)];
      const y = tf.tidy(() =>
        forward(layer, { weight: tf.tensor(w, [d.k, d.cin, d.cout]), bias: tf.tensor1d(b) }, tf.tensor(x, [d.n, d.l, d.cin])),
      );
      expect(y.shape).toEqual([d.n, d.lo, d.cout]);
      const ref = naive(d, x, w, b, cs.relu);
      Array.from(y.dataSync()).forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-5));
      y.dispose();
    });
  }

  it("describes itself and rejects inputs of the wrong shape", () => {
    expect(conv1d(3, 2, 4, { stride: 2, pad: "same", activation: "relu" }).describe()).toBe('Conv1D(3, 2 => 4, relu; stride = 2, pad = "same")');
    expect(conv1d(5, 1, 1).describe()).toBe("Conv1D(5, 1 => 1)");
    expect(() => conv1d(3, 2, 4).outputShape([10, 3])).toThrow(/expects sequences \(length, 2\)/);
    expect(() => conv1d(3, 2, 4).outputShape([2, 2])).toThrow(/does not fit/);
    expect(() => conv1d(0, 2, 4)).toThrow(/kernel size must be a positive integer/);
    const layer = conv1d(3, 2, 4, { bias: false });
    expect(() => forward(layer, { weight: tf.zeros([3, 2, 4]) }, tf.zeros([2, 5, 3]))).toThrow(/expects sequences \(N, length, 2\)/);
    expect(forward(layer, { weight: tf.zeros([3, 2, 4]) }, tf.zeros([2, 5, 2])).shape).toEqual([2, 3, 4]);
  });

  it("weight, bias and input gradients match central differences of the float64 loop", () => {
    const d: Dims = { n: 2, l: 6, cin: 2, cout: 3, k: 3, stride: 2, before: 1, lo: 3 };
    const layer = conv1d(d.k, d.cin, d.cout, { stride: d.stride, pad: 1 });
    const [x, w, b] = [vals(d.n * d.l * d.cin, 4), vals(d.k * d.cin * d.cout, 5), vals(d.cout, 6)];
    const r = vals(d.n * d.lo * d.cout, 7);
    const dot = (y: number[]): number => y.reduce((a, v, i) => a + v * r[i]!, 0);
    const grads = tf.tidy(() =>
      tf
        .grads((wt: tf.Tensor, bt: tf.Tensor, xt: tf.Tensor) => tf.sum(tf.mul(forward(layer, { weight: wt, bias: bt }, xt), tf.tensor(r, [d.n, d.lo, d.cout]))))([
          tf.tensor(w, [d.k, d.cin, d.cout]),
          tf.tensor1d(b),
          tf.tensor(x, [d.n, d.l, d.cin]),
        ])
        .map((g) => Array.from(g.dataSync())),
    );
    expect(gradientMismatch(grads[0]!, centralDiffs(w, (t) => dot(naive(d, x, t, b))))).toBeUndefined();
    expect(gradientMismatch(grads[1]!, centralDiffs(b, (t) => dot(naive(d, x, w, t))))).toBeUndefined();
    expect(gradientMismatch(grads[2]!, centralDiffs(x, (t) => dot(naive(d, t, w, b))))).toBeUndefined();
  });

  it("chain-batched weights [C, k, cin, cout] equal C separate calls, for shared and per-chain inputs", () => {
    const C = 3;
    const layer = conv1d(3, 2, 4, { stride: 2, pad: "same", activation: "tanh" });
    tf.tidy(() => {
      const per: ParamTree[] = Array.from({ length: C }, (_, c) => ({
        weight: tf.tensor(vals(3 * 2 * 4, 10 + c), [3, 2, 4]),
        bias: tf.tensor1d(vals(4, 20 + c)),
      }));
      const stacked: ParamTree = { weight: tf.stack(per.map((p) => p["weight"] as tf.Tensor)), bias: tf.stack(per.map((p) => p["bias"] as tf.Tensor)) };
      const x = tf.tensor(vals(2 * 9 * 2, 30), [2, 9, 2]);
      const y = forward(layer, stacked, x);
      expect(y.shape).toEqual([C, 2, 5, 4]);
      per.forEach((p, c) => expect(maxRelDiff([tf.gather(y, c).dataSync() as Float32Array], [forward(layer, p, x).dataSync() as Float32Array])).toBeLessThan(1e-6));
      const xs = tf.tensor(vals(C * 2 * 9 * 2, 31), [C, 2, 9, 2]);
      const ys = forward(layer, stacked, xs, { inputBatched: true });
      per.forEach((p, c) =>
        expect(maxRelDiff([tf.gather(ys, c).dataSync() as Float32Array], [forward(layer, p, tf.gather(xs, c)).dataSync() as Float32Array])).toBeLessThan(1e-6),
      );
      // only the bias carries the chain axis: the weight is shared
      const partly = forward(layer, { weight: per[0]!["weight"]!, bias: stacked["bias"]! }, x, { batched: true });
      expect(partly.shape).toEqual([C, 2, 5, 4]);
    });
  });

  it("gives the same values and gradients on cpu and wasm, chain-batched included", async () => {
    const layer = conv1d(3, 2, 3, { stride: 2, pad: 2, activation: "relu" });
    const f = (): tf.Tensor[] => {
      const x = tf.tensor(vals(2 * 8 * 2, 40), [2, 8, 2]);
      const w = tf.tensor(vals(3 * 3 * 2 * 3, 41), [3, 3, 2, 3]);
      const b = tf.tensor(vals(3 * 3, 42), [3, 3]);
      const loss = (wt: tf.Tensor, bt: tf.Tensor, xt: tf.Tensor): tf.Tensor => tf.sum(tf.square(forward(layer, { weight: wt, bias: bt }, xt)));
      return [forward(layer, { weight: w, bias: b }, x), ...tf.grads(loss)([w, b, x])];
    };
    const [cpu, wasm] = [await onBackend("cpu", f), await onBackend("wasm", f)];
    expect(cpu.map((a) => a.length)).toEqual([3 * 2 * 5 * 3, 54, 9, 32]);
    expect(maxRelDiff(cpu, wasm)).toBeLessThan(1e-5);
  });

  it("is built by the registry entry Conv1D", () => {
    const entry = LAYERS["Conv1D"]!;
    expect(entry.doc.startsWith("Conv1D(k, cin => cout")).toBe(true);
    const layer = entry.make(callArgs([3, pair(2, 4), "relu"], { stride: 2, pad: "same", bias: false }));
    expect(layer.describe()).toBe('Conv1D(3, 2 => 4, relu; stride = 2, pad = "same")');
    expect(layer.outputShape([9, 2])).toEqual([5, 4]);
    expect(Object.keys(layer.paramSpecs())).toEqual(["weight"]);
    expect(() => entry.make(callArgs([[3, 3], pair(2, 4)]))).toThrow(/Conv1D, argument 1: expected a positive integer/);
  });

  it("leaves no tensors behind after forward and gradient in tf.tidy", () => {
    const layer = conv1d(3, 2, 3, { stride: 2, pad: 1 });
    const w = tf.tensor(vals(18, 50), [3, 2, 3]);
    const b = tf.tensor1d(vals(3, 51));
    const x = tf.tensor(vals(2 * 7 * 2, 52), [2, 7, 2]);
    const step = (): void => {
      tf.dispose(tf.tidy(() => tf.grads((wt: tf.Tensor, bt: tf.Tensor, xt: tf.Tensor) => tf.sum(forward(layer, { weight: wt, bias: bt }, xt)))([w, b, x])));
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, b, x]);
  });
});
