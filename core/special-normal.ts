/**
 * The error function and the standard normal distribution in float32 on tensors: erf, erfc,
 * Φ, log Φ, log(1 − Φ) and Φ⁻¹ (inference.md §8.5). tfjs's `erf` is the Abramowitz–Stegun
 * 7.1.26 approximation (≈1e-7 absolute), useless for tails; these keep relative accuracy.
 *
 * The tail uses the Chebyshev fit of Numerical Recipes (2nd ed., §6.2, `erfcc`):
 * erfc(x) = t·exp(−x² + P(t)), t = 1/(1 + x/2), fractional error < 1.2e-7 for all x ≥ 0
 * (re-checked against mpmath: 1.07e-7). In float32 the x² inside the exponential is the
 * dangerous part (its rounding error is multiplied by x²), so x is split as x = x_h + x_l with
 * x_h on a 1/16 grid, x_h² exact, and exp(−x²) = exp(−x_h²)·exp(−(x − x_h)(x + x_h)).
 */
import { tf } from "./engine.js";
import { expm1Value, log1pValue } from "./special-log.js";
import { poly, toFloat, unaryWithGrad, type Arg } from "./special-util.js";

const ERFCC = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398,
  1.48851587, -0.82215223, 0.17087277,
];
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
// erf(x) = (2/√π) Σ (−1)ⁿ x^{2n+1}/(n!(2n+1)), used for |x| < ½ where 1 − erfc cancels.
const ERF_SERIES = Array.from({ length: 8 }, (_, n) => {
  let factorial = 1;
  for (let i = 2; i <= n; i++) factorial *= i;
  return (TWO_OVER_SQRT_PI * (-1) ** n) / (factorial * (2 * n + 1));
});
const INV_SQRT_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
// Beyond this |x| erfc(x) is 0 in float32; clamping keeps ∞ − ∞ out of the split.
const ERFC_CLAMP = 20;
// |z| beyond which log Φ(−|z|) ≈ −z²/2 needs no split (and z_h² would not be exact).
const LOGCDF_CLAMP = 1e15;

/** Pieces of ½·erfc(a/√2) = Φ(−a) for a ≥ 0: t, P(t), and a²/2 = hi + lo with hi exact. */
function normalTail(a: tf.Tensor): { t: tf.Tensor; p: tf.Tensor; hi: tf.Tensor; lo: tf.Tensor } {
  const ah = tf.div(tf.round(tf.mul(a, 16)), 16);
  const hi = tf.mul(tf.square(ah), 0.5);
  const lo = tf.mul(tf.mul(tf.sub(a, ah), tf.add(a, ah)), 0.5);
  const t = tf.reciprocal(tf.add(tf.mul(a, 0.5 * INV_SQRT_2), 1));
  return { t, p: poly(t, ERFCC), hi, lo };
}

/** erfc(x) for x ≥ 0 (clamped), relative error ≈ 3e-7 in float32. */
function erfcPositive(x: tf.Tensor): tf.Tensor {
  const a = tf.minimum(x, ERFC_CLAMP);
  const ah = tf.div(tf.round(tf.mul(a, 16)), 16);
  const lo = tf.mul(tf.sub(a, ah), tf.add(a, ah));
  const t = tf.reciprocal(tf.add(tf.mul(a, 0.5), 1));
  return tf.mul(tf.mul(t, tf.exp(tf.neg(tf.square(ah)))), tf.exp(tf.sub(poly(t, ERFCC), lo)));
}

function erfValue(x: tf.Tensor): tf.Tensor {
  const a = tf.abs(x);
  const series = tf.mul(x, poly(tf.square(x), ERF_SERIES));
  const tail = tf.mul(tf.sign(x), tf.sub(1, erfcPositive(a)));
  return tf.where(tf.less(a, 0.5), series, tail);
}

function erfcValue(x: tf.Tensor): tf.Tensor {
  const e = erfcPositive(tf.abs(x));
  return tf.where(tf.less(x, 0), tf.sub(2, e), tf.where(tf.less(tf.abs(x), 0.5), tf.sub(1, erfValue(x)), e));
}

function gaussianBump(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.exp(tf.neg(tf.square(x))), TWO_OVER_SQRT_PI);
}

/**
 * The error function erf(x) = (2/√π) ∫₀ˣ e^{−t²} dt: Taylor series for |x| < ½, 1 − erfc(|x|)
 * (with sign) beyond. Float32 relative error ≈ 3e-7. Gradient (2/√π) e^{−x²}.
 */
export const erf = unaryWithGrad(erfValue, (x) => gaussianBump(x));

/**
 * The complementary error function erfc(x) = 1 − erf(x), relative accuracy ≈ 5e-7 in
 * float32 out to the underflow of float32 (x ≈ 9.2; erfc(9) = 4.1e-37); 2 − erfc(−x) for x < 0.
 * Gradient −(2/√π) e^{−x²}.
 */
export const erfc = unaryWithGrad(erfcValue, (x) => tf.neg(gaussianBump(x)));

/** Φ(−|z|) and log Φ(−|z|), with the pieces needed for the derivatives. */
function lowerTail(z: tf.Tensor): { q: tf.Tensor; logQ: tf.Tensor; t: tf.Tensor; p: tf.Tensor; hi: tf.Tensor; lo: tf.Tensor } {
  const a = tf.minimum(tf.abs(z), LOGCDF_CLAMP);
  const { t, p, hi, lo } = normalTail(a);
  const q = tf.mul(tf.mul(tf.mul(t, 0.5), tf.exp(tf.neg(hi))), tf.exp(tf.sub(p, lo)));
  const logQ = tf.add(tf.sub(tf.sub(tf.log(tf.mul(t, 0.5)), hi), lo), p);
  return { q, logQ, t, p, hi, lo };
}

