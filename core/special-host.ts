/**
 * Special functions in float64 on plain JS numbers, for host-side work: diagnostics
 * (chi-square p-values, MCSE of quantiles), samplers' bookkeeping, and tests. Relative
 * accuracy about 1e-14 unless a function says otherwise (checked against mpmath in
 * special-host.test.ts).
 *
 * References: DLMF 5.11.1 (Stirling), 5.11.2 (digamma), 5.5.3 (reflection); Numerical Recipes
 * (2nd ed.) §6.2 (incomplete gamma: series and Legendre continued fraction by the modified
 * Lentz method) and §6.4 (incomplete beta continued fraction); Acklam's rational
 * approximation to the normal quantile with Halley refinement; Stan's `lbeta` (inference.md §8.4).
 */

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT_PI = Math.sqrt(Math.PI);
const EPS = 1e-16;
const TINY = 1e-300;
// Stirling remainder δ(z) = Σ B₂ₖ/(2k(2k−1) z^{2k−1}) (DLMF 5.11.1), valid for z ≥ 10.
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400];

function sinPi(x: number): number {
  return Math.sin(Math.PI * (x - 2 * Math.round(x / 2)));
}

/** δ(z) = log Γ(z) − [(z − ½) log z − z + ½ log 2π] for z ≥ 10. */
export function stirlingRemainder64(z: number): number {
  const r2 = 1 / (z * z);
  let acc = 0;
  for (let i = STIRLING.length - 1; i >= 0; i--) acc = acc * r2 + STIRLING[i]!;
  return acc / z;
}

/**
 * log |Γ(x)|: for x > 0 shift to z ≥ 10 and use Stirling with its remainder (absolute error
 * ≈ 1e-15 below 10, relative ≈ 5e-16 above); reflection log(π/|sin πx|) − log Γ(1 − x) for
 * x < 0; +∞ at 0, −1, −2, ….
 */
export function lgamma64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) {
    if (Number.isInteger(x)) return Infinity;
    return Math.log(Math.PI / Math.abs(sinPi(x))) - lgamma64(1 - x);
  }
  if (x === Infinity) return Infinity;
  let z = x;
  let prod = 1;
  while (z < 10) {
    prod *= z;
    z += 1;
  }
  return (z - 0.5) * Math.log(z) - z + HALF_LOG_2PI + stirlingRemainder64(z) - Math.log(prod);
}

/**
 * ψ(x) = d log Γ(x)/dx: recurrence to z ≥ 10, then the asymptotic series to z⁻¹⁴ (absolute
 * error ≈ 1e-14); reflection ψ(x) = ψ(1 − x) − π/tan(πx) for x < 0.
 */
export function digamma64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) {
    if (Number.isInteger(x)) return NaN;
    return digamma64(1 - x) - Math.PI / Math.tan(Math.PI * (x - Math.round(x)));
  }
  let z = x;
  let acc = 0;
  while (z < 10) {
    acc += 1 / z;
    z += 1;
  }
  const r2 = 1 / (z * z);
  const c = [1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12];
  let series = 0;
  for (let i = c.length - 1; i >= 0; i--) series = series * r2 + c[i]!;
  return Math.log(z) - 0.5 / z - r2 * series - acc;
}

/** ψ₁(x) = dψ/dx: recurrence to z ≥ 10 and the asymptotic series (DLMF 5.15.8); reflection for x < 0. */
export function trigamma64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) {
    if (Number.isInteger(x)) return Infinity;
    const s = sinPi(x);
    return (Math.PI * Math.PI) / (s * s) - trigamma64(1 - x);
  }
  let z = x;
  let acc = 0;
  while (z < 10) {
    acc += 1 / (z * z);
    z += 1;
  }
  const r = 1 / z;
  const r2 = r * r;
  // 1/z + 1/(2z²) + Σ B₂ₖ/z^{2k+1}
  const b = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6];
  let series = 0;
  for (let i = b.length - 1; i >= 0; i--) series = series * r2 + b[i]!;
  return acc + r + 0.5 * r2 + r2 * r * series;
}

