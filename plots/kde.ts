/**
 * Gaussian kernel density estimate on a grid, with Silverman's rule-of-thumb bandwidth
 * h = 0.9 · min(sd, IQR / 1.34) · n^(−1/5) (Silverman 1986, eq. 3.31); `kdeBounded` adds a
 * reflection correction at a bound the draws keep to (0 for a scale, [0, 1] for a probability).
 */

/** Sample quantile with linear interpolation (type 7, R's default) of sorted values. */
function quantileSorted(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
}

/** Silverman's bandwidth of `xs` (a small positive number for constant draws). */
export function silvermanBandwidth(xs: readonly number[]): number {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(n - 1, 1));
  const sorted = [...xs].sort((a, b) => a - b);
  const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
  const spread = iqr > 0 ? Math.min(sd, iqr / 1.34) : sd;
  const h = 0.9 * spread * n ** -0.2;
  return h > 0 ? h : Math.max(Math.abs(mean) * 1e-3, 1e-6);
}

/** The estimate at `x`: (1 / (n h)) Σ φ((x − xᵢ) / h), φ the standard normal density. */
export function kdeAt(xs: readonly number[], x: number, bandwidth = silvermanBandwidth(xs)): number {
  let s = 0;
  for (const v of xs) s += Math.exp(-0.5 * ((x - v) / bandwidth) ** 2);
  return s / (xs.length * bandwidth * Math.sqrt(2 * Math.PI));
}

/** Density of `xs` at `points` points spanning [min − 3h, max + 3h]: `{ x, density }` rows. */
export function kde(xs: readonly number[], points = 128, bandwidth = silvermanBandwidth(xs)): { x: number; density: number }[] {
  const finite = xs.filter(Number.isFinite);
  if (finite.length === 0) return [];
  const h = bandwidth;
  const lo = Math.min(...finite) - 3 * h;
  const hi = Math.max(...finite) + 3 * h;
  return Array.from({ length: points }, (_, i) => {
    const x = lo + ((hi - lo) * i) / (points - 1);
    return { x, density: kdeAt(finite, x, h) };
  });
}

/**
 * Bounds for a boundary-corrected estimate, guessed from the draws: 0 below when every draw is
 * ≥ 0 (a scale, a rate), 0 above when every draw is ≤ 0, and 1 above when every draw lies in
 * [0, 1] (a probability). A bound is only used where a plain estimate would cross it (the data
 * come within 3h of it): far from a bound reflection changes nothing, and starting the grid at
 * a distant bound would waste its resolution.
 */
export function guessBounds(xs: readonly number[], bandwidth = silvermanBandwidth(xs)): { lower?: number; upper?: number } {
  const finite = xs.filter(Number.isFinite);
  if (finite.length === 0) return {};
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  // Constant draws: no interval to reflect in.
  if (min === max) return {};
  const near = 3 * bandwidth;
  const out: { lower?: number; upper?: number } = {};
  if (min >= 0 && min - near < 0) out.lower = 0;
  if (max <= 0 && max + near > 0) out.upper = 0;
  if (min >= 0 && max <= 1 && max + near > 1) out.upper = 1;
  return out;
}

/**
 * Reflection (boundary-corrected) estimate at `x` in [lower, upper]: each draw also contributes
 * its mirror images 2·lower − xᵢ and 2·upper − xᵢ, so the mass a Gaussian kernel would put past
 * a bound is folded back inside it and the estimate still integrates to 1 over [lower, upper]
 * (Silverman 1986, section 2.10; what ArviZ's `bound_correction` does).
 */
export function kdeReflectedAt(xs: readonly number[], x: number, bandwidth: number, lower?: number, upper?: number): number {
  if ((lower !== undefined && x < lower) || (upper !== undefined && x > upper)) return 0;
  let s = 0;
  for (const v of xs) {
    s += Math.exp(-0.5 * ((x - v) / bandwidth) ** 2);
    if (lower !== undefined) s += Math.exp(-0.5 * ((x - (2 * lower - v)) / bandwidth) ** 2);
    if (upper !== undefined) s += Math.exp(-0.5 * ((x - (2 * upper - v)) / bandwidth) ** 2);
  }
  return s / (xs.length * bandwidth * Math.sqrt(2 * Math.PI));
}

/**
 * Like `kde`, but with a reflection correction at the bounds `guessBounds` finds (or those
 * given): the grid stops at a bound instead of spilling past it, e.g. below 0 for a scale.
 */
export function kdeBounded(
  xs: readonly number[],
  points = 128,
  bounds?: { lower?: number; upper?: number },
  bandwidth = silvermanBandwidth(xs),
): { x: number; density: number }[] {
  const finite = xs.filter(Number.isFinite);
  if (finite.length === 0) return [];
  const h = bandwidth;
  const { lower, upper } = bounds ?? guessBounds(finite, h);
  const lo = Math.max(Math.min(...finite) - 3 * h, lower ?? -Infinity);
  const hi = Math.min(Math.max(...finite) + 3 * h, upper ?? Infinity);
  return Array.from({ length: points }, (_, i) => {
    const x = lo + ((hi - lo) * i) / (points - 1);
    return { x, density: kdeReflectedAt(finite, x, h, lower, upper) };
  });
}
