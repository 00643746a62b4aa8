// ConvTranspose against a float64 scatter loop written from the definition
//   y[n, s·r + i − p, s·c + j − q, o] += x[n, r, c, k] W[i, j, o, k]   (then + b[o]),
// against tf.conv2dTranspose on cpu (an independent implementation of the same operator),
// its gradients against central differences of the loop, chain-batched weights against
// separate calls, and the cpu and wasm backends against each other.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine, type BackendName } from "../core/engine.js";
import { centralDiffs, gradientMismatch, lcg, maxRelDiff, onBackend } from "../core/kernels/testing.js";
import { callArgs, pair } from "./args.js";
import { convTranspose } from "./conv-transpose.js";
import { conv2d } from "./conv2d.js";
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
  h: number;
  w: number;
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  stride: number;
  /** Leading padding (p, q) of the transposed convolution, and the output size. */
  pt: number;
  pl: number;
  ho: number;
  wo: number;
}

function naive(d: Dims, x: readonly number[], wt: readonly number[], b: readonly number[]): number[] {
  const y = Array.from({ length: d.n * d.ho * d.wo * d.cout }, (_, i) => b[i % d.cout]!);
  for (let n = 0; n < d.n; n++)
    for (let r = 0; r < d.h; r++)
      for (let c = 0; c < d.w; c++)
        for (let i = 0; i < d.kh; i++)
          for (let j = 0; j < d.kw; j++) {
            const p = d.stride * r + i - d.pt;
            const q = d.stride * c + j - d.pl;
            if (p < 0 || q < 0 || p >= d.ho || q >= d.wo) continue;
            for (let k = 0; k < d.cin; k++) {
              const xv = x[((n * d.h + r) * d.w + c) * d.cin + k]!;
              for (let o = 0; o < d.cout; o++) y[((n * d.ho + p) * d.wo + q) * d.cout + o]! += xv * wt[((i * d.kw + j) * d.cout + o) * d.cin + k]!;
            }
          }
  return y;
}



const base = { n: 2, h: 3, w: 4, cin: 2, cout: 3 };
const cases: { name: string; pad: Padding; d: Dims }[] = [
  { name: "2×3 valid", pad: "valid", d: { ...base, kh: 2, kw: 3, stride: 1, pt: 0, pl: 0, ho: 4, wo: 6 } },
  // (H − 1)·s + k: 2·2 + 3 = 7, 3·2 + 3 = 9
  { name: "3×3 valid, stride 2", pad: "valid", d: { ...base, kh: 3, kw: 3, stride: 2, pt: 0, pl: 0, ho: 7, wo: 9 } },
  // 'same': H·s; the convolution of a 6×8 input with a 4×4 kernel, stride 2, pads 2 in total
  // on each axis, one before.
  { name: "4×4 same, stride 2", pad: "same", d: { ...base, kh: 4, kw: 4, stride: 2, pt: 1, pl: 1, ho: 6, wo: 8 } },
  { name: "3×3 same, stride 2 (odd padding, all after)", pad: "same", d: { ...base, kh: 3, kw: 3, stride: 2, pt: 0, pl: 0, ho: 6, wo: 8 } },
  // (3 − 1)·2 + 3 − 2 = 5, (4 − 1)·2 + 2 − 2 = 6
  { name: "3×2 pad 1, stride 2", pad: 1, d: { ...base, kh: 3, kw: 2, stride: 2, pt: 1, pl: 1, ho: 5, wo: 6 } },
  // kernel smaller than the stride: gaps between the windows
  { name: "2×2 valid, stride 3", pad: "valid", d: { ...base, kh: 2, kw: 2, stride: 3, pt: 0, pl: 0, ho: 8, wo: 11 } },
  // 'same' with k < s: H·s outputs, the last row and column reached by no window
  { name: "2×2 same, stride 3", pad: "same", d: { ...base, kh: 2, kw: 2, stride: 3, pt: 0, pl: 0, ho: 9, wo: 12 } },
  // padding beyond k − 1 crops into the full result: 2·3 + 2 − 4 = 4, 3·3 + 2 − 4 = 7
  { name: "2×2 pad 2, stride 3", pad: 2, d: { ...base, kh: 2, kw: 2, stride: 3, pt: 2, pl: 2, ho: 4, wo: 7 } },
  { name: "1×1", pad: "valid", d: { ...base, kh: 1, kw: 1, stride: 1, pt: 0, pl: 0, ho: 3, wo: 4 } },
];

