/**
 * Calibration of predictive distributions (design/inference.md §5.4), on plain arrays:
 * - classifiers: the reliability diagram's bins (equal-width bins of the confidence, the
 *   predicted class's probability; per bin the mean confidence, the accuracy and the count)
 *   and the expected calibration error ECE = Σ_b (n_b / N)·|acc_b − conf_b| (Naeini et al.
 *   2015; Guo et al. 2017);
 * - regression: the coverage of central intervals, the fraction of observations inside their
 *   predictive interval at a given level, which a calibrated model makes close to the level.
 */
import { normalCdf64 } from "../../core/special-host.js";

export interface ReliabilityBins {
  /** Per bin (bin b covers confidences in (b/B, (b+1)/B]): mean confidence, accuracy, count. */
  readonly confidence: Float64Array;
  readonly accuracy: Float64Array;
  readonly count: Float64Array;
}

/**
 * Reliability bins from the confidences (the probability of the predicted class) and whether
 * each prediction was right. Empty bins have NaN confidence and accuracy.
 */
export function reliability(confidence: ArrayLike<number>, correct: ArrayLike<boolean>, bins = 10): ReliabilityBins {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const conf = new Float64Array(bins);
  const acc = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < confidence.length; i++) {
    const c = confidence[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    conf[b]! += c;
    acc[b]! += correct[i] ? 1 : 0;
    count[b]! += 1;
  }
  for (let b = 0; b < bins; b++) {
    conf[b] = count[b]! > 0 ? conf[b]! / count[b]! : NaN;
    acc[b] = count[b]! > 0 ? acc[b]! / count[b]! : NaN;
  }
  return { confidence: conf, accuracy: acc, count };
}

/** Expected calibration error of reliability bins. */
export function expectedCalibrationError(r: ReliabilityBins): number {
  const n = r.count.reduce((a, b) => a + b, 0);
  let e = 0;
  for (let b = 0; b < r.count.length; b++) if (r.count[b]! > 0) e += (r.count[b]! / n) * Math.abs(r.accuracy[b]! - r.confidence[b]!);
  return e;
}

/** The p-quantile of an equal-weight mixture of normals N(m_s, v_s), by bisection on its CDF. */
export function normalMixtureQuantile(means: ArrayLike<number>, variances: ArrayLike<number>, p: number): number {
  const s = means.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < s; j++) {
    const sd = Math.sqrt(variances[j]!);
    lo = Math.min(lo, means[j]! - 40 * sd);
    hi = Math.max(hi, means[j]! + 40 * sd);
  }
  const cdf = (x: number): number => {
    let c = 0;
    for (let j = 0; j < s; j++) c += normalCdf64((x - means[j]!) / Math.sqrt(variances[j]!));
    return c / s;
  };
  for (let it = 0; it < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo), Math.abs(hi)); it++) {
    const mid = 0.5 * (lo + hi);
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Linear-interpolation quantile (NumPy's default) of sorted values. */
export function sortedQuantile(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The fraction of `y[i]` inside `[lower[i], upper[i]]`. */
export function coverageOf(y: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  let inside = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! >= lower[i]! && y[i]! <= upper[i]!) inside++;
  return inside / y.length;
}
