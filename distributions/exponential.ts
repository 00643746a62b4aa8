/** Exponential(rate) and Weibull(shape, scale): closed-form CDFs, inverse-CDF sampling. */
import { tf } from "../core/engine.js";
import { uniform } from "../core/random.js";
import { lgamma, log1mExp, log1p } from "../core/special.js";
import { positive } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { asTensor, check, familyArg, makeDistribution, type DistributionOptions, type Param } from "./util.js";

/** Exponential(rate) on x ≥ 0: log p(x) = log λ − λx; log F = log1m_exp(−λx), log S = −λx. */
export function exponential(rate: Param, options: DistributionOptions = {}): Distribution {
  check("Exponential", "rate", rate, "positive", options.validate);
  const r = asTensor(rate);
  const quantile = (u: tf.Tensor): tf.Tensor => tf.div(tf.neg(log1p(tf.neg(u))), r);
  return makeDistribution({
    name: "Exponential",
    support: positive,
    paramShapes: [r.shape],
    options,
    family: { name: "exponential", args: [familyArg(rate, r)] },
    sample: (key, sampleShape, batchShape) => quantile(uniform(key, [...sampleShape, ...batchShape])),
    mean: () => tf.reciprocal(r),
    variance: () => tf.reciprocal(tf.square(r)),
    logCdf: (x) => log1mExp(tf.neg(tf.mul(r, x))),
    logSf: (x) => tf.neg(tf.mul(r, x)),
    quantile,
    quantileSf: (p) => tf.div(tf.neg(tf.log(p)), r),
  });
}

/**
 * Weibull(shape k, scale λ) on x ≥ 0: log p(x) = log k − log λ + (k − 1)·log(x/λ) − (x/λ)^k.
 * log S = −(x/λ)^k, log F = log1m_exp(−(x/λ)^k).
 */
export function weibull(shape: Param, scale: Param, options: DistributionOptions = {}): Distribution {
  check("Weibull", "shape", shape, "positive", options.validate);
  check("Weibull", "scale", scale, "positive", options.validate);
  const k = asTensor(shape);
  const l = asTensor(scale);
  const powK = (x: tf.Tensor): tf.Tensor => tf.pow(tf.div(x, l), k);
  const quantile = (u: tf.Tensor): tf.Tensor => tf.mul(l, tf.pow(tf.neg(log1p(tf.neg(u))), tf.reciprocal(k)));
  return makeDistribution({
    name: "Weibull",
    support: positive,
    paramShapes: [k.shape, l.shape],
    options,
    family: { name: "weibull", args: [familyArg(shape, k), familyArg(scale, l)] },
    sample: (key, sampleShape, batchShape) => quantile(uniform(key, [...sampleShape, ...batchShape])),
    mean: () => tf.mul(l, tf.exp(lgamma(tf.add(1, tf.reciprocal(k))))),
    variance: () => {
      const g1 = lgamma(tf.add(1, tf.reciprocal(k)));
      const g2 = lgamma(tf.add(1, tf.div(2, k)));
      return tf.mul(tf.square(l), tf.sub(tf.exp(g2), tf.exp(tf.mul(2, g1))));
    },
    logCdf: (x) => log1mExp(tf.neg(powK(x))),
    logSf: (x) => tf.neg(powK(x)),
    quantile,
    quantileSf: (p) => tf.mul(l, tf.pow(tf.neg(tf.log(p)), tf.reciprocal(k))),
  });
}
