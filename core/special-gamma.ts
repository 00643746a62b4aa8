/**
 * The gamma family in float32 on tensors (inference.md §8.1, §8.2, §8.4): lgamma, digamma,
 * trigamma, lbeta. Elementwise, broadcasting, differentiable with the analytic
 * derivatives (lgamma′ = ψ, ψ′ = ψ₁, ψ₁′ = ψ₂).
 */
import { tf } from "./engine.js";
import { log1pValue } from "./special-log.js";
import { binaryWithGrad, poly, toFloat, unaryWithGrad, type Arg } from "./special-util.js";
import { fusedSpecial, type SpecialFunctionName } from "./fused-special.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
// Numerical Recipes (2nd ed., §6.1) gammln: Lanczos-type series with γ = 5, six terms.
const NR_GAMMLN = [
  76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155,
  0.1208650973866179e-2, -0.5395239384953e-5,
];
// Shift by 6 before the asymptotic series of ψ, ψ₁, ψ₂ (inference.md §8.2: z_min = 6 in float32).
const SHIFT = 6;

/** log Γ(x) for x > 0 by NR `gammln` (float32 error ≈ 1.2e-6 absolute below 10, 2e-7 relative above). */
function lgammaPositive(x: tf.Tensor): tf.Tensor {
  let s: tf.Tensor = tf.scalar(1.000000000190015);
  NR_GAMMLN.forEach((c, j) => {
    s = tf.add(s, tf.div(c, tf.add(x, j + 1)));
  });
  const t = tf.add(x, 5.5);
  return tf.add(
    tf.sub(tf.mul(tf.add(x, 0.5), tf.log(t)), t),
    tf.log(tf.div(tf.mul(s, 2.5066282746310005), x)),
  );
}

// x reduced to [−1, 1] (sin and cos have period 2 in πx) without losing the fraction.
function reducePeriod2(x: tf.Tensor): tf.Tensor {
  return tf.sub(x, tf.mul(tf.round(tf.div(x, 2)), 2));
}
function sinPi(x: tf.Tensor): tf.Tensor {
  return tf.sin(tf.mul(reducePeriod2(x), Math.PI));
}
// cos(πr) = sin(π(½ − |r|)): exactly 0 at half-integers, where cos(π·fl(r)) is not.
function cosPi(x: tf.Tensor): tf.Tensor {
  return tf.sin(tf.mul(tf.sub(0.5, tf.abs(reducePeriod2(x))), Math.PI));
}
function tanPi(x: tf.Tensor): tf.Tensor {
  return tf.tan(tf.mul(tf.sub(x, tf.round(x)), Math.PI));
}

/** Σ_{i<6} (x + i)^{−p}: what the shift x → x + 6 moves out of ψ^{(p−1)}. */
function shiftSum(x: tf.Tensor, power: 1 | 2 | 3): tf.Tensor {
  let acc: tf.Tensor | undefined;
  for (let i = 0; i < SHIFT; i++) {
    const z = i === 0 ? x : tf.add(x, i);
    const term = tf.reciprocal(power === 1 ? z : power === 2 ? tf.square(z) : tf.mul(tf.square(z), z));
    acc = acc === undefined ? term : tf.add(acc, term);
  }
  return acc!;
}

/** ψ(z) − log z by the asymptotic series (DLMF 5.11.2), for z ≥ 6. */
function digammaMinusLogSeries(z: tf.Tensor): tf.Tensor {
  const r = tf.reciprocal(z);
  const r2 = tf.square(r);
  return tf.neg(tf.add(tf.mul(r, 0.5), tf.mul(r2, poly(r2, [1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132]))));
}

function digammaPositive(x: tf.Tensor): tf.Tensor {
  const z = tf.add(x, SHIFT);
  return tf.sub(tf.add(tf.log(z), digammaMinusLogSeries(z)), shiftSum(x, 1));
}

function trigammaPositive(x: tf.Tensor): tf.Tensor {
  const z = tf.add(x, SHIFT);
  const r = tf.reciprocal(z);
  const r2 = tf.square(r);
  // ψ₁(z) ≈ 1/z + 1/(2z²) + (1/z³)(1/6 − 1/(30z²) + 1/(42z⁴) − 1/(30z⁶))
  const tail = tf.mul(tf.mul(r2, r), poly(r2, [1 / 6, -1 / 30, 1 / 42, -1 / 30]));
  return tf.add(tf.add(tf.add(r, tf.mul(r2, 0.5)), tail), shiftSum(x, 2));
}

