/**
 * Test helpers: run the same computation on two backends and compare, and check gradients by
 * central differences. (Used by the `*.test.ts` files of core/ and nn/ and by the benchmarks;
 * not part of the API.)
 */
import { tf, initEngine, type BackendName } from "../engine.js";

/** Deterministic values in [-1, 1) from a linear congruential sequence (no Math.random). */
export function lcg(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/** A float32 tensor of `shape` filled by `lcg`. */
export function det(shape: readonly number[], seed: number): tf.Tensor {
  return tf.tensor(lcg(shape.reduce((p, d) => p * d, 1), seed), [...shape]);
}

/**
 * Run `f` on `backend` (started with `initEngine`, so with the project's kernel fixes) and
 * return the values of its outputs; every tensor it makes is disposed.
 */
export async function onBackend(backend: BackendName, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await initEngine(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return values;
}

/** Largest |a − b| over matching outputs, relative to max(1, largest |a|). */
export function maxRelDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 1;
  a.forEach((x, i) => {
    const y = b[i]!;
    if (x.length !== y.length) diff = Infinity;
    x.forEach((v, j) => {
      diff = Math.max(diff, Math.abs(v - y[j]!));
      scale = Math.max(scale, Math.abs(v));
    });
  });
  return diff / scale;
}

/** Largest |a − b| elementwise; Infinity when the sizes differ. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor | readonly number[]): number {
  const fa = a.dataSync();
  const fb = Array.isArray(b) ? b : Array.from((b as tf.Tensor).dataSync());
  if (fa.length !== fb.length) return Infinity;
  let d = 0;
  fa.forEach((v, i) => (d = Math.max(d, Math.abs(v - fb[i]!))));
  return d;
}

/** Central differences (loss(θ + h·eᵢ) − loss(θ − h·eᵢ)) / 2h of a float64 loss, one per coordinate. */
export function centralDiffs(theta: readonly number[], loss: (t: number[]) => number, h = 1e-6): number[] {
  return theta.map((_, i) => {
    const up = [...theta];
    const down = [...theta];
    up[i]! += h;
    down[i]! -= h;
    return (loss(up) - loss(down)) / (2 * h);
  });
}

/**
 * Where a float32 gradient `got` departs from a float64 reference `want` by more than
 * 1e-4 + 1e-3·|want| (or has another length): a message naming the coordinate, else undefined.
 */
export function gradientMismatch(got: ArrayLike<number>, want: readonly number[]): string | undefined {
  if (got.length !== want.length) return `${got.length} coordinates, expected ${want.length}`;
  const i = want.findIndex((v, j) => !(Math.abs(got[j]! - v) < 1e-4 + 1e-3 * Math.abs(v)));
  return i < 0 ? undefined : `coordinate ${i}: ${got[i]} vs ${want[i]}`;
}

/** Number of live tensors and of backend buffers (a leak shows in either). */
export function liveCounts(): [number, number] {
  return [tf.memory().numTensors, tf.engine().backend.numDataIds()];
}

/**
 * Live tensors after one warm-up call of `step` and after `times` more: equal when `step`
 * leaks nothing (the warm-up fills any caches first).
 */
export function tensorsAcrossRepeats(step: () => void, times = 30): [number, number] {
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < times; i++) step();
  return [before, tf.memory().numTensors];
}
