/**
 * The normal family: Normal(mu, sigma), HalfNormal(sigma), LogNormal(mu, sigma).
 * Densities: inference.md 8.5; tails through the dedicated log-CDFs of core/special.
 */
import { tf } from "../core/engine.js";
import { normal as standardNormal } from "../core/random.js";
import { normalLogPdfSum } from "../core/fused-logpdf.js";
import { erf, erfc, expm1, log1p, normalLogCdf, normalLogSf, probit } from "../core/special.js";
import { positive, real } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { LOG_2, LOG_2PI, asTensor, broadcastShapes, broadcastTo, check, compare, makeDistribution, sumPerChain, type DistributionOptions, type Param } from "./util.js";

const SQRT1_2 = Math.SQRT1_2;

/** Normal(mu, sigma): log p(x) = −½z² − log σ − ½ log 2π, z = (x − μ)/σ. Reparameterised sampling. */
export function normal(mu: Param, sigma: Param, options: DistributionOptions = {}): Distribution {
  check("Normal", "mu", mu, "finite", options.validate);
  check("Normal", "sigma", sigma, "positive", options.validate);
  const m = asTensor(mu);
  const s = asTensor(sigma);
  const z = (x: tf.Tensor): tf.Tensor => tf.div(tf.sub(x, m), s);
  // Few kernels on the hot path (each launch costs microseconds on wasm): no x − μ for a
  // literal μ = 0, and log σ + ½ log 2π folded on the host for a literal σ.
  const centred = (x: tf.Tensor): tf.Tensor => (typeof mu === "number" && mu === 0 ? x : tf.sub(x, m));
  const logProb = (x: tf.Tensor): tf.Tensor =>
    typeof sigma === "number"
      ? tf.sub(tf.mul(tf.square(sigma === 1 ? centred(x) : tf.mul(centred(x), 1 / sigma)), -0.5), Math.log(sigma) + 0.5 * LOG_2PI)
      : tf.sub(tf.mul(tf.square(tf.div(centred(x), s)), -0.5), tf.add(tf.log(s), 0.5 * LOG_2PI));
  return makeDistribution({
    name: "Normal",
    support: real,
    paramShapes: [m.shape, s.shape],
    options,
    logProb,
    logProbSum: (x, keepAxis0) => normalLogPdfSum(x, typeof mu === "number" ? mu : m, typeof sigma === "number" ? sigma : s, keepAxis0),
    sample: (key, sampleShape, batchShape) => tf.add(m, tf.mul(s, standardNormal(key, [...sampleShape, ...batchShape]))),
    mean: () => m,
    variance: () => tf.square(s),
    logCdf: (x) => normalLogCdf(z(x)),
    logSf: (x) => normalLogSf(z(x)),
    quantile: (u) => tf.add(m, tf.mul(s, probit(u))),
    quantileSf: (p) => tf.sub(m, tf.mul(s, probit(p))),
  });
}