function tetragammaPositive(x: tf.Tensor): tf.Tensor {
  const z = tf.add(x, SHIFT);
  const r = tf.reciprocal(z);
  const r2 = tf.square(r);
  // ψ₂(z) ≈ −1/z² − 1/z³ − 1/(2z⁴) + 1/(6z⁶) − 1/(6z⁸) + 3/(10z¹⁰) − 5/(6z¹²)
  const head = tf.neg(tf.add(r2, tf.mul(tf.mul(r2, r), tf.add(1, tf.mul(r, 0.5)))));
  const tail = tf.mul(tf.mul(tf.square(r2), r2), poly(r2, [1 / 6, -1 / 6, 3 / 10, -5 / 6]));
  return tf.sub(tf.add(head, tail), tf.mul(shiftSum(x, 3), 2));
}

/**
 * Evaluate `positive` at x for x ≥ 0 and at 1 − x for x < 0, then combine by `reflect`
 * (which sees x and the value at 1 − x) where x < 0.
 */
function withReflection(
  x: tf.Tensor,
  positive: (x: tf.Tensor) => tf.Tensor,
  reflect: (x: tf.Tensor, atOneMinusX: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  const negative = tf.less(x, 0);
  const core = positive(tf.where(negative, tf.sub(1, x), x));
  return tf.where(negative, reflect(x, core), core);
}

function lgammaValue(x: tf.Tensor): tf.Tensor {
  // log Γ(x) = log(π/|sin πx|) − log Γ(1 − x)
  return withReflection(x, lgammaPositive, (v, c) => tf.sub(tf.log(tf.div(Math.PI, tf.abs(sinPi(v)))), c));
}
function digammaValue(x: tf.Tensor): tf.Tensor {
  // ψ(x) = ψ(1 − x) − π/tan(πx)
  return withReflection(x, digammaPositive, (v, c) => tf.sub(c, tf.div(Math.PI, tanPi(v))));
}
function trigammaValue(x: tf.Tensor): tf.Tensor {
  // ψ₁(x) = π²/sin²(πx) − ψ₁(1 − x)
  return withReflection(x, trigammaPositive, (v, c) =>
    tf.sub(tf.div(Math.PI * Math.PI, tf.square(sinPi(v))), c),
  );
}
function tetragammaValue(x: tf.Tensor): tf.Tensor {
  // ψ₂(x) = ψ₂(1 − x) − 2π³ cos(πx)/sin³(πx)
  return withReflection(x, tetragammaPositive, (v, c) => {
    const s = sinPi(v);
    return tf.sub(c, tf.div(tf.mul(cosPi(v), 2 * Math.PI ** 3), tf.mul(tf.square(s), s)));
  });
}

/**
 * log Γ(x), elementwise; on cpu and wasm (up to SPECIAL_HOST_MAX_SIZE) by the float64 kernel of
 * fused-special.ts, elsewhere composed as follows. For x > 0 the NR `gammln` series (γ = 5, 6 terms; inference.md §8.1):
 * float32 error about 1.2e-6 absolute where |log Γ| < 1 and 2e-7 relative above x = 10; for
 * negative non-integers the reflection log Γ(x) = log(π/|sin πx|) − log Γ(1 − x) (+∞ at the
 * poles 0, −1, −2, …). Gradient: ψ(x).
 */
export const lgamma = (x: Arg): tf.Tensor => withFused("lgamma", x, lgammaComposed);
/** `lgamma` composed from tfjs ops, for any backend and size (exported for tests and benchmarks). */
export const lgammaComposed = unaryWithGrad(lgammaValue, (x) => digammaValue(x));

/**
 * The digamma function ψ(x) = d log Γ(x)/dx (fused like `lgamma` where that applies): ψ(x) = ψ(x + 6) − Σ_{i<6} 1/(x + i) with the
 * asymptotic series (DLMF 5.11.2) at x + 6; reflection ψ(x) = ψ(1 − x) − π/tan(πx) for x < 0.
 * Float32 error ≈ 1e-6 absolute near the root x ≈ 1.4616, ≈ 1e-6 relative elsewhere. Gradient ψ₁.
 */
export const digamma = (x: Arg): tf.Tensor => withFused("digamma", x, digammaComposed);
const digammaComposed = unaryWithGrad(digammaValue, (x) => trigammaValue(x));

/**
 * The fused float64 host kernel (fused-special.ts) where it applies (cpu, wasm up to its size
 * limit), else the float32 composition of this file. The kernel's results are exact to
 * float32 rounding; its gradient has no gradient of its own (no second derivatives).
 */
function withFused(fn: SpecialFunctionName, x: Arg, composed: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const xt = toFloat(x);
    return fusedSpecial(fn, xt) ?? composed(xt);
  });
}

/**
 * The trigamma function ψ₁(x) = dψ/dx: ψ₁(x) = ψ₁(x + 6) + Σ_{i<6} 1/(x + i)² with the
 * asymptotic series at x + 6 (DLMF 5.15.8); reflection ψ₁(x) = π²/sin²(πx) − ψ₁(1 − x) for
 * x < 0. Gradient ψ₂ (tetragamma, same construction).
 */
