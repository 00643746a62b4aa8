/**
 * The Euclidean metric of HMC, one per chain, stored as Stan stores it: the INVERSE metric
 * Minv (≈ posterior covariance), diagonal or dense (design/inference.md §1.1), on the host in
 * float64 as Stan keeps it.
 *
 * | kind  | kinetic K(p)   | velocity v = Minv p | momentum draw p ~ N(0, M)          |
 * |-------|----------------|---------------------|------------------------------------|
 * | diag  | ½ Σ m_i p_i²   | m ∘ p               | p_i = z_i / √m_i                   |
 * | dense | ½ pᵀ Σ p       | Σ p                 | Σ = L Lᵀ, p = L⁻ᵀ z  (Cov p = Σ⁻¹)  |
 *
 * Batched arrays are row-major `[C·D]` `Float64Array`s, chain c in `[c·D, (c+1)·D)`. The row
 * functions (`velocityRow`, `kineticRow`, `velocityDot`) work on one chain at an offset so that
 * the samplers' per-leaf loops allocate nothing; chain c's arithmetic never reads another row.
 */
import type { RandomStream } from "../../core/keys.js";
import { cholesky } from "./linalg.js";

export type MetricKind = "diag" | "dense";

export type Metric =
  | {
      readonly kind: "diag";
      readonly dim: number;
      /** Per chain, the D diagonal entries of Minv. */
      readonly inverse: readonly Float64Array[];
      /** The diagonals of all chains, `[C·D]`. */
      readonly flat: Float64Array;
    }
  | {
      readonly kind: "dense";
      readonly dim: number;
      /** Per chain, Minv as a row-major D × D matrix. */
      readonly inverse: readonly Float64Array[];
      /** Per chain, the lower Cholesky factor of Minv. */
      readonly cholesky: readonly Float64Array[];
      /** The matrices of all chains, `[C·D·D]` (chain c at offset c·D²). */
      readonly flat: Float64Array;
    };

/** A diagonal metric from per-chain inverse-metric diagonals (each of length `dim`). */
export function diagMetric(inverse: readonly Float64Array[], dim: number): Metric {
  for (const m of inverse) {
    if (m.length !== dim) throw new RangeError(`diag metric needs ${dim} entries per chain, got ${m.length}`);
    for (const x of m) if (!(x > 0 && Number.isFinite(x))) throw new RangeError(`diag inverse metric must be positive and finite, got ${x}`);
  }
  const flat = new Float64Array(inverse.length * dim);
  inverse.forEach((m, c) => flat.set(m, c * dim));
  return { kind: "diag", dim, inverse, flat };
}

/** A dense metric from per-chain inverse metrics (row-major `dim × dim`, symmetric positive definite). */
export function denseMetric(inverse: readonly Float64Array[], dim: number): Metric {
  const chol = inverse.map((m) => {
    if (m.length !== dim * dim) throw new RangeError(`dense metric needs ${dim * dim} entries per chain, got ${m.length}`);
    return cholesky(m, dim);
  });
  const flat = new Float64Array(inverse.length * dim * dim);
  inverse.forEach((m, c) => flat.set(m, c * dim * dim));
  return { kind: "dense", dim, inverse, cholesky: chol, flat };
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

/**
 * v = Minv_c · p for chain c: reads `p[pOff … pOff + D)`, writes `out[outOff … outOff + D)`.
 * `out` must not overlap `p` for the dense metric.
 */
export function velocityRow(m: Metric, c: number, p: Float64Array, pOff: number, out: Float64Array, outOff: number): void {
  const d = m.dim;
  const f = m.flat;
  switch (m.kind) {
    case "diag": {
      const o = c * d;
      for (let i = 0; i < d; i++) out[outOff + i] = f[o + i]! * p[pOff + i]!;
      return;
    }
    case "dense": {
      const o = c * d * d;
      for (let i = 0; i < d; i++) {
        let s = 0;
        const r = o + i * d;
        for (let k = 0; k < d; k++) s += f[r + k]! * p[pOff + k]!;
        out[outOff + i] = s;
      }
      return;
    }
  }
}

/** (Minv_c · a) · b for chain c, rows `a[aOff …)` and `b[bOff …)` of length D. */
export function velocityDot(m: Metric, c: number, a: Float64Array, aOff: number, b: Float64Array, bOff: number): number {
  const d = m.dim;
  const f = m.flat;
  let s = 0;
  switch (m.kind) {
    case "diag": {
      const o = c * d;
      for (let i = 0; i < d; i++) s += f[o + i]! * a[aOff + i]! * b[bOff + i]!;
      return s;
    }
    case "dense": {
      const o = c * d * d;
      for (let i = 0; i < d; i++) {
        let v = 0;
        const r = o + i * d;
        for (let k = 0; k < d; k++) v += f[r + k]! * a[aOff + k]!;
        s += v * b[bOff + i]!;
      }
      return s;
    }
  }
}

/** K(p) = ½ pᵀ Minv_c p for chain c's row `p[pOff …)`. */
export function kineticRow(m: Metric, c: number, p: Float64Array, pOff: number): number {
  return 0.5 * velocityDot(m, c, p, pOff, p, pOff);
}

/** Velocities v = Minv·p of every chain: `[C·D]` → new `[C·D]`. */
export function velocity(m: Metric, p: Float64Array): Float64Array {
  const d = m.dim;
  const out = new Float64Array(p.length);
  for (let c = 0; c < p.length / d; c++) velocityRow(m, c, p, c * d, out, c * d);
  return out;
}

/** Kinetic energies K(p) = ½ pᵀ Minv p of every chain: `[C·D]` → `[C]`. */
export function kinetic(m: Metric, p: Float64Array): Float64Array {
  const d = m.dim;
  return Float64Array.from({ length: p.length / d }, (_, c) => kineticRow(m, c, p, c * d));
}

/**
 * One momentum per chain, p ~ N(0, M) with M = Minv⁻¹, drawn in float64 from `streams[c]`
 * (D normals each) into `out` (`[C·D]`, default a new array), which is returned.
 */
export function drawMomentum(m: Metric, streams: readonly RandomStream[], out: Float64Array = new Float64Array(streams.length * m.dim)): Float64Array {
  const d = m.dim;
  for (let c = 0; c < streams.length; c++) {
    const s = streams[c]!;
    const o = c * d;
    for (let i = 0; i < d; i++) out[o + i] = s.normal();
    switch (m.kind) {
      case "diag": {
        const f = m.flat;
        for (let i = 0; i < d; i++) out[o + i] = out[o + i]! / Math.sqrt(f[o + i]!);
        break;
      }
      case "dense": {
        // p = L⁻ᵀ z by back substitution in place (row i needs only the already-solved rows k > i)
        const l = m.cholesky[c]!;
        for (let i = d - 1; i >= 0; i--) {
          let s = out[o + i]!;
          for (let k = i + 1; k < d; k++) s -= l[k * d + i]! * out[o + k]!;
          out[o + i] = s / l[i * d + i]!;
        }
        break;
      }
    }
  }
  return out;
}
