/**
 * Accurate float32 logarithms and exponentials for log densities (inference.md §8.3).
 *
 * tfjs's own `log1p` is `log(1 + x)` on the wasm and WebGL backends (log1p(1e-8) = 0), so every
 * function here that needs log1p uses the series form below. All functions are elementwise
 * over tensors of any shape (binary ones broadcast), accept numbers, and carry analytic
 * gradients.
 */
import { tf } from "./engine.js";
import { binaryWithGrad, poly, toFloat, unaryWithGrad, type Arg } from "./special-util.js";
import { fusedLogSumExp } from "./fused-logsumexp.js";

const LN2 = Math.LN2;

// 2·atanh(s) = 2s·(1 + s²/3 + s⁴/5 + …): with s = x/(2 + x) this is log1p(x).
const ATANH_SERIES = [1, 1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11];
// eˣ − 1 = x·(1 + x/2! + x²/3! + … + x⁸/9!)
const EXPM1_SERIES = [1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320, 1 / 362880];

/** log1p without a custom gradient, for use inside other functions' forward passes. */
export function log1pValue(x: tf.Tensor): tf.Tensor {
  const s = tf.div(x, tf.add(x, 2));
  const series = tf.mul(tf.mul(s, 2), poly(tf.square(s), ATANH_SERIES));
  return tf.where(tf.lessEqual(tf.abs(x), 0.25), series, tf.log(tf.add(x, 1)));
}

/** expm1 without a custom gradient, for use inside other functions' forward passes. */
export function expm1Value(x: tf.Tensor): tf.Tensor {
  const series = tf.mul(x, poly(x, EXPM1_SERIES));
  return tf.where(tf.less(tf.abs(x), 0.25), series, tf.sub(tf.exp(x), 1));
}

/**
 * log(1 + x), accurate for small |x|: for |x| ≤ ¼ the odd series 2·atanh(x/(2 + x)), else
 * log(1 + x). Float32 relative error about 3e-7 on (−1, ∞). Gradient 1/(1 + x).
 */
export const log1p = unaryWithGrad(log1pValue, (x) => tf.reciprocal(tf.add(x, 1)));

/**
 * eˣ − 1, accurate for small |x|: Taylor series to x⁹/9! for |x| < ¼, else exp(x) − 1.
 * Float32 relative error below 1e-6. Gradient eˣ.
 */
export const expm1 = unaryWithGrad(expm1Value, (x) => tf.exp(x));

/** log(1 − x) = log1p(−x), accurate for small |x| (x < 1). */
export function log1m(x: Arg): tf.Tensor {
  return tf.tidy(() => log1p(tf.neg(toFloat(x))));
}

/**
 * x·log(y) with the convention 0·log 0 = 0 (Stan's `lmultiply`). Broadcasts.
 * Gradient: ∂x = log y, ∂y = x/y (0 where x = 0).
 */
export const xlogy = binaryWithGrad(
  (x, y) => tf.where(tf.equal(x, 0), tf.zerosLike(tf.add(x, y)), tf.mul(x, tf.log(y))),
  (x, y) => {
    const zero = tf.equal(x, 0);
    return [tf.log(y), tf.where(zero, tf.zerosLike(tf.add(x, y)), tf.div(x, y))];
  },
);

/**
 * softplus(x) = log(1 + eˣ), by the backend's own Softplus kernel: one kernel, with the
 * native gradient σ(x). Unlike their Log1p, the wasm and cpu kernels compute it carefully
 * (eˣ below x ≈ −13.9, x above 13.9, log1p(eˣ) in between, as TensorFlow's does): measured
 * relative error ≤ 4.7e-7 against float64 over every float32 x in [−87, 100] (the worst at the
 * switch to eˣ), so the forms built from log1p are not needed (special.test.ts pins it).
 */
export function softplus(x: Arg): tf.Tensor {
  return tf.tidy(() => tf.softplus(toFloat(x)));
}

/** log σ(x) = −softplus(−x) (three kernels); log(1 − σ(x)) is logSigmoid(−x). Gradient σ(−x). */
export function logSigmoid(x: Arg): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.softplus(tf.neg(toFloat(x)))));
}

/**
 * log(1 − eᵃ) for a ≤ 0 (Stan's `log1m_exp`), by Mächler (2012): log(−expm1(a)) for
 * a > −ln 2, else log1p(−eᵃ). −∞ at a = 0, NaN for a > 0. Gradient −1/expm1(−a).
 */
