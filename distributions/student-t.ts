/**
 * StudentT(nu, mu, sigma) and HalfStudentT(nu, sigma) (inference.md 8.5). Log-CDFs through the
 * regularised incomplete beta function in float64 on the host (host-elementwise.ts):
 * P(T ≤ z) = ½·I_w(ν/2, ½) for z ≤ 0, w = ν/(ν + z²) (Abramowitz & Stegun 26.7.1), and the
 * two-sided tail P(|T| > |z|) = I_w(ν/2, ½). No quantile: truncated(...) samples by rejection.
 */
import { tf } from "../core/engine.js";
import { lgamma, log1p } from "../core/special.js";
import { locScaleLogPdfSum } from "../core/fused-logpdf.js";
import { incBeta64, lgamma64 } from "../core/special-host.js";
import { hostElementwise } from "./host-elementwise.js";
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

function tLogDensity(nu: tf.Tensor, z: tf.Tensor, sigma: tf.Tensor): tf.Tensor {
  const norm = tf.sub(tf.sub(lgammaHalfRatio(nu), tf.mul(0.5, tf.add(tf.log(nu), LOG_PI))), tf.log(sigma));
  return tf.sub(norm, tf.mul(tf.mul(tf.add(nu, 1), 0.5), log1p(tf.div(tf.square(z), nu))));
}

/** lgamma((ν+1)/2) − lgamma(ν/2) − ½ log(νπ) in float64 on the host, for a literal ν. */
export function studentTLogNorm64(nu: number): number {
  return lgamma64((nu + 1) / 2) - lgamma64(nu / 2) - 0.5 * Math.log(nu * Math.PI);
}

/**
 * The Student-t log density with host-side constants (hot path: a literal ν, and σ, μ where
 * literal): c − ((ν+1)/2)·log1p(z²/ν) − log σ with c = studentTLogNorm64(ν) + extra, z = (x − μ)/σ.
 * The lgamma series of a tensor ν would cost tens of kernels on every evaluation.
 */
function tLogDensityHost(nu: number, x: tf.Tensor, mu: Param, sigma: Param, extra: number): tf.Tensor {
  const centred = typeof mu === "number" && mu === 0 ? x : tf.sub(x, mu);
  const z2 = typeof sigma === "number" ? tf.mul(tf.square(centred), 1 / (sigma * sigma * nu)) : tf.div(tf.square(tf.div(centred, sigma)), nu);
  const core = tf.mul(log1p(z2), -(nu + 1) / 2);
  const c = studentTLogNorm64(nu) + extra;
  return typeof sigma === "number" ? tf.add(core, c - Math.log(sigma)) : tf.sub(core, tf.sub(tf.log(sigma), c));
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
    logProb: (x) => (typeof nu === "number" ? tLogDensityHost(nu, x, typeof mu === "number" ? mu : m, typeof sigma === "number" ? sigma : s, 0) : tLogDensity(n, tf.div(tf.sub(x, m), s), s)),
    // One fused kernel for a literal ν (the usual prior or likelihood).
    ...(typeof nu === "number"
      ? { logProbSum: (x: tf.Tensor, keepAxis0: boolean) => locScaleLogPdfSum("studentT", nu, studentTLogNorm64(nu), x, typeof mu === "number" ? mu : m, typeof sigma === "number" ? sigma : s, keepAxis0) }
      : {}),
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
    logProb: (x) => (typeof nu === "number" ? tLogDensityHost(nu, x, 0, typeof sigma === "number" ? sigma : s, LOG_2) : tf.add(tLogDensity(n, tf.div(x, s), s), LOG_2)),
    ...(typeof nu === "number"
      ? { logProbSum: (x: tf.Tensor, keepAxis0: boolean) => locScaleLogPdfSum("studentT", nu, studentTLogNorm64(nu) + LOG_2, x, 0, typeof sigma === "number" ? sigma : s, keepAxis0) }
      : {}),
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
