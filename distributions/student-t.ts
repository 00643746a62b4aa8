/**
 * StudentT(nu, mu, sigma) and HalfStudentT(nu, sigma) (inference.md 8.5).
 * No log-CDF (it needs the regularised incomplete beta function): truncated(...) rejects them.
 */
import { tf } from "../core/engine.js";
import { lgamma, log1p } from "../core/special.js";
import { positive, real } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { LOG_2, LOG_PI, asTensor, check, compare, hostDraws, makeDistribution, type DistributionOptions, type Param } from "./util.js";

/**
 * lgamma((ν+1)/2) − lgamma(ν/2). For ν ≥ 100 the float32 difference of two large lgammas
 * loses digits, so use ½ log(ν/2) − 1/(4ν) + 1/(24ν³) (error 5e-12 at ν = 100).
 */
function lgammaHalfRatio(nu: tf.Tensor): tf.Tensor {
  const direct = tf.sub(lgamma(tf.mul(tf.add(nu, 1), 0.5)), lgamma(tf.mul(nu, 0.5)));
  const big = tf.maximum(nu, 100);
  const series = tf.add(tf.sub(tf.mul(0.5, tf.log(tf.mul(big, 0.5))), tf.div(0.25, big)), tf.div(1 / 24, tf.pow(big, 3)));
  return tf.where(compare(tf.less, nu, 100), direct, series);
}

function tLogDensity(nu: tf.Tensor, z: tf.Tensor, sigma: tf.Tensor): tf.Tensor {
  const norm = tf.sub(tf.sub(lgammaHalfRatio(nu), tf.mul(0.5, tf.add(tf.log(nu), LOG_PI))), tf.log(sigma));
  return tf.sub(norm, tf.mul(tf.mul(tf.add(nu, 1), 0.5), log1p(tf.div(tf.square(z), nu))));
}

/** StudentT(ν, μ, σ): lgamma((ν+1)/2) − lgamma(ν/2) − ½ log(νπ) − log σ − ((ν+1)/2)·log1p(z²/ν). */
export function studentT(nu: Param, mu: Param, sigma: Param, options: DistributionOptions = {}): Distribution {
  check("StudentT", "nu", nu, "positive", options.validate);
  check("StudentT", "mu", mu, "finite", options.validate);
  check("StudentT", "sigma", sigma, "positive", options.validate);
  const n = asTensor(nu);
  const m = asTensor(mu);
  const s = asTensor(sigma);
  return makeDistribution({
    name: "StudentT",
    support: real,
    paramShapes: [n.shape, m.shape, s.shape],
    options,
    logProb: (x) => tLogDensity(n, tf.div(tf.sub(x, m), s), s),
    // z·sqrt(ν/χ²_ν), χ²_ν = 2·Gamma(ν/2).
    sample: (key, sampleShape, batchShape) =>
      hostDraws(key, sampleShape, batchShape, [n, m, s], (r, [v, loc, sc]) => loc! + (sc! * r.normal()) / Math.sqrt((2 * r.gamma(v! / 2)) / v!)),
    mean: () => tf.where(compare(tf.greater, n, 1), tf.mul(m, tf.onesLike(n)), tf.scalar(NaN)),
    variance: () => {
      const v = tf.div(tf.mul(tf.square(s), n), tf.sub(n, 2));
      return tf.where(compare(tf.greater, n, 2), v, tf.where(compare(tf.greater, n, 1), tf.scalar(Infinity), tf.scalar(NaN)));
    },
  });
}

/**
 * HalfStudentT(ν, σ) on x ≥ 0: log 2 + StudentT(x | ν, 0, σ).
 * Mean 2σ·sqrt(ν/π)·Γ((ν+1)/2)/(Γ(ν/2)(ν − 1)) for ν > 1 (else ∞); variance σ²ν/(ν − 2) − mean² for ν > 2.
 */
export function halfStudentT(nu: Param, sigma: Param, options: DistributionOptions = {}): Distribution {
  check("HalfStudentT", "nu", nu, "positive", options.validate);
  check("HalfStudentT", "sigma", sigma, "positive", options.validate);
  const n = asTensor(nu);
  const s = asTensor(sigma);
  const meanFormula = (): tf.Tensor =>
    tf.div(tf.mul(tf.mul(tf.mul(2, s), tf.sqrt(tf.div(n, Math.PI))), tf.exp(lgammaHalfRatio(n))), tf.sub(n, 1));
  return makeDistribution({
    name: "HalfStudentT",
    support: positive,
    paramShapes: [n.shape, s.shape],
    options,
    logProb: (x) => tf.add(tLogDensity(n, tf.div(x, s), s), LOG_2),
    sample: (key, sampleShape, batchShape) =>
      hostDraws(key, sampleShape, batchShape, [n, s], (r, [v, sc]) => Math.abs((sc! * r.normal()) / Math.sqrt((2 * r.gamma(v! / 2)) / v!))),
    mean: () => tf.where(compare(tf.greater, n, 1), meanFormula(), tf.scalar(Infinity)),
    variance: () => {
      const v = tf.sub(tf.div(tf.mul(tf.square(s), n), tf.sub(n, 2)), tf.square(meanFormula()));
      return tf.where(compare(tf.greater, n, 2), v, tf.where(compare(tf.greater, n, 1), tf.scalar(Infinity), tf.scalar(NaN)));
    },
  });
}