export const log1mExp = unaryWithGrad(
  (a) =>
    tf.where(tf.greater(a, -LN2), tf.log(tf.neg(expm1Value(a))), log1pValue(tf.neg(tf.exp(a)))),
  (a) => tf.neg(tf.reciprocal(expm1Value(tf.neg(a)))),
);

// a − b, with 0 where a = b (so that ±∞ − ±∞ does not make a NaN).
function safeDiff(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const d = tf.sub(a, b);
  return tf.where(tf.equal(a, b), tf.zerosLike(d), d);
}

/**
 * log(eᵃ + eᵇ) = max(a, b) + log1p(e^{−|a − b|}); −∞ when both are −∞. Broadcasts.
 * Gradient: ∂a = σ(a − b), ∂b = σ(b − a).
 */
export const logAddExp = binaryWithGrad(
  (a, b) => tf.add(tf.maximum(a, b), log1pValue(tf.exp(tf.neg(tf.abs(safeDiff(a, b)))))),
  (a, b) => {
    const d = safeDiff(a, b);
    return [tf.sigmoid(d), tf.sigmoid(tf.neg(d))];
  },
);

/**
 * log(eᵃ − eᵇ) = a + log1mExp(b − a) for a ≥ b (Stan's `log_diff_exp`): −∞ where a = b
 * (finite or −∞), NaN where a < b. Broadcasts.
 * Gradient: ∂a = −1/expm1(b − a), ∂b = −1/expm1(a − b).
 */
export const logDiffExp = binaryWithGrad(
  (a, b) => {
    const equal = tf.logicalAnd(tf.equal(a, b), tf.less(a, Infinity));
    const diff = tf.sub(b, a);
    const t = tf.where(equal, tf.fill(diff.shape, -1), diff);
    const inner = tf.where(
      tf.greater(t, -LN2),
      tf.log(tf.neg(expm1Value(t))),
      log1pValue(tf.neg(tf.exp(t))),
    );
    const v = tf.add(a, inner);
    return tf.where(equal, tf.fill(v.shape, -Infinity), v);
  },
  (a, b) => {
    const d = safeDiff(a, b);
    return [tf.neg(tf.reciprocal(expm1Value(tf.neg(d)))), tf.neg(tf.reciprocal(expm1Value(d)))];
  },
);

function normaliseAxes(axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  return list.map((a) => {
    const r = a < 0 ? a + rank : a;
    if (!Number.isInteger(r) || r < 0 || r >= rank) {
      throw new RangeError(`logSumExp: axis ${a} is out of range for a tensor of rank ${rank}`);
    }
    return r;
  });
}

/**
 * log Σ exp(x) over `axis` (default: all axes): m + log Σ exp(x − m) with m the maximum,
 * replaced by 0 where it is infinite, so an all −∞ slice gives −∞ (not NaN) and +∞ gives +∞.
 * Gradient: softmax(x) along the axes (0 on an all −∞ slice). Adjacent axes of a small enough
 * tensor on cpu or wasm go to one fused kernel (fused-logsumexp.ts), with the same results.
 */
export function logSumExp(x: Arg, axis?: number | number[], keepDims = false): tf.Tensor {
  return tf.tidy(() => {
    const xt = toFloat(x);
    const axes = normaliseAxes(axis, xt.rank);
    return fusedLogSumExp(xt, axes, keepDims) ?? composedLogSumExp(xt, axes, keepDims);
  });
}

/**
 * `logSumExp` from tfjs ops with a custom gradient, for any axes and backend (what
 * `logSumExp` runs where the fused kernel does not apply; exported for the benchmark).
 * `axes`: 0-based, in range, distinct.
 */
export function composedLogSumExp(xt: tf.Tensor, axes: readonly number[], keepDims: boolean): tf.Tensor {
  return tf.tidy(() => {
    const keptShape = xt.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const g = tf.customGrad((input, save) => {
      const v = input as tf.Tensor;
      const m = tf.max(v, [...axes], true);
      const mSafe = tf.where(tf.isFinite(m), m, tf.zerosLike(m));
      const kept = tf.add(tf.log(tf.sum(tf.exp(tf.sub(v, mSafe)), [...axes], true)), mSafe);
      (save as tf.GradSaveFunc)([v, kept]);
      const value = keepDims ? kept : tf.reshape(kept, xt.shape.filter((_, i) => !axes.includes(i)));
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sv, lse] = [saved[0]!, saved[1]!];
          const p = tf.exp(tf.sub(sv, lse));
          const safeP = tf.where(tf.equal(lse, -Infinity), tf.zerosLike(p), p);
          return tf.mul(tf.reshape(dy, keptShape), safeP);
        },
      };
    });
    return g(xt);
  });
}