/** log B(a, b) for a, b > 0 by Stan's algorithm (inference.md §8.4), stable for extreme ratios. */
export function lbeta64(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  const x = Math.min(a, b);
  const y = Math.max(a, b);
  if (x === 0) return Infinity;
  if (y === Infinity) return -Infinity;
  if (y < 10) return lgamma64(x) + lgamma64(y) - lgamma64(x + y);
  const s = x + y;
  const r = x / s;
  const dys = stirlingRemainder64(y) - stirlingRemainder64(s);
  if (x < 10) return (y - 0.5) * Math.log1p(-r) + x * (1 - Math.log(s)) + lgamma64(x) + dys;
  return (x - 0.5) * Math.log(r) + y * Math.log1p(-r) + HALF_LOG_2PI - 0.5 * Math.log(y) + stirlingRemainder64(x) + dys;
}

/** exp(−x²) with x split so that the square's rounding error is not amplified (x ≥ 0). */
function expMinusSquare(x: number): number {
  const xh = Math.round(x * 4096) / 4096;
  return Math.exp(-xh * xh) * Math.exp(-(x - xh) * (x + xh));
}

/** erf by its Taylor series, for |x| ≤ 1.25 (alternating, mild cancellation). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < EPS * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}

/**
 * erfc(x)·exp(x²)·√π/x for x > 1.2 as the continued fraction of Q(½, x²) (NR §6.2 `gcf`,
 * modified Lentz).
 */
function erfcFraction(x: number): number {
  return gammaFraction(0.5, x * x);
}

/** erfc(x) = 1 − erf(x), with relative accuracy ≈ 1e-15 in the upper tail (to x ≈ 27). */
export function erfc64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc64(-x);
  if (x < 1.25) return 1 - erfSeries(x);
  if (x > 27.3) return 0;
  return (expMinusSquare(x) * x * erfcFraction(x)) / SQRT_PI;
}

/** The error function, relative accuracy ≈ 1e-15. */
export function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) < 1.25) return erfSeries(x);
  return x > 0 ? 1 - erfc64(x) : erfc64(-x) - 1;
}

/** Φ(z), the standard normal CDF: ½ erfc(−z/√2), relative accuracy ≈ 1e-14 in the lower tail. */
export function normalCdf64(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z >= 0) return 1 - 0.5 * erfc64(z / Math.SQRT2);
  const a = -z;
  const x = a / Math.SQRT2;
  if (x < 1.25) return 0.5 * erfc64(x);
  if (x > 27.3) return 0;
  // exp(−z²/2) split on z itself, so that z/√2's rounding does not reach the exponent
  const ah = Math.round(a * 4096) / 4096;
  const gauss = Math.exp(-0.5 * ah * ah) * Math.exp(-0.5 * (a - ah) * (a + ah));
  return (0.5 * gauss * x * erfcFraction(x)) / SQRT_PI;
}

const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function horner(c: readonly number[], t: number): number {
  let acc = 0;
  for (const v of c) acc = acc * t + v;
  return acc;
}

/** Φ⁻¹(p) for 0 < p ≤ ½. */
function lowerNormalQuantile(p: number): number {
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = horner(ACKLAM_C, q) / (horner(ACKLAM_D, q) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = (horner(ACKLAM_A, r) * q) / (horner(ACKLAM_B, r) * r + 1);
  }
  // Halley steps on Φ(x) = p (Acklam's refinement); one already gives full float64 accuracy
  for (let i = 0; i < 2; i++) {
    const e = normalCdf64(x) - p;
    const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
    const next = x - u / (1 + 0.5 * x * u);
    if (!Number.isFinite(next)) break;
    x = next;
  }
  return x;
}

/**
 * log Φ(z): log of normalCdf64 where Φ(z) is resolved, and below z = −37 (where it
 * underflows) the asymptotic series −z²/2 − log(−z) − ½ log 2π + log(1 − 1/z² + 3/z⁴ − 15/z⁶).
 */
