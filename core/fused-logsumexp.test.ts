// Tests of the fused log-sum-exp (fused-logsumexp.ts) and of `logSumExp` (special-log.ts),
// which takes it for adjacent axes and composes from ops otherwise (non-adjacent axes, large
// tensors on wasm). Reference, independent of both: log Σ exp in float64 by plain JS over each
// slice (max-shifted), with ∂/∂x = exp(x − lse), the softmax along the slice.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "./engine.js";
import { fusedLogSumExp, LOG_SUM_EXP_HOST_MAX_SIZE } from "./fused-logsumexp.js";
import { logSumExp } from "./special.js";
import { lcg, tensorsAcrossRepeats } from "./kernels/testing.js";

afterAll(async () => {
  await initEngine("wasm");
});

/** Row-major index of a multi-index. */
const flatIndex = (idx: readonly number[], shape: readonly number[]): number => idx.reduce((f, v, i) => f * shape[i]! + v, 0);

/** Every multi-index of a shape, row-major. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((p, d) => p * d, 1);
  for (let f = 0; f < n; f++) {
    const idx: number[] = [];
    let r = f;
    for (let i = shape.length - 1; i >= 0; i--) {
      idx.unshift(r % shape[i]!);
      r = Math.floor(r / shape[i]!);
    }
    yield idx;
  }
}

/** float64 log Σ exp over `axes` (kept as size 1), and the softmax weights of every element. */
function reference(x: readonly number[], shape: readonly number[], axes: readonly number[]): { lse: number[]; keptShape: number[]; softmax: number[] } {
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const slices = new Map<number, number[]>();
  for (const idx of indices(shape)) {
    const key = flatIndex(idx.map((v, i) => (axes.includes(i) ? 0 : v)), keptShape);
    slices.set(key, [...(slices.get(key) ?? []), flatIndex(idx, shape)]);
  }
  const lse = new Array<number>(keptShape.reduce((p, d) => p * d, 1)).fill(-Infinity);
  const softmax = new Array<number>(x.length).fill(0);
  for (const [key, members] of slices) {
    const m = Math.max(...members.map((k) => x[k]!));
    const l = m === -Infinity || m === Infinity ? m : m + Math.log(members.reduce((s, k) => s + Math.exp(x[k]! - m), 0));
    lse[key] = l;
    for (const k of members) softmax[k] = l === -Infinity ? 0 : Math.exp(x[k]! - l);
  }
  return { lse, keptShape, softmax };
}

const close = (got: ArrayLike<number>, want: readonly number[], tol: number): void => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    if (!Number.isFinite(w)) expect(got[i]).toBe(w);
    else expect(Math.abs(got[i]! - w), `element ${i}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w)));
  });
};

const LAYOUTS: readonly { shape: number[]; axes: number[] }[] = [
  { shape: [3, 4], axes: [1] },
  { shape: [3, 4], axes: [0] },
  { shape: [2, 3, 4, 2], axes: [2] },
  { shape: [2, 3, 4, 2], axes: [1, 2] },
  { shape: [2, 3, 4], axes: [0, 1, 2] },
  { shape: [5], axes: [0] },
  { shape: [3, 1], axes: [1] },
];

for (const backend of ["wasm", "cpu"] as const) {
  describe(`log-sum-exp on ${backend}`, () => {
    for (const { shape, axes } of LAYOUTS) {
      for (const keepDims of [false, true]) {
        it(`shape [${shape.join(", ")}] over axes [${axes.join(", ")}]${keepDims ? ", keepDims" : ""}: value and gradient against float64`, async () => {
          await initEngine(backend);
          const n = shape.reduce((p, d) => p * d, 1);
          const xs = Array.from(lcg(n, n + axes.length), (u) => Math.fround(20 * u));
          const x = tf.tensor(xs, shape);
          const ref = reference(xs, shape, axes);
          const fused = fusedLogSumExp(x, axes, keepDims)!;
          expect(fused.shape).toEqual(keepDims ? ref.keptShape : shape.filter((_, i) => !axes.includes(i)));
          close(fused.dataSync(), ref.lse, 1e-6);
          // Upstream gradient u: ∂/∂x Σ u·lse = u(slice)·softmax.
          const u = tf.tensor(Array.from(lcg(ref.lse.length, 3)), fused.shape);
          const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(u, fusedLogSumExp(v, axes, keepDims)!)))(x);
          const uv = u.dataSync();
          const all = [...indices(shape)];
          const keptOf = (flat: number): number => flatIndex(all[flat]!.map((v, i) => (axes.includes(i) ? 0 : v)), ref.keptShape);
          close(g.dataSync(), ref.softmax.map((p, k) => uv[keptOf(k)]! * p), 1e-5);
          // The public function agrees, fused or not.
          close(logSumExp(x, axes, keepDims).dataSync(), ref.lse, 1e-6);
          tf.dispose([x, fused, u, g]);
        });
      }
    }

    it("−∞ slices give −∞ and a zero gradient; +∞ gives +∞; NaN gives NaN; huge and tiny values stay finite", async () => {
      await initEngine(backend);
      const rows = [
        [-Infinity, -Infinity, -Infinity],
        [Infinity, 1, 2],
        [NaN, 1, 2],
        [1e30, 1e30, -1e30],
        [-1e4, -1e4, -Infinity],
      ];
      const x = tf.tensor2d(rows);
      const v = fusedLogSumExp(x, [1], false)!.dataSync();
      expect(v[0]).toBe(-Infinity);
      expect(v[1]).toBe(Infinity);
      expect(Number.isNaN(v[2]!)).toBe(true);
      expect(v[3]! / (1e30 + Math.LN2)).toBeCloseTo(1, 6);
      expect(v[4]).toBeCloseTo(-1e4 + Math.LN2, 2);
      const finiteRows = tf.tensor2d([rows[0]!, rows[4]!]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(fusedLogSumExp(t, [1], false)!))(finiteRows).dataSync();
      expect(Array.from(g.slice(0, 3))).toEqual([0, 0, 0]);
      close(g.slice(3), [0.5, 0.5, 0], 1e-6);
      tf.dispose([x, finiteRows]);
    });

    it("leaks no tensors over repeated gradients", async () => {
      await initEngine(backend);
      const x = tf.tensor3d(Array.from(lcg(24, 5)), [2, 3, 4]);
      const step = (): void => tf.tidy(() => void tf.grad((v: tf.Tensor) => tf.sum(logSumExp(v, 1)))(x).dataSync());
      const [before, after] = tensorsAcrossRepeats(step);
      expect(after).toBe(before);
      x.dispose();
    });
  });
}

describe("log-sum-exp: where the fused kernel does not apply", () => {
  it("non-adjacent axes and, on wasm, tensors above the host-loop size compose from ops, with the same results", async () => {
    await initEngine("wasm");
    const shape = [3, 2, 4];
    const xs = Array.from(lcg(24, 9), (u) => 5 * u);
    const x = tf.tensor(xs, shape);
    expect(fusedLogSumExp(x, [0, 2], false)).toBeUndefined();
    close(logSumExp(x, [0, 2]).dataSync(), reference(xs, shape, [0, 2]).lse, 1e-6);
    const half = LOG_SUM_EXP_HOST_MAX_SIZE / 2 + 1;
    const big = tf.zeros([2, half]);
    expect(fusedLogSumExp(big, [1], false)).toBeUndefined();
    close(logSumExp(big, 1).dataSync(), [Math.log(half), Math.log(half)], 1e-6);
    tf.dispose([x, big]);
  });
});
