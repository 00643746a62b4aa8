/**
 * The Euclidean metric of HMC, one per chain, stored as Stan stores it: the INVERSE metric
 * Minv (≈ posterior covariance), diagonal or dense (design/inference.md §1.1).
 *
 * | kind  | kinetic K(p)   | velocity v = Minv p | momentum draw p ~ N(0, M)          |
 * |-------|----------------|---------------------|------------------------------------|
 * | diag  | ½ Σ m_i p_i²   | m ∘ p               | p_i = z_i / √m_i                   |
 * | dense | ½ pᵀ Σ p       | Σ p                 | Σ = L Lᵀ, p = L⁻ᵀ z  (Cov p = Σ⁻¹)  |
 *
 * Momenta are drawn on the host in float64 from each chain's own stream and uploaded once,
 * so chain c's momenta never depend on how many other chains share the batch.
 */
import { tf } from "../../core/engine.js";
import type { RandomStream } from "../../core/random.js";
import { cholesky, solveLowerTransposed } from "./linalg.js";

export type MetricKind = "diag" | "dense";

export type Metric =
  | {
      readonly kind: "diag";
      readonly dim: number;
      /** Per chain, the D diagonal entries of Minv. */
      readonly inverse: readonly Float64Array[];
      /** Minv diagonals on device, `[C, D]`. */
      readonly tensor: tf.Tensor2D;
    }
  | {
      readonly kind: "dense";
      readonly dim: number;
      /** Per chain, Minv as a row-major D × D matrix. */
      readonly inverse: readonly Float64Array[];
      /** Per chain, the lower Cholesky factor of Minv. */
      readonly cholesky: readonly Float64Array[];
      /** Minv on device, `[C, D, D]`. */
      readonly tensor: tf.Tensor3D;
    };

/** A diagonal metric from per-chain inverse-metric diagonals (each of length `dim`). */
export function diagMetric(inverse: readonly Float64Array[], dim: number): Metric {
  for (const m of inverse) {
    if (m.length !== dim) throw new RangeError(`diag metric needs ${dim} entries per chain, got ${m.length}`);
    for (const x of m) if (!(x > 0 && Number.isFinite(x))) throw new RangeError(`diag inverse metric must be positive and finite, got ${x}`);
  }
  const flat = new Float32Array(inverse.length * dim);
  inverse.forEach((m, c) => flat.set(m, c * dim));
  return { kind: "diag", dim, inverse, tensor: tf.tensor2d(flat, [inverse.length, dim]) };
}

/** A dense metric from per-chain inverse metrics (row-major `dim × dim`, symmetric positive definite). */
export function denseMetric(inverse: readonly Float64Array[], dim: number): Metric {
  const chol = inverse.map((m) => {
    if (m.length !== dim * dim) throw new RangeError(`dense metric needs ${dim * dim} entries per chain, got ${m.length}`);
    return cholesky(m, dim);
  });
  const flat = new Float32Array(inverse.length * dim * dim);
  inverse.forEach((m, c) => flat.set(m, c * dim * dim));
  return { kind: "dense", dim, inverse, cholesky: chol, tensor: tf.tensor3d(flat, [inverse.length, dim, dim]) };
}

/** The unit metric (Minv = I) for `chains` chains, in the requested representation. */
export function unitMetric(kind: MetricKind, chains: number, dim: number): Metric {
  switch (kind) {
    case "diag":
      return diagMetric(Array.from({ length: chains }, () => new Float64Array(dim).fill(1)), dim);
    case "dense":
      return denseMetric(
        Array.from({ length: chains }, () => {
          const m = new Float64Array(dim * dim);
          for (let i = 0; i < dim; i++) m[i * dim + i] = 1;
          return m;
        }),
        dim,
      );
  }
}

export function disposeMetric(m: Metric): void {
  m.tensor.dispose();
}

/** Velocity v = Minv·p, `[C, D]` → `[C, D]`. */
export function velocity(m: Metric, p: tf.Tensor2D): tf.Tensor2D {
  switch (m.kind) {
    case "diag":
      return tf.mul(m.tensor, p);
    case "dense":
      return tf.tidy(() => tf.squeeze(tf.matMul(m.tensor, tf.expandDims(p, 2)), [2]) as tf.Tensor2D);
  }
}

/** Kinetic energy K(p) = ½ pᵀ Minv p per chain, `[C, D]` → `[C]`. */
export function kinetic(m: Metric, p: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(p, velocity(m, p)), 1)) as tf.Tensor1D);
}

/** One momentum per chain, p ~ N(0, M) with M = Minv⁻¹, drawn on the host from `streams[c]`: `[C, D]`. */
export function drawMomentum(m: Metric, streams: readonly RandomStream[]): tf.Tensor2D {
  const d = m.dim;
  const out = new Float32Array(streams.length * d);
  streams.forEach((s, c) => {
    const z = new Float64Array(d);
    for (let i = 0; i < d; i++) z[i] = s.normal();
    switch (m.kind) {
      case "diag": {
        const inv = m.inverse[c]!;
        for (let i = 0; i < d; i++) out[c * d + i] = z[i]! / Math.sqrt(inv[i]!);
        break;
      }
      case "dense":
        out.set(solveLowerTransposed(m.cholesky[c]!, z, d), c * d);
        break;
    }
  });
  return tf.tensor2d(out, [streams.length, d]);
}