/** HalfNormal(sigma) on x ≥ 0: log p(x) = log 2 − ½ log 2π − log σ − x²/(2σ²). */
export function halfNormal(sigma: Param, options: DistributionOptions = {}): Distribution {
  check("HalfNormal", "sigma", sigma, "positive", options.validate);
  const s = asTensor(sigma);
  const t = (x: tf.Tensor): tf.Tensor => tf.mul(tf.div(x, s), SQRT1_2);
  return makeDistribution({
    name: "HalfNormal",
    support: positive,
    paramShapes: [s.shape],
    options,
    // A literal σ folds 1/σ and the constant on the host (fewer kernels, as in Normal).
    logProb: (x) =>
      typeof sigma === "number"
        ? tf.sub(tf.mul(tf.square(sigma === 1 ? x : tf.mul(x, 1 / sigma)), -0.5), Math.log(sigma) + 0.5 * LOG_2PI - LOG_2)
        : tf.sub(tf.mul(tf.square(tf.div(x, s)), -0.5), tf.add(tf.log(s), 0.5 * LOG_2PI - LOG_2)),
    // Σ log p = Σ Normal(x | 0, σ) + n·log 2 over the n summed terms (per chain with keepAxis0)
    logProbSum: (x, keepAxis0) => {
      const shape = broadcastShapes(x.shape, s.shape);
      const n = shape.reduce((a, b) => a * b, 1) / (keepAxis0 ? (shape[0] ?? 1) : 1);
      return tf.add(normalLogPdfSum(x, 0, typeof sigma === "number" ? sigma : s, keepAxis0), n * LOG_2);
    },
    sample: (key, sampleShape, batchShape) => tf.abs(tf.mul(s, standardNormal(key, [...sampleShape, ...batchShape]))),
    mean: () => tf.mul(s, Math.sqrt(2 / Math.PI)),
    variance: () => tf.mul(tf.square(s), 1 - 2 / Math.PI),
    // F(x) = erf(x/(σ√2)): log erf near 0, log1p(−erfc) in the upper tail.
    logCdf: (x) => {
      const tt = t(x);
      return tf.where(compare(tf.less, tt, 1), tf.log(erf(tt)), log1p(tf.neg(erfc(tt))));
    },
    logSf: (x) => tf.add(normalLogSf(tf.div(x, s)), LOG_2),
    quantile: (u) => tf.mul(s, probit(tf.mul(tf.add(u, 1), 0.5))),
    quantileSf: (p) => tf.neg(tf.mul(s, probit(tf.mul(p, 0.5)))),
  });
}

/** LogNormal(mu, sigma) on x > 0: log p(x) = Normal(log x | μ, σ) − log x. */
export function logNormal(mu: Param, sigma: Param, options: DistributionOptions = {}): Distribution {
  check("LogNormal", "mu", mu, "finite", options.validate);
  check("LogNormal", "sigma", sigma, "positive", options.validate);
  const m = asTensor(mu);
  const s = asTensor(sigma);
  const z = (x: tf.Tensor): tf.Tensor => tf.div(tf.sub(tf.log(x), m), s);
  return makeDistribution({
    name: "LogNormal",
    support: positive,
    paramShapes: [m.shape, s.shape],
    options,
    logProb: (x) => {
      const lx = tf.log(x);
      const lp = tf.sub(tf.sub(tf.sub(tf.mul(-0.5, tf.square(tf.div(tf.sub(lx, m), s))), tf.log(s)), 0.5 * LOG_2PI), lx);
      return tf.where(compare(tf.greater, x, 0), lp, tf.scalar(-Infinity));
    },
    // Σ Normal(log x | μ, σ) by the fused sum, minus Σ log x over the same (broadcast) terms.
    logProbSum: (x, keepAxis0) => {
      const lx = tf.log(x);
      const full = broadcastTo(lx, broadcastShapes(x.shape, m.shape, s.shape));
      return tf.sub(normalLogPdfSum(lx, typeof mu === "number" ? mu : m, typeof sigma === "number" ? sigma : s, keepAxis0), sumPerChain(full, keepAxis0));
    },
    // −log x depends on the value alone.
    valueSplit: {
      key: "LogNormal",
      term64: (x: number) => -Math.log(x),
      rest: (x: tf.Tensor) => tf.sub(tf.mul(-0.5, tf.square(tf.div(tf.sub(tf.log(x), m), s))), tf.add(tf.log(s), 0.5 * LOG_2PI)),
    },
    sample: (key, sampleShape, batchShape) => tf.exp(tf.add(m, tf.mul(s, standardNormal(key, [...sampleShape, ...batchShape])))),
    mean: () => tf.exp(tf.add(m, tf.mul(0.5, tf.square(s)))),
    variance: () => {
      const s2 = tf.square(s);
      return tf.mul(expm1(s2), tf.exp(tf.add(tf.mul(2, m), s2)));
    },
    logCdf: (x) => normalLogCdf(z(x)),
    logSf: (x) => normalLogSf(z(x)),
    quantile: (u) => tf.exp(tf.add(m, tf.mul(s, probit(u)))),
    quantileSf: (p) => tf.exp(tf.sub(m, tf.mul(s, probit(p)))),
  });
}