const weightShape = (d: Dims): number[] => [d.kh, d.kw, d.cout, d.cin];
const size = (s: readonly number[]): number => s.reduce((a, v) => a * v, 1);

describe("ConvTranspose", () => {
  for (const cs of cases) {
    it(`${cs.name}: shapes and values match the float64 loop and tf.conv2dTranspose`, async () => {
      const d = cs.d;
      const layer = convTranspose([d.kh, d.kw], d.cin, d.cout, { stride: d.stride, pad: cs.pad });
      expect(layer.outputShape([d.h, d.w, d.cin])).toEqual([d.ho, d.wo, d.cout]);
      expect(layer.paramSpecs()).toMatchObject({ weight: { shape: weightShape(d) }, bias: { shape: [d.cout] } });
      const [x, w, b] = [vals(d.n * d.h * d.w * d.cin, 1), vals(size(weightShape(d)), 2), vals(d.cout, 3)];
      const y = tf.tidy(() =>
        forward(layer, { weight: tf.tensor(w, weightShape(d)), bias: tf.tensor1d(b) }, tf.tensor(x, [d.n, d.h, d.w, d.cin])),
      );
      expect(y.shape).toEqual([d.n, d.ho, d.wo, d.cout]);
      const got = Array.from(y.dataSync());
      y.dispose();
      const ref = naive(d, x, w, b);
      got.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-5));
      // numeric padding is left out: tfjs sizes it with the kernel height on both axes (conv-transpose.ts)
      if (typeof cs.pad === "string") {
        const [tfRef] = await onBackend("cpu", () =>
          tf.add(
            tf.conv2dTranspose(tf.tensor4d(x, [d.n, d.h, d.w, d.cin]), tf.tensor4d(w, weightShape(d) as [number, number, number, number]), [d.n, d.ho, d.wo, d.cout], d.stride, cs.pad as "valid" | "same"),
            tf.tensor1d(b),
          ),
        );
        got.forEach((v, i) => expect(Math.abs(v - tfRef![i]!)).toBeLessThan(1e-5));
        await initEngine(startBackend);
      }
    });
  }

  it("is the adjoint of Conv2D with the same weight: ⟨convT(x), z⟩ = ⟨x, conv(z)⟩", () => {
    const [kh, kw, cin, cout, s] = [3, 2, 2, 3, 2];
    const t = convTranspose([kh, kw], cin, cout, { stride: s, pad: "same", bias: false });
    const c = conv2d([kh, kw], cout, cin, { stride: s, pad: "same", bias: false });
    tf.tidy(() => {
      const w = tf.tensor(vals(kh * kw * cout * cin, 5), [kh, kw, cout, cin]);
      const x = tf.tensor(vals(2 * 3 * 4 * cin, 6), [2, 3, 4, cin]);
      const z = tf.tensor(vals(2 * 6 * 8 * cout, 7), [2, 6, 8, cout]);
      const lhs = tf.sum(tf.mul(forward(t, { weight: w }, x), z)).dataSync()[0]!;
      const rhs = tf.sum(tf.mul(x, forward(c, { weight: w }, z))).dataSync()[0]!;
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
    });
  });

  it("describes itself and rejects inputs of the wrong shape", () => {
    expect(convTranspose([4, 4], 8, 3, { stride: 2, pad: "same", activation: "relu" }).describe()).toBe(
      'ConvTranspose((4, 4), 8 => 3, relu; stride = 2, pad = "same")',
    );
    expect(convTranspose([3, 3], 1, 1).describe()).toBe("ConvTranspose((3, 3), 1 => 1)");
    expect(() => convTranspose([3, 3], 2, 4).outputShape([5, 5, 3])).toThrow(/expects images \(height, width, 2\)/);
    expect(() => convTranspose([2, 2], 2, 4, { pad: 2 }).outputShape([1, 5, 2])).toThrow(/leaves no output/);
    expect(() => convTranspose([3, 3], 2, 4, { pad: -1 })).toThrow(/non-negative integer/);
    expect(() => forward(convTranspose([3, 3], 2, 4), { weight: tf.zeros([3, 3, 4, 2]), bias: tf.zeros([4]) }, tf.zeros([1, 5, 2]))).toThrow(
      /expects images \(N, height, width, 2\)/,
    );
    expect(() => forward(convTranspose([3, 3], 2, 4), { weight: tf.zeros([3, 3, 2, 4]), bias: tf.zeros([4]) }, tf.zeros([1, 5, 5, 2]))).toThrow();
  });

  for (const [pad, d] of [
    [1, { n: 2, h: 3, w: 2, cin: 2, cout: 2, kh: 3, kw: 2, stride: 2, pt: 1, pl: 1, ho: 5, wo: 2 }],
    // 'same' on 6×6 with a 2×3 kernel, stride 2: padding 0 and 1 in total, none before
    ["same", { n: 1, h: 3, w: 3, cin: 2, cout: 2, kh: 2, kw: 3, stride: 2, pt: 0, pl: 0, ho: 6, wo: 6 }],
  ] as const) {
    it(`pad ${JSON.stringify(pad)}: weight, bias and input gradients match central differences of the float64 loop`, () => {
      const layer = convTranspose([d.kh, d.kw], d.cin, d.cout, { stride: d.stride, pad, activation: "identity" });
      expect(layer.outputShape([d.h, d.w, d.cin])).toEqual([d.ho, d.wo, d.cout]);
      const [x, w, b] = [vals(d.n * d.h * d.w * d.cin, 4), vals(size(weightShape(d)), 5), vals(d.cout, 6)];
      const r = vals(d.n * d.ho * d.wo * d.cout, 7);
      const dot = (y: number[]): number => y.reduce((a, v, i) => a + v * r[i]!, 0);
      const grads = tf.tidy(() =>
        tf
          .grads((wt: tf.Tensor, bt: tf.Tensor, xt: tf.Tensor) =>
            tf.sum(tf.mul(forward(layer, { weight: wt, bias: bt }, xt), tf.tensor(r, [d.n, d.ho, d.wo, d.cout]))),
          )([tf.tensor(w, weightShape(d)), tf.tensor1d(b), tf.tensor(x, [d.n, d.h, d.w, d.cin])])
          .map((g) => Array.from(g.dataSync())),
      );
      expect(gradientMismatch(grads[0]!, centralDiffs(w, (t) => dot(naive(d, x, t, b))))).toBeUndefined();
      expect(gradientMismatch(grads[1]!, centralDiffs(b, (t) => dot(naive(d, x, w, t))))).toBeUndefined();
      expect(gradientMismatch(grads[2]!, centralDiffs(x, (t) => dot(naive(d, t, w, b))))).toBeUndefined();
    });
  }

  it("chain-batched weights [C, kh, kw, cout, cin] equal C separate calls, values and gradients, for shared and per-chain inputs", () => {
    const C = 3;
    for (const pad of ["same", 1] as const) {
      const layer = convTranspose([3, 2], 2, 4, { stride: 2, pad, activation: "tanh" });
      tf.tidy(() => {
        const per: ParamTree[] = Array.from({ length: C }, (_, c) => ({
          weight: tf.tensor(vals(3 * 2 * 4 * 2, 10 + c), [3, 2, 4, 2]),
          bias: tf.tensor1d(vals(4, 20 + c)),
        }));
        const stacked: ParamTree = { weight: tf.stack(per.map((p) => p["weight"] as tf.Tensor)), bias: tf.stack(per.map((p) => p["bias"] as tf.Tensor)) };
        const x = tf.tensor(vals(2 * 3 * 4 * 2, 30), [2, 3, 4, 2]);
        const y = forward(layer, stacked, x);
        const [ho, wo] = layer.outputShape([3, 4, 2]);
        expect(y.shape).toEqual([C, 2, ho, wo, 4]);
        per.forEach((p, c) => expect(maxRelDiff([tf.gather(y, c).dataSync() as Float32Array], [forward(layer, p, x).dataSync() as Float32Array])).toBeLessThan(1e-6));
        const xs = tf.tensor(vals(C * 2 * 3 * 4 * 2, 31), [C, 2, 3, 4, 2]);
        const ys = forward(layer, stacked, xs, { inputBatched: true });
        per.forEach((p, c) =>
          expect(maxRelDiff([tf.gather(ys, c).dataSync() as Float32Array], [forward(layer, p, tf.gather(xs, c)).dataSync() as Float32Array])).toBeLessThan(1e-6),
        );
        // the im2col path's weight and input gradients against the plain path's, chain by chain
        const r = tf.tensor(vals(C * 2 * ho! * wo! * 4, 32), [C, 2, ho!, wo!, 4]);
        const [gw, gx] = tf.grads((w: tf.Tensor, xt: tf.Tensor) => tf.sum(tf.mul(forward(layer, { weight: w, bias: stacked["bias"]! }, xt, { inputBatched: true }), r)))([
          stacked["weight"] as tf.Tensor,
          xs,
        ]);
        per.forEach((p, c) => {
          const [gwc, gxc] = tf.grads((w: tf.Tensor, xt: tf.Tensor) => tf.sum(tf.mul(forward(layer, { weight: w, bias: p["bias"]! }, xt), tf.gather(r, c))))([
            p["weight"] as tf.Tensor,
            tf.gather(xs, c),
          ]);
          expect(maxRelDiff([gwc!.dataSync() as Float32Array, gxc!.dataSync() as Float32Array], [tf.gather(gw!, c).dataSync() as Float32Array, tf.gather(gx!, c).dataSync() as Float32Array])).toBeLessThan(1e-5);
        });
      });
    }
  });

  for (const pad of ["valid", "same", 1, 2] as const) {
    it(`gives the same values and gradients on cpu and wasm, pad ${JSON.stringify(pad)}, with and without a chain axis`, async () => {
      const layer = convTranspose([3, 2], 2, 3, { stride: 2, pad, activation: "relu" });
      const f = (): tf.Tensor[] => {
        const x = tf.tensor(vals(2 * 3 * 4 * 2, 40), [2, 3, 4, 2]);
        const w = tf.tensor(vals(2 * 3 * 2 * 3 * 2, 41), [2, 3, 2, 3, 2]);
        const b = tf.tensor(vals(2 * 3, 42), [2, 3]);
        const loss = (wt: tf.Tensor, bt: tf.Tensor, xt: tf.Tensor): tf.Tensor => tf.sum(tf.square(forward(layer, { weight: wt, bias: bt }, xt)));
        const [w0, b0] = [tf.gather(w, 0), tf.gather(b, 0)];
        return [forward(layer, { weight: w, bias: b }, x), ...tf.grads(loss)([w, b, x]), forward(layer, { weight: w0, bias: b0 }, x), ...tf.grads(loss)([w0, b0, x])];
      };
      const [cpu, wasm] = [await onBackend("cpu", f), await onBackend("wasm", f)];
      const [ho, wo] = layer.outputShape([3, 4, 2]);
      expect(cpu.map((a) => a.length)).toEqual([2 * 2 * ho! * wo! * 3, 72, 6, 48, 2 * ho! * wo! * 3, 36, 3, 48]);
      expect(maxRelDiff(cpu, wasm)).toBeLessThan(1e-5);
    });
  }

  it("is built by the registry entry ConvTranspose", () => {
    const entry = LAYERS["ConvTranspose"]!;
    expect(entry.doc.startsWith("ConvTranspose((kh, kw), cin => cout")).toBe(true);
    const layer = entry.make(callArgs([[4, 4], pair(8, 3), "relu"], { stride: 2, pad: 1 }));
    expect(layer.describe()).toBe("ConvTranspose((4, 4), 8 => 3, relu; stride = 2, pad = 1)");
    // (7 − 1)·2 + 4 − 2 = 14
    expect(layer.outputShape([7, 7, 8])).toEqual([14, 14, 3]);
    expect(entry.make(callArgs([3, pair(1, 1)])).outputShape([5, 4, 1])).toEqual([7, 6, 1]);
  });

  it("leaves no tensors behind after forward and gradient in tf.tidy", () => {
    const layer = convTranspose([3, 3], 2, 3, { stride: 2, pad: "same" });
    const w = tf.tensor(vals(54, 50), [3, 3, 3, 2]);
    const b = tf.tensor1d(vals(3, 51));
    const x = tf.tensor(vals(2 * 3 * 3 * 2, 52), [2, 3, 3, 2]);
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