export const trigamma = unaryWithGrad(trigammaValue, (x) => tetragammaValue(x));

/**
 * δ(z) = log Γ(z) − [(z − ½) log z − z + ½ log 2π], the Stirling remainder, by its series
 * 1/(12z) − 1/(360z³) + 1/(1260z⁵) − 1/(1680z⁷) (DLMF 5.11.1); valid for z ≥ 10.
 */
function stirlingRemainder(z: tf.Tensor): tf.Tensor {
  const r = tf.reciprocal(z);
  return tf.mul(r, poly(tf.square(r), [1 / 12, -1 / 360, 1 / 1260, -1 / 1680]));
}

function lbetaValue(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const x = tf.minimum(a, b);
  const y = tf.maximum(a, b);
  const s = tf.add(x, y);
  const lgx = lgammaPositive(x);
  const small = tf.sub(tf.add(lgx, lgammaPositive(y)), lgammaPositive(s));
  const r = tf.div(x, s);
  const log1mR = log1pValue(tf.neg(r));
  const dys = tf.sub(stirlingRemainder(y), stirlingRemainder(s));
  // x < 10 ≤ y: (y − ½) log1m(r) + x (1 − log s) + log Γ(x) + δ(y) − δ(s)
  const mid = tf.add(
    tf.add(tf.mul(tf.sub(y, 0.5), log1mR), tf.mul(x, tf.sub(1, tf.log(s)))),
    tf.add(lgx, dys),
  );
  // both ≥ 10: (x − ½) log r + y log1m(r) + ½ log 2π − ½ log y + δ(x) + δ(y) − δ(s)
  const big = tf.add(
    tf.add(tf.mul(tf.sub(x, 0.5), tf.log(r)), tf.mul(y, log1mR)),
    tf.add(tf.sub(HALF_LOG_2PI, tf.mul(tf.log(y), 0.5)), tf.add(stirlingRemainder(x), dys)),
  );
  const value = tf.where(tf.less(y, 10), small, tf.where(tf.less(x, 10), mid, big));
  const atInfinity = tf.where(tf.equal(y, Infinity), tf.fill(value.shape, -Infinity), value);
  return tf.where(tf.equal(x, 0), tf.fill(value.shape, Infinity), atInfinity);
}

/**
 * ψ(y) − ψ(y + x) for x, y > 0 with relative accuracy even when x ≪ y (where the two ψ are
 * nearly equal). Shifting both by 6 turns the difference of the shifted-out terms into
 * x·Σᵢ 1/((y + i)(y + x + i)); at Y = y + 6, S = Y + x the asymptotic series gives
 * log(Y/S) − x/(2YS) − x(Y + S)/(12Y²S²) + (1/120)(Y⁻⁴ − S⁻⁴) − (1/252)(Y⁻⁶ − S⁻⁶).
 */
function digammaDifference(y: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const s = tf.add(y, x);
  let shifted: tf.Tensor | undefined;
  for (let i = 0; i < SHIFT; i++) {
    const term = tf.reciprocal(tf.mul(i === 0 ? y : tf.add(y, i), i === 0 ? s : tf.add(s, i)));
    shifted = shifted === undefined ? term : tf.add(shifted, term);
  }
  const big = tf.add(y, SHIFT);
  const bigS = tf.add(s, SHIFT);
  const q = tf.div(big, bigS);
  const logQ = tf.where(tf.less(q, 0.5), tf.log(q), log1pValue(tf.neg(tf.div(x, bigS))));
  const ry = tf.reciprocal(big);
  const rs = tf.reciprocal(bigS);
  const rys = tf.mul(ry, rs);
  const leading = tf.mul(tf.mul(x, rys), tf.add(0.5, tf.mul(tf.add(ry, rs), 1 / 12)));
  const pow = (r: tf.Tensor, k: number) => tf.pow(r, k);
  const higher = tf.sub(
    tf.mul(tf.sub(pow(ry, 4), pow(rs, 4)), 1 / 120),
    tf.mul(tf.sub(pow(ry, 6), pow(rs, 6)), 1 / 252),
  );
  return tf.sub(tf.add(tf.sub(logQ, leading), higher), tf.mul(x, shifted!));
}

/**
 * log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b) for a, b > 0, by Stan's algorithm
 * (inference.md §8.4): with x = min, y = max, the Stirling remainders δ replace the large
 * log Γ terms so that nothing large cancels (lbeta(1, 1e4) to ~1e-7). +∞ if either is 0.
 * Broadcasts. Gradient: ∂a = ψ(a) − ψ(a + b), ∂b = ψ(b) − ψ(a + b), each evaluated as a
 * difference in one piece (`digammaDifference`) so that it keeps its relative accuracy when
 * one argument is much smaller than the other.
 */
export const lbeta = binaryWithGrad(lbetaValue, (a, b) => [digammaDifference(a, b), digammaDifference(b, a)]);
