/**
 * Cauchy(mu, sigma) and HalfCauchy(sigma). The CDF is written with atan2 so that both tails
 * keep full relative precision: F(z) = atan2(1, −z)/π, S(z) = atan2(1, z)/π.
 * Mean and variance are undefined for Cauchy (NaN) and infinite for HalfCauchy.
 */
import { tf } from "../core/engine.js";
import { uniform } from "../core/random.js";
import { positive, real } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { asTensor, check, familyArg, LOG_2, LOG_PI, makeDistribution, type DistributionOptions, type Param } from "./util.js";

const logAtan2Over = (a: tf.Tensor): tf.Tensor => tf.sub(tf.log(tf.atan2(tf.onesLike(a), a)), LOG_PI);

/** Cauchy(mu, sigma): log p(x) = −log π − log σ − log1p(z²), z = (x − μ)/σ. */
export function cauchy(mu: Param, sigma: Param, options: DistributionOptions = {}): Distribution {
  check("Cauchy", "mu", mu, "finite", options.validate);
  check("Cauchy", "sigma", sigma, "positive", options.validate);
  const m = asTensor(mu);
  const s = asTensor(sigma);
  const z = (x: tf.Tensor): tf.Tensor => tf.div(tf.sub(x, m), s);
  const quantile = (u: tf.Tensor): tf.Tensor => tf.add(m, tf.mul(s, tf.tan(tf.mul(Math.PI, tf.sub(u, 0.5)))));
  return makeDistribution({
    name: "Cauchy",
    support: real,
    paramShapes: [m.shape, s.shape],
    options,
    family: { name: "cauchy", args: [familyArg(mu, m), familyArg(sigma, s)] },
    sample: (key, sampleShape, batchShape) => quantile(uniform(key, [...sampleShape, ...batchShape])),
    mean: () => tf.fill(tf.broadcastTo(m, tf.broadcastTo(s, m.shape).shape).shape, NaN),
    variance: () => tf.fill(tf.broadcastTo(m, tf.broadcastTo(s, m.shape).shape).shape, NaN),
    logCdf: (x) => logAtan2Over(tf.neg(z(x))),
    logSf: (x) => logAtan2Over(z(x)),
    quantile,
    // By symmetry about μ: x_sf(s) = 2μ − quantile(s).
    quantileSf: (p) => tf.sub(tf.mul(2, m), quantile(p)),
  });
}

/** HalfCauchy(sigma) on x ≥ 0: log p(x) = log 2 − log π − log σ − log1p((x/σ)²). */
export function halfCauchy(sigma: Param, options: DistributionOptions = {}): Distribution {
  check("HalfCauchy", "sigma", sigma, "positive", options.validate);
  const s = asTensor(sigma);
  const quantile = (u: tf.Tensor): tf.Tensor => tf.mul(s, tf.tan(tf.mul(0.5 * Math.PI, u)));
  return makeDistribution({
    name: "HalfCauchy",
    support: positive,
    paramShapes: [s.shape],
    options,
    family: { name: "cauchy", args: [0, familyArg(sigma, s)], perElement: LOG_2 },
    sample: (key, sampleShape, batchShape) => quantile(uniform(key, [...sampleShape, ...batchShape])),
    mean: () => tf.fill(s.shape, Infinity),
    variance: () => tf.fill(s.shape, Infinity),
    // F(x) = (2/π)·atan(x/σ) = 1 − (2/π)·atan(σ/x).
    logCdf: (x) => tf.add(tf.log(tf.atan(tf.div(x, s))), LOG_2 - LOG_PI),
    logSf: (x) => tf.add(logAtan2Over(tf.div(x, s)), LOG_2),
    quantile,
    quantileSf: (p) => tf.div(s, tf.tan(tf.mul(0.5 * Math.PI, p))),
  });
}