function normalPdf(z: tf.Tensor): tf.Tensor {
  const { hi, lo } = normalTail(tf.minimum(tf.abs(z), LOGCDF_CLAMP));
  return tf.mul(tf.mul(tf.exp(tf.neg(hi)), tf.exp(tf.neg(lo))), INV_SQRT_2PI);
}

/**
 * Φ(z), the standard normal CDF: ½ erfc(|z|/√2) for z < 0 (relative accuracy ≈ 5e-7 down to
 * z ≈ −13, where float32 underflows), 1 − ½ erfc(z/√2) above. Gradient φ(z).
 */
export const normalCdf = unaryWithGrad(
  (z) => {
    const { q } = lowerTail(z);
    return tf.where(tf.less(z, 0), q, tf.sub(1, q));
  },
  (z) => normalPdf(z),
);

/**
 * log Φ(z), accurate in both tails: for z < 0 the logarithm of the erfc fit is taken term by
 * term, log Φ(z) = log(t/2) − z²/2 + P(t), so nothing underflows (relative error ≈ 3e-7 at
 * z = −30, and for z → −∞); for z ≥ 0, log1p(−Φ(−z)) (accurate to z ≈ 8 and beyond).
 * Gradient φ(z)/Φ(z): for z < 0 the Gaussian factors cancel exactly, φ/Φ = √(2/π)/(t e^{P(t)}).
 */
export const normalLogCdf = unaryWithGrad(
  (z) => {
    const { q, logQ } = lowerTail(z);
    const v = tf.where(tf.less(z, 0), logQ, log1pValue(tf.neg(q)));
    return tf.where(tf.equal(z, -Infinity), tf.fill(v.shape, -Infinity), v);
  },
  (z) => {
    const { q, t, p } = lowerTail(z);
    const left = tf.div(SQRT_2_OVER_PI, tf.mul(t, tf.exp(p)));
    const right = tf.div(normalPdf(z), tf.sub(1, q));
    return tf.where(tf.less(z, 0), left, right);
  },
);

/** log(1 − Φ(z)) = log Φ(−z), the log survival function (accurate in both tails). */
export function normalLogSf(z: Arg): tf.Tensor {
  return tf.tidy(() => normalLogCdf(tf.neg(toFloat(z))));
}

// Acklam's rational approximation to Φ⁻¹ (relative error 1.15e-9 in float64).
const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1, 1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416, 1];
const ACKLAM_LOW = 0.02425;
// The smallest normal float32 is 1.18e-38; below this p the quantile is clamped (Φ⁻¹(1e-37) = −12.8).
const SMALLEST_P = 1e-37;

function descending(c: readonly number[]): number[] {
  return [...c].reverse();
}

/** Φ⁻¹(p) for 0 < p ≤ ½ (the result is ≤ 0). */
function lowerQuantile(p: tf.Tensor): tf.Tensor {
  const q = tf.sub(p, 0.5);
  const r = tf.square(q);
  const central = tf.div(tf.mul(q, poly(r, descending(ACKLAM_A))), poly(r, descending(ACKLAM_B)));
  const s = tf.sqrt(tf.mul(tf.log(p), -2));
  const tail = tf.div(poly(s, descending(ACKLAM_C)), poly(s, descending(ACKLAM_D)));
  const x0 = tf.where(tf.less(p, ACKLAM_LOW), tail, central);
  // One Halley step on Φ(x) = p. u = (Φ(x0) − p)/φ(x0) = (Φ/φ)(1 − p/Φ), with p/Φ taken in
  // logs and Φ/φ from the erfc fit, so nothing overflows in the far tail.
  const { t, p: pt, logQ } = lowerTail(x0);
  const millsInverse = tf.div(tf.mul(t, tf.exp(pt)), SQRT_2_OVER_PI);
  const u = tf.mul(millsInverse, tf.neg(expm1Value(tf.sub(tf.log(p), logQ))));
  return tf.sub(x0, tf.div(u, tf.add(1, tf.mul(tf.mul(x0, u), 0.5))));
}

function probitValue(p: tf.Tensor): tf.Tensor {
  const upper = tf.greater(p, 0.5);
  const pl = tf.where(upper, tf.sub(1, p), p);
  const x = lowerQuantile(tf.maximum(pl, SMALLEST_P));
  const signed = tf.where(upper, tf.neg(x), x);
  const edges = tf.where(tf.equal(p, 0), tf.fill(signed.shape, -Infinity), tf.where(tf.equal(p, 1), tf.fill(signed.shape, Infinity), signed));
  return tf.where(tf.logicalOr(tf.less(p, 0), tf.greater(p, 1)), tf.fill(signed.shape, NaN), edges);
}

/**
 * Φ⁻¹(p), the standard normal quantile (probit), on the device: Acklam's rational
 * approximation in the lower half (p ↦ 1 − p by symmetry, exact in float32 for p ≥ ½), then
 * one Halley step against the accurate Φ above. ±∞ at p = 0, 1; NaN outside [0, 1]; p (or
 * 1 − p) below 1e-37 is treated as 1e-37.
 * Gradient 1/φ(Φ⁻¹(p)). For float64 see `normalQuantile64` in special-host.
 */
export const probit = unaryWithGrad(probitValue, (_p, x) =>
  tf.div(tf.exp(tf.mul(tf.square(x), 0.5)), INV_SQRT_2PI),
);
