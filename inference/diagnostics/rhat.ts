/**
 * Rank-normalised split R̂ (Vehtari et al. 2021, arXiv:1903.08008, section 4.3): the maximum
 * of the bulk R̂ (rank-normalised split chains) and the tail R̂ (the same on the folded draws
 * |x − median|).
 */
import { type Chains, drawsPerChain, isDegenerate, mapChains, mean, pooled, quantile, rankNormalize, splitChains, variance } from "./chains.js";

/**
 * Classic R̂ of chains taken as they are: W = mean of the chain variances, var⁺ =
 * ((N−1)/N)·W + var(chain means), R̂ = sqrt(var⁺/W). Gelman & Rubin (1992); BDA3 section 11.4.
 */
export function rhatBasic(chains: Chains): number {
  const n = drawsPerChain(chains);
  if (n < 2 || chains.length < 2 || isDegenerate(chains)) return NaN;
  const w = mean(chains.map((c) => variance(c)));
  const b = variance(chains.map((c) => mean(c)));
  return Math.sqrt((((n - 1) / n) * w + b) / w);
}

/** Bulk R̂: classic R̂ of the rank-normalised split chains. */
export function rhatBulk(chains: Chains): number {
  if (isDegenerate(chains)) return NaN;
  return rhatBasic(rankNormalize(splitChains(chains)));
}

/** Tail R̂: bulk R̂ of the folded draws |x − median(x)|. */
export function rhatTail(chains: Chains): number {
  if (isDegenerate(chains)) return NaN;
  const med = quantile(pooled(chains), 0.5);
  return rhatBulk(mapChains(chains, (x) => Math.abs(x - med)));
}

/** R̂ = max(bulk R̂, tail R̂); NaN for constant or non-finite draws. Threshold: < 1.01. */
export function rhat(chains: Chains): number {
  return Math.max(rhatBulk(chains), rhatTail(chains));
}
