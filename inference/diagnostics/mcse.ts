/**
 * Monte Carlo standard errors of the mean, the standard deviation and quantiles.
 *
 * References: Vehtari et al. (2021), arXiv:1903.08008, section 4.4 (quantiles); Stan's
 * `stan/analyze/mcmc/mcse.hpp` and R posterior's `mcse_*` (definitions only).
 */
import { type Chains, isDegenerate, mapChains, mean, pooled, sortedDraws, variance } from "./chains.js";
import { essMean, essQuantile } from "./ess.js";
import { betaQuantile64 as betaQuantile } from "../../core/special-host.js";

/** MCSE of the mean: sd(x)/sqrt(ESS_mean), sd over all draws. */
export function mcseMean(chains: Chains): number {
  if (isDegenerate(chains)) return NaN;
  return Math.sqrt(variance(pooled(chains)) / essMean(chains));
}

/** Which ESS the delta-method MCSE of the sd uses. */
export type McseSdVariant = "stan" | "posterior";

/**
 * MCSE of the standard deviation by the delta method: with c = x − mean(x), E2 = mean(c²),
 * Var(ŝ²) ≈ (mean(c⁴) − E2²)/ESS and MCSE_sd = sqrt(Var(ŝ²)/(4·E2)).
 * `"stan"` (default) takes ESS = ESS_mean(|c|), as Stan's `mcse_sd` does and as its published
 * bern1..4 test values (lp__ 0.03553) require; `"posterior"` takes ESS_mean(c²), as R posterior
 * 1.4 does (lp__ 0.03089 on the same draws).
 */
export function mcseSd(chains: Chains, variant: McseSdVariant = "stan"): number {
  if (isDegenerate(chains)) return NaN;
  const m = mean(pooled(chains));
  const c2 = pooled(mapChains(chains, (x) => (x - m) ** 2));
  const e2 = mean(c2);
  let e4 = 0;
  for (let i = 0; i < c2.length; i++) e4 += c2[i]! * c2[i]!;
  e4 /= c2.length;
  let ess: number;
  switch (variant) {
    case "stan":
      ess = essMean(mapChains(chains, (x) => Math.abs(x - m)));
      break;
    case "posterior":
      ess = essMean(mapChains(chains, (x) => (x - m) ** 2));
      break;
    default: {
      const never: never = variant;
      throw new Error(`unknown MCSE variant ${String(never)}`);
    }
  }
  return Math.sqrt((e4 - e2 * e2) / ess / (4 * e2));
}

// Φ(−1) and Φ(1): the interval of ±1 standard error.
const LOWER = 0.1586553;
const UPPER = 0.8413447;

/**
 * MCSE of the p-quantile: with ESS_p the ESS of I[x ≤ q_p] and a₁, a₂ the Beta(ESS_p·p + 1,
 * ESS_p·(1−p) + 1) quantiles at Φ(∓1), MCSE = (x₍⌈a₂S⌉₎ − x₍⌊a₁S⌋₎)/2 on the S sorted draws
 * (indices clamped to 1…S).
 */
export function mcseQuantile(chains: Chains, p: number): number {
  if (isDegenerate(chains) || !(p > 0 && p < 1)) return NaN;
  const ess = essQuantile(chains, p);
  if (!Number.isFinite(ess)) return NaN;
  const a1 = betaQuantile(LOWER, ess * p + 1, ess * (1 - p) + 1);
  const a2 = betaQuantile(UPPER, ess * p + 1, ess * (1 - p) + 1);
  const sorted = sortedDraws(chains);
  const s = sorted.length;
  const lo = sorted[Math.max(Math.floor(a1 * s), 1) - 1]!;
  const hi = sorted[Math.min(Math.ceil(a2 * s), s) - 1]!;
  return (hi - lo) / 2;
}
