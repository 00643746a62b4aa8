/**
 * StudentT(nu, mu, sigma) and HalfStudentT(nu, sigma) (inference.md 8.5). Log-CDFs through the
 * regularised incomplete beta function in float64 on the host (host-elementwise.ts):
 * P(T ≤ z) = ½·I_w(ν/2, ½) for z ≤ 0, w = ν/(ν + z²) (Abramowitz & Stegun 26.7.1), and the
 * two-sided tail P(|T| > |z|) = I_w(ν/2, ½). No quantile: truncated(...) samples by rejection.
 */
import { tf } from "../core/engine.js";
import { lgamma } from "../core/special.js";
import { incBeta64 } from "../core/special-host.js";
import { hostElementwise } from "./host-elementwise.js";
import { positive, real } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { LOG_2, asTensor, check, compare, familyArg, hostDraws, makeDistribution, type DistributionOptions, type Param } from "./util.js";

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

/** log P(T ≤ z), T ~ StudentT(ν, 0, 1), float64. */
function tLogCdf64([z, nu]: readonly number[]): number {
  const z2 = z! * z!;
  const w = nu! / (nu! + z2);
  // I_{1−w}(½, ν/2) = 1 − I_w(ν/2, ½), computed directly where it is the small one.
  const tail = w < 0.5 ? incBeta64(nu! / 2, 0.5, w) : 1 - incBeta64(0.5, nu! / 2, z2 / (nu! + z2));
  return z! <= 0 ? Math.log(0.5 * tail) : Math.log1p(-0.5 * tail);
}

/** log P(|T| ≤ |z|) and log P(|T| > |z|), float64. */
function halfTLogCdf64([z, nu]: readonly number[]): number {
  const z2 = z! * z!;
  return Math.log(incBeta64(0.5, nu! / 2, z2 / (nu! + z2)));
}
function halfTLogSf64([z, nu]: readonly number[]): number {
  return Math.log(incBeta64(nu! / 2, 0.5, nu! / (nu! + z! * z!)));
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
    family: { name: "studentT", args: [familyArg(nu, n), familyArg(mu, m), familyArg(sigma, s)] },
    // z·sqrt(ν/χ²_ν), χ²_ν = 2·Gamma(ν/2).
    sample: (key, sampleShape, batchShape) =>
      hostDraws(key, sampleShape, batchShape, [n, m, s], (r, [v, loc, sc]) => loc! + (sc! * r.normal()) / Math.sqrt((2 * r.gamma(v! / 2)) / v!)),
    mean: () => tf.where(compare(tf.greater, n, 1), tf.mul(m, tf.onesLike(n)), tf.scalar(NaN)),
    variance: () => {
      const v = tf.div(tf.mul(tf.square(s), n), tf.sub(n, 2));
      return tf.where(compare(tf.greater, n, 2), v, tf.where(compare(tf.greater, n, 1), tf.scalar(Infinity), tf.scalar(NaN)));
    },
    logCdf: (x) => hostElementwise(tLogCdf64, [tf.div(tf.sub(x, m), s), n]),
    logSf: (x) => hostElementwise(tLogCdf64, [tf.div(tf.sub(m, x), s), n]),
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
    family: { name: "studentT", args: [familyArg(nu, n), 0, familyArg(sigma, s)], perElement: LOG_2 },
    sample: (key, sampleShape, batchShape) =>
      hostDraws(key, sampleShape, batchShape, [n, s], (r, [v, sc]) => Math.abs((sc! * r.normal()) / Math.sqrt((2 * r.gamma(v! / 2)) / v!))),
    mean: () => tf.where(compare(tf.greater, n, 1), meanFormula(), tf.scalar(Infinity)),
    variance: () => {
      const v = tf.sub(tf.div(tf.mul(tf.square(s), n), tf.sub(n, 2)), tf.square(meanFormula()));
      return tf.where(compare(tf.greater, n, 2), v, tf.where(compare(tf.greater, n, 1), tf.scalar(Infinity), tf.scalar(NaN)));
    },
    logCdf: (x) => hostElementwise(halfTLogCdf64, [tf.div(x, s), n]),
    logSf: (x) => hostElementwise(halfTLogSf64, [tf.div(x, s), n]),
  });
}
