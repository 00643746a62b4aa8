/**
 * Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018, arXiv
 * 1804.06788): for replicates n = 1 … N, draw θ̃ₙ from the prior and data yₙ given θ̃ₙ, take L
 * (roughly independent) posterior draws θₙ₁ … θₙL given yₙ, and form the rank
 * rₙ = #{l : θₙₗ < θ̃ₙ} ∈ {0, …, L}. If the sampler is right, rₙ is uniform on {0, …, L}
 * (their Theorem 1), whatever the model. Ranks are binned into B equal bins and tested with
 * Pearson's chi-square against the uniform histogram.
 */
import { chiSquareSf64 } from "../../core/special-host.js";

/** The rank of `truth` among `draws`: #{l : draws[l] < truth} ∈ {0, …, draws.length}. */
export function rankOf(truth: number, draws: ArrayLike<number>): number {
  let r = 0;
  for (let l = 0; l < draws.length; l++) if (draws[l]! < truth) r++;
  return r;
}

/** Result of a uniformity test of ranks. */
export interface UniformityTest {
  /** Counts per bin. */
  readonly counts: readonly number[];
  /** Pearson's X² = Σ_b (n_b − N/B)² / (N/B). */
  readonly statistic: number;
  /** Degrees of freedom, B − 1. */
  readonly df: number;
  /** P(χ²_{B−1} > X²). */
  readonly pValue: number;
}

/**
 * Chi-square test that ranks in {0, …, L} are uniform, over `bins` bins of (L + 1)/bins ranks
 * each (`bins` must divide L + 1 so that every bin has the same probability).
 */
export function rankUniformity(ranks: readonly number[], L: number, bins: number): UniformityTest {
  if ((L + 1) % bins !== 0) throw new RangeError(`${bins} bins do not divide the ${L + 1} possible ranks`);
  const width = (L + 1) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const r of ranks) {
    if (!(Number.isInteger(r) && r >= 0 && r <= L)) throw new RangeError(`rank ${r} outside 0 … ${L}`);
    counts[Math.floor(r / width)]!++;
  }
  const expected = ranks.length / bins;
  const statistic = counts.reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
  return { counts, statistic, df: bins - 1, pValue: chiSquareSf64(statistic, bins - 1) };
}
