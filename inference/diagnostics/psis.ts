/**
 * Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao & Gabry 2024, JMLR 25(72)),
 * as R's loo package (2.5) computes it, so that our elpd_loo and k̂ match its: the
 * M = ⌈min(0.2·S, 3·√S)⌉ largest log-weights (M ≥ 5) are replaced by the expected order
 * statistics of a generalized Pareto distribution fitted to their exceedances over the
 * (M+1)-th largest (Zhang & Stephens 2009, with the weakly informative prior that shrinks k̂
 * toward 0.5 with weight 10/(M + 10)), and no weight may exceed the largest raw one (loo 2's
 * truncation; loo 1 truncated at S^(3/4)·mean(w) instead). k̂ is the fitted shape: below
 * min(1 − 1/log10(S), 0.7) the smoothed estimate is reliable. Used by loo (the ratios are
 * −log-likelihoods of one observation) and by VI's check of q (log p̃ − log q).
 */

export interface PsisResult {
  /** Smoothed log-weights (same order as the input), normalised so that Σ exp = 1. */
  readonly logWeights: Float64Array;
  /** The generalized Pareto shape of the tail; NaN when the tail is too short to fit. */
  readonly k: number;
}

/** The k̂ threshold above which PSIS estimates from S draws are unreliable. */
export function paretoKThreshold(s: number): number {
  return Math.min(1 - 1 / Math.log10(s), 0.7);
}

function logSumExp(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i]! > m) m = x[i]!;
  if (!Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i]! - m);
  return m + Math.log(s);
}

/**
 * Zhang & Stephens (2009) estimate of the generalized Pareto (k, σ) from sorted exceedances
 * (ascending, all > 0), in the parameterisation with tail shape k > 0 heavy.
 */
export function gpdFit(x: readonly number[]): { k: number; sigma: number } {
  const n = x.length;
  const prior = 3;
  const m = 30 + Math.floor(Math.sqrt(n));
  const xstar = x[Math.floor(n / 4 + 0.5) - 1]!; // first quartile
  const xmax = x[n - 1]!;
  const theta = new Float64Array(m);
  for (let j = 1; j <= m; j++) theta[j - 1] = 1 / xmax + (1 - Math.sqrt(m / (j - 0.5))) / (prior * xstar);
  // Profile log-likelihood of each θ, then posterior-mean θ under uniform weights.
  const lx = new Float64Array(m);
  // Zhang & Stephens' profile log-likelihood ℓ(θ) = n(log(θ/k) + k − 1), k = −mean log(1 − θx).
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (const v of x) s += Math.log1p(-theta[j]! * v);
    const k = -s / n;
    lx[j] = n * (Math.log(theta[j]! / k) + k - 1);
  }
  const w = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += Math.exp(lx[i]! - lx[j]!);
    w[j] = 1 / s;
  }
  let thetaHat = 0;
  for (let j = 0; j < m; j++) thetaHat += theta[j]! * w[j]!;
  // The shape in the heavy-tail-positive convention: k = mean log(1 − θ̂x), σ = −k/θ̂.
  let s = 0;
  for (const v of x) s += Math.log1p(-thetaHat * v);
  let k = s / n;
  const sigma = -k / thetaHat;
  // The weakly informative prior of the 2024 paper: shrink toward 0.5.
  k = (k * n + 0.5 * 10) / (n + 10);
  return { k, sigma };
}

/** The GPD quantile function with location 0. */
function gpdQuantile(p: number, k: number, sigma: number): number {
  return k === 0 ? -sigma * Math.log1p(-p) : (sigma * (Math.pow(1 - p, -k) - 1)) / k;
}

/** Pareto-smoothed log-weights of `logRatios` (any finite or −∞ values; S = their count). */
export function psis(logRatios: ArrayLike<number>): PsisResult {
  const s = logRatios.length;
  const lw = Float64Array.from(logRatios);
  let max = -Infinity;
  for (const v of lw) if (v > max) max = v;
  for (let i = 0; i < s; i++) lw[i] = lw[i]! - max;
  const m = Math.ceil(Math.min(0.2 * s, 3 * Math.sqrt(s)));
  let k = NaN;
  if (m >= 5 && m < s) {
    const order = Array.from({ length: s }, (_, i) => i).sort((a, b) => lw[a]! - lw[b]!);
    const cutoff = lw[order[s - m - 1]!]!;
    const tail = order.slice(s - m);
    const expCut = Math.exp(cutoff);
    const exceed = tail.map((i) => Math.exp(lw[i]!) - expCut);
    const flat = Math.abs(lw[tail[m - 1]!]! - lw[tail[0]!]!) < Number.EPSILON / 100;
    if (Number.isFinite(cutoff) && !flat) {
      const fit = gpdFit(exceed);
      k = fit.k;
      if (Number.isFinite(k)) {
        // Replace the tail by the expected order statistics, never above the largest raw weight (0 after the shift).
        tail.forEach((i, j) => {
          const q = gpdQuantile((j + 0.5) / m, fit.k, fit.sigma);
          lw[i] = Math.min(Math.log(q + expCut), 0);
        });
      }
    }
  }
  const z = logSumExp(lw);
  for (let i = 0; i < s; i++) lw[i] = lw[i]! - z;
  return { logWeights: lw, k };
}