export function normalLogCdf64(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z > -37) return z > 5 ? Math.log1p(-normalCdf64(-z)) : Math.log(normalCdf64(z));
  const r = 1 / (z * z);
  return -0.5 * z * z - Math.log(-z) - HALF_LOG_2PI + Math.log1p(r * (-1 + r * (3 - 15 * r)));
}

/** d/dz log Φ(z) = φ(z)/Φ(z) (the inverse Mills ratio of −z), from the same log Φ. */
export function normalLogCdfDerivative64(z: number): number {
  return Math.exp(-0.5 * z * z - HALF_LOG_2PI - normalLogCdf64(z));
}

/**
 * Φ⁻¹(p), the standard normal quantile: Acklam's rational approximation (relative error
 * 1.15e-9) refined by Halley steps against `normalCdf64`; relative accuracy ≈ 1e-15 for p
 * down to 1e-300. Upper half by symmetry with 1 − p (exact for p ≥ ½). ±∞ at 0 and 1.
 */
export function normalQuantile64(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  return p > 0.5 ? -lowerNormalQuantile(1 - p) : lowerNormalQuantile(p);
}

/** log(x^a e^{−x}/Γ(a)), the prefactor of the incomplete gamma function, without cancellation for large a. */
function gammaLogPrefactor(a: number, x: number): number {
  if (a < 10) return a * Math.log(x) - x - lgamma64(a);
  const u = (x - a) / a;
  return a * (Math.log1p(u) - u) + 0.5 * Math.log(a / (2 * Math.PI)) - stirlingRemainder64(a);
}

/** Σ series of P(a, x) without its prefactor (NR `gser`), for x < a + 1. */
function gammaSeries(a: number, x: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  for (let n = 0; n < 100000; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum;
}

/** The continued fraction of Q(a, x) without its prefactor (NR `gcf`, modified Lentz), for x ≥ a + 1. */
function gammaFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** P(a, x) = γ(a, x)/Γ(a), the regularised lower incomplete gamma function (a > 0, x ≥ 0). */
export function gammaP64(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  const pre = Math.exp(gammaLogPrefactor(a, x));
  return x < a + 1 ? pre * gammaSeries(a, x) : 1 - pre * gammaFraction(a, x);
}

/** Q(a, x) = 1 − P(a, x), the regularised upper incomplete gamma function, accurate in the upper tail. */
export function gammaQ64(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  const pre = Math.exp(gammaLogPrefactor(a, x));
  return x < a + 1 ? 1 - pre * gammaSeries(a, x) : pre * gammaFraction(a, x);
}

/** The chi-square survival function P(X > x) for k degrees of freedom: Q(k/2, x/2). */
export function chiSquareSf64(x: number, k: number): number {
  if (x <= 0) return 1;
  return gammaQ64(k / 2, x / 2);
}

/** The continued fraction of I_x(a, b) (NR §6.4 `betacf`, modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 100000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/**
 * I_x(a, b), the regularised incomplete beta function (the Beta(a, b) CDF at x), by the
 * continued fraction on whichever side converges fast (x < (a + 1)/(a + b + 2) or its mirror).
 */
export function incBeta64(a: number, b: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(x) || a <= 0 || b <= 0) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - lbeta64(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaFraction(b, a, 1 - x)) / b;
}

/**
 * The Beta(a, b) quantile: x with I_x(a, b) = p, by Newton steps on I_x(a, b) − p kept
 * inside a shrinking bisection bracket (relative accuracy ≈ 1e-13 or better).
 */
export function betaQuantile64(p: number, a: number, b: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(a > 0) || !(b > 0)) return NaN;
  if (p === 0) return 0;
  if (p === 1) return 1;
  const lb = lbeta64(a, b);
  let lo = 0;
  let hi = 1;
  let x = a / (a + b);
  for (let i = 0; i < 2000; i++) {
    const f = incBeta64(a, b, x) - p;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const density = Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lb);
    let next = x - f / density;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - x) <= 1e-15 * x || hi - lo <= 1e-16 * hi) return next;
    x = next;
  }
  return x;
}
