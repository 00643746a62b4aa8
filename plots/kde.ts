/**
 * Gaussian kernel density estimate on a grid, with Silverman's rule-of-thumb bandwidth
 * h = 0.9 · min(sd, IQR / 1.34) · n^(−1/5) (Silverman 1986, eq. 3.31).
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
