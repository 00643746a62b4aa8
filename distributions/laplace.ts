/** Laplace(mu, b) and Logistic(mu, s): closed-form location-scale families with log-CDFs. */
import { tf } from "../core/engine.js";
import { uniform } from "../core/random.js";
import { log1p, logSigmoid } from "../core/special.js";
import { real } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { LOG_2, asTensor, check, compare, familyArg, makeDistribution, type DistributionOptions, type Param } from "./util.js";

/**
 * Laplace(mu, b): log p(x) = −log 2b − |x − μ|/b.
 * log F = z − log 2 for z < 0, log1p(−½e^{−z}) otherwise (z = (x − μ)/b); S by symmetry.
 */
export function laplace(mu: Param, b: Param, options: DistributionOptions = {}): Distribution {
  check("Laplace", "mu", mu, "finite", options.validate);
  check("Laplace", "b", b, "positive", options.validate);
  const m = asTensor(mu);
  const s = asTensor(b);
  const z = (x: tf.Tensor): tf.Tensor => tf.div(tf.sub(x, m), s);
  // log of the lower-tail mass at z: z − log 2 below 0, log(1 − ½e^{−z}) above.
  const logLower = (zz: tf.Tensor): tf.Tensor => {
    const neg = tf.minimum(zz, 0);
    const pos = tf.maximum(zz, 0);
    return tf.where(compare(tf.less, zz, 0), tf.sub(neg, LOG_2), log1p(tf.mul(-0.5, tf.exp(tf.neg(pos)))));
  };
  const quantile = (u: tf.Tensor): tf.Tensor => {
    const c = tf.sub(u, 0.5);
    return tf.sub(m, tf.mul(tf.mul(s, tf.sign(c)), log1p(tf.mul(-2, tf.abs(c)))));
  };
  return makeDistribution({
    name: "Laplace",
    support: real,
    paramShapes: [m.shape, s.shape],
    options,
    family: { name: "laplace", args: [familyArg(mu, m), familyArg(b, s)] },
    sample: (key, sampleShape, batchShape) => quantile(uniform(key, [...sampleShape, ...batchShape])),
    mean: () => m,
    variance: () => tf.mul(2, tf.square(s)),
    logCdf: (x) => logLower(z(x)),
    logSf: (x) => logLower(tf.neg(z(x))),
    quantile,
    quantileSf: (p) => tf.sub(tf.mul(2, m), quantile(p)),
  });
}

/** Logistic(mu, s): log p(x) = −z − log s − 2·softplus(−z); log F = log σ(z), log S = log σ(−z). */
export function logistic(mu: Param, s: Param, options: DistributionOptions = {}): Distribution {
  check("Logistic", "mu", mu, "finite", options.validate);
  check("Logistic", "s", s, "positive", options.validate);
  const m = asTensor(mu);
  const sc = asTensor(s);
  const z = (x: tf.Tensor): tf.Tensor => tf.div(tf.sub(x, m), sc);
  const quantile = (u: tf.Tensor): tf.Tensor => tf.add(m, tf.mul(sc, tf.sub(tf.log(u), log1p(tf.neg(u)))));
  return makeDistribution({
    name: "Logistic",
    support: real,
    paramShapes: [m.shape, sc.shape],
    options,
    family: { name: "logistic", args: [familyArg(mu, m), familyArg(s, sc)] },
    sample: (key, sampleShape, batchShape) => quantile(uniform(key, [...sampleShape, ...batchShape])),
    mean: () => m,
    variance: () => tf.mul(tf.square(sc), (Math.PI * Math.PI) / 3),
    logCdf: (x) => logSigmoid(z(x)),
    logSf: (x) => logSigmoid(tf.neg(z(x))),
    quantile,
    quantileSf: (p) => tf.sub(tf.mul(2, m), quantile(p)),
  });
}
