/**
 * Effective sample size: Geyer's initial positive and initial monotone sequence estimators on
 * the multi-chain autocorrelation, with the antithetic improvement and the S·log10(S) cap.
 *
 * Reference: Vehtari et al. (2021), arXiv:1903.08008, section 3.2 and appendix A; Geyer (1992),
 * Statistical Science 7(4). Definitions in docs inference.md section 6.4.
 */
import { autocovariance } from "./autocovariance.js";
import { type Chains, drawsPerChain, isDegenerate, mapChains, mean, pooled, quantile, rankNormalize, splitChains, variance } from "./chains.js";

/**
 * ESS of chains taken as they are (no splitting, no rank normalisation): M chains of N draws,
 * ρ(t) = 1 − (W − mean_m γ_m(t))/var⁺, ESS = MN/τ with τ = −1 + 2Σ_{t<t_max} ρ̂(t) + ρ̂(t_max),
 * τ ≥ 1/log10(MN). NaN when N < 3 or the draws are non-finite or constant.
 */
export function essOfChains(chains: Chains): number {
  const n = drawsPerChain(chains);
  const m = chains.length;
  if (n < 3 || isDegenerate(chains)) return NaN;
  const acov = chains.map((c) => autocovariance(c));
  const meanAcov = (t: number): number => {
    let s = 0;
    for (const a of acov) s += a[t]!;
    return s / m;
  };
  const meanVar = (meanAcov(0) * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += variance(chains.map((c) => mean(c)));
  const rho = new Float64Array(n);
  const rhoAt = (t: number): number => 1 - (meanVar - meanAcov(t)) / varPlus;
  rho[0] = 1;
  let even = 1;
  let odd = rhoAt(1);
  rho[1] = odd;
  let t = 0;
  // Initial positive sequence: stop at the first pair whose sum is not positive.
  while (t < n - 5 && even + odd > 0 && !Number.isNaN(even + odd)) {
    t += 2;
    even = rhoAt(t);
    odd = rhoAt(t + 1);
    if (even + odd >= 0) {
      rho[t] = even;
      rho[t + 1] = odd;
    }
  }
  const tMax = t;
  // Antithetic improvement: keep the last positive even lag for the truncated sum.
  if (even > 0) rho[tMax] = even;
  // Initial monotone sequence on the pair sums.
  for (let k = 2; k <= tMax - 2; k += 2) {
    const prev = rho[k - 2]! + rho[k - 1]!;
    if (rho[k]! + rho[k + 1]! > prev) {
      rho[k] = prev / 2;
      rho[k + 1] = prev / 2;
    }
  }
  let sum = 0;
  for (let i = 0; i < tMax; i++) sum += rho[i]!;
  const s = m * n;
  const tau = Math.max(-1 + 2 * sum + rho[tMax]!, 1 / Math.log10(s));
  return s / tau;
}

/** Bulk-ESS: ESS of the rank-normalised split chains. NaN for constant or non-finite draws. */
export function essBulk(chains: Chains): number {
  if (isDegenerate(chains)) return NaN;
  return essOfChains(rankNormalize(splitChains(chains)));
}

/**
 * ESS of the indicator I[x ≤ q_p] (split chains), q_p the type-7 quantile of all draws: the ESS
 * that governs the Monte Carlo error of the p-quantile.
 */
export function essQuantile(chains: Chains, p: number): number {
  if (isDegenerate(chains)) return NaN;
  const q = quantile(pooled(chains), p);
  return essOfChains(splitChains(mapChains(chains, (x) => (x <= q ? 1 : 0))));
}

/** Tail-ESS: min of the quantile ESS at p = 0.05 and p = 0.95. */
export function essTail(chains: Chains): number {
  return Math.min(essQuantile(chains, 0.05), essQuantile(chains, 0.95));
}

/** ESS of the mean: ESS of the split chains without rank normalisation. */
export function essMean(chains: Chains): number {
  if (isDegenerate(chains)) return NaN;
  return essOfChains(splitChains(chains));
}
