/**
 * The normal family: Normal(mu, sigma), HalfNormal(sigma), LogNormal(mu, sigma).
 * Densities: inference.md 8.5; tails through the dedicated log-CDFs of core/special.
 */
import { tf } from "../core/engine.js";
import { normal as standardNormal } from "../core/random.js";
import { erf, erfc, expm1, log1p, normalLogCdf, normalLogSf, probit } from "../core/special.js";
import { positive, real } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { LOG_2, asTensor, check, compare, familyArg, makeDistribution, type DistributionOptions, type Param } from "./util.js";

const SQRT1_2 = Math.SQRT1_2;

/** Normal(mu, sigma): log p(x) = −½z² − log σ − ½ log 2π, z = (x − μ)/σ. Reparameterised sampling. */
export function normal(mu: Param, sigma: Param, options: DistributionOptions = {}): Distribution {
  check("Normal", "mu", mu, "finite", options.validate);
  check("Normal", "sigma", sigma, "positive", options.validate);
  const m = asTensor(mu);
  const s = asTensor(sigma);
  const z = (x: tf.Tensor): tf.Tensor => tf.div(tf.sub(x, m), s);
  return makeDistribution({
    name: "Normal",
    support: real,
    paramShapes: [m.shape, s.shape],
    options,
    family: { name: "normal", args: [familyArg(mu, m), familyArg(sigma, s)] },
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
    family: { name: "normal", args: [0, familyArg(sigma, s)], perElement: LOG_2 },
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
    family: { name: "logNormal", args: [familyArg(mu, m), familyArg(sigma, s)] },
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
