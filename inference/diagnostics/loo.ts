/**
 * Model comparison from pointwise log-likelihoods `ll[s·n + i] = log p(y_i | θ_s)` (S draws of
 * all chains pooled, n observations), design/inference.md §5.5: PSIS-LOO (Vehtari, Gelman &
 * Gabry 2017) with the smoothing of psis.ts, WAIC, and the comparison of models on the same
 * data as R's `loo_compare` prints it. Relative efficiencies are taken as 1 (R's loo does the
 * same when none is given), which only sets the length of the smoothed tail.
 */
import { paretoKThreshold, psis } from "./psis.js";

export interface LooResult {
  readonly elpd: number;
  readonly se: number;
  readonly pLoo: number;
  /** −2·elpd (the information-criterion scale). */
  readonly looic: number;
  /** Per observation: its elpd_loo,i and k̂. */
  readonly pointwise: { readonly elpd: Float64Array; readonly k: Float64Array };
  /** Observations whose k̂ exceeds the threshold (0-based), and the threshold. */
  readonly badK: readonly number[];
  readonly kThreshold: number;
}

export interface WaicResult {
  readonly elpd: number;
  readonly se: number;
  readonly pWaic: number;
  readonly waic: number;
  readonly pointwise: Float64Array;
  /** Observations whose posterior variance of the log-likelihood exceeds 0.4 (0-based). */
  readonly highVariance: readonly number[];
}

function column(ll: ArrayLike<number>, s: number, n: number, i: number): Float64Array {
  return Float64Array.from({ length: s }, (_, r) => ll[r * n + i]!);
}

function logSumExp(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i]! > m) m = x[i]!;
  if (!Number.isFinite(m)) return m;
  let t = 0;
  for (let i = 0; i < x.length; i++) t += Math.exp(x[i]! - m);
  return m + Math.log(t);
}

/** √(n·Var(x)) with the sample variance: the standard error of a sum of n pointwise values. */
function sumSe(x: ArrayLike<number>): number {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i]! / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i]! - m) ** 2 / (n - 1);
  return Math.sqrt(n * v);
}

function check(ll: ArrayLike<number>, s: number, n: number): void {
  if (!Number.isInteger(s) || !Number.isInteger(n) || s < 2 || n < 1 || ll.length !== s * n) throw new RangeError(`expected ${s}×${n} pointwise log-likelihoods, got ${ll.length}`);
}

/** The log pointwise predictive density lppd_i = log((1/S) Σ_s p(y_i | θ_s)) of each observation. */
export function lppd(ll: ArrayLike<number>, s: number, n: number): Float64Array {
  check(ll, s, n);
  return Float64Array.from({ length: n }, (_, i) => logSumExp(column(ll, s, n, i)) - Math.log(s));
}

/** PSIS-LOO (see the module comment). */
export function loo(ll: ArrayLike<number>, s: number, n: number): LooResult {
  check(ll, s, n);
  const elpd = new Float64Array(n);
  const k = new Float64Array(n);
  const lp = lppd(ll, s, n);
  for (let i = 0; i < n; i++) {
    const c = column(ll, s, n, i);
    const w = psis(Float64Array.from(c, (v) => -v));
    k[i] = w.k;
    elpd[i] = logSumExp(Float64Array.from(c, (v, r) => v + w.logWeights[r]!));
  }
  const total = elpd.reduce((a, b) => a + b, 0);
  const threshold = paretoKThreshold(s);
  const badK = [...k.keys()].filter((i) => k[i]! > threshold);
  return {
    elpd: total, se: sumSe(elpd), pLoo: lp.reduce((a, b) => a + b, 0) - total, looic: -2 * total,
    pointwise: { elpd, k }, badK, kThreshold: threshold,
  };
}

/** WAIC (see the module comment). */
export function waic(ll: ArrayLike<number>, s: number, n: number): WaicResult {
  const lp = lppd(ll, s, n);
  const pointwise = new Float64Array(n);
  const highVariance: number[] = [];
  let pTotal = 0;
  for (let i = 0; i < n; i++) {
    const c = column(ll, s, n, i);
    const m = c.reduce((a, b) => a + b, 0) / s;
    const v = c.reduce((a, b) => a + (b - m) ** 2, 0) / (s - 1);
    if (v > 0.4) highVariance.push(i);
    pTotal += v;
    pointwise[i] = lp[i]! - v;
  }
  const elpd = pointwise.reduce((a, b) => a + b, 0);
  return { elpd, se: sumSe(pointwise), pWaic: pTotal, waic: -2 * elpd, pointwise, highVariance };
}

export interface ComparisonRow {
  readonly name: string;
  readonly elpd: number;
  readonly se: number;
  /** elpd − the best model's, and the standard error of that difference (0 for the best). */
  readonly elpdDiff: number;
  readonly seDiff: number;
}

/** Models on the same observations, best first, with differences to the best (as `loo_compare`). */
export function compareLoo(models: readonly { readonly name: string; readonly loo: LooResult }[]): ComparisonRow[] {
  if (models.length < 2) throw new RangeError("compare needs at least two models");
  const n = models[0]!.loo.pointwise.elpd.length;
  const other = models.find((m) => m.loo.pointwise.elpd.length !== n);
  if (other !== undefined) throw new RangeError(`the models are not fitted to the same observations: ${models[0]!.name} has ${n}, ${other.name} has ${other.loo.pointwise.elpd.length}`);
  const sorted = [...models].sort((a, b) => b.loo.elpd - a.loo.elpd);
  const best = sorted[0]!.loo.pointwise.elpd;
  return sorted.map((m, j) => ({
    name: m.name, elpd: m.loo.elpd, se: m.loo.se,
    elpdDiff: m.loo.elpd - sorted[0]!.loo.elpd,
    seDiff: j === 0 ? 0 : sumSe(Float64Array.from(m.loo.pointwise.elpd, (v, i) => v - best[i]!)),
  }));
}
