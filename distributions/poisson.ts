/**
 * Poisson(rate) / Poisson(log_rate = η) and NegativeBinomial(mu, phi) (Stan's neg_binomial_2).
 */
import { tf } from "../core/engine.js";
import { lbeta, lgamma, xlogy } from "../core/special.js";
import { lbeta64, lgamma64 } from "../core/special-host.js";
import { nonNegativeInteger } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { poissonDraw } from "./host-samplers.js";
import { asTensor, check, hostDraws, makeDistribution, type DistributionOptions, type Param } from "./util.js";

/** The value-only term of the Poisson log-mass: −lgamma(k + 1). */
const poissonTerm64 = (k: number): number => -lgamma64(k + 1);

function makePoisson(rate: tf.Tensor, logRate: tf.Tensor | undefined, options: DistributionOptions): Distribution {
  const rest = (k: tf.Tensor): tf.Tensor => (logRate ? tf.sub(tf.mul(k, logRate), rate) : tf.sub(xlogy(k, rate), rate));
  return makeDistribution({
    name: "Poisson",
    support: nonNegativeInteger,
    discrete: true,
    paramShapes: [rate.shape],
    options,
    logProb: (k) => {
      const lf = lgamma(tf.add(k, 1));
      if (logRate) return tf.sub(tf.sub(tf.mul(k, logRate), rate), lf);
      return tf.sub(tf.sub(xlogy(k, rate), rate), lf);
    },
    valueSplit: { key: "Poisson", term64: poissonTerm64, rest },
    sample: (key, sampleShape, batchShape) => hostDraws(key, sampleShape, batchShape, [rate], (s, [l]) => poissonDraw(s, l!)),
    mean: () => rate,
    variance: () => rate,
  });
}

/** Poisson(λ): log p(k) = k·log λ − λ − lgamma(k + 1). */
export function poisson(rate: Param, options: DistributionOptions = {}): Distribution {
  check("Poisson", "rate", rate, "nonNegative", options.validate);
  return makePoisson(asTensor(rate), undefined, options);
}

/** Poisson(log_rate = η): log p(k) = k·η − e^η − lgamma(k + 1). */
export function poissonLogRate(logRate: Param, options: DistributionOptions = {}): Distribution {
  check("Poisson", "log_rate", logRate, "finite", options.validate);
  const eta = asTensor(logRate);
  return makePoisson(tf.exp(eta), eta, options);
}

/**
 * NegativeBinomial(μ, φ), Stan's neg_binomial_2 (mean μ, variance μ + μ²/φ):
 * log p(k) = log C(k + φ − 1, k) + k·log μ + φ·log φ − (k + φ)·log(μ + φ),
 * with log C(k + φ − 1, k) = −log(k + φ) − lbeta(φ, k + 1). This is scipy's nbinom(n = φ, p = φ/(μ + φ)).
 */
export function negativeBinomial(mu: Param, phi: Param, options: DistributionOptions = {}): Distribution {
  check("NegativeBinomial", "mu", mu, "positive", options.validate);
  check("NegativeBinomial", "phi", phi, "positive", options.validate);
  const m = asTensor(mu);
  const f = asTensor(phi);
  return makeDistribution({
    name: "NegativeBinomial",
    support: nonNegativeInteger,
    discrete: true,
    paramShapes: [m.shape, f.shape],
    options,
    logProb: (k) => {
      const kf = tf.add(k, f);
      const lc = tf.neg(tf.add(tf.log(kf), lbeta(f, tf.add(k, 1))));
      return tf.sub(tf.add(tf.add(lc, xlogy(k, m)), tf.mul(f, tf.log(f))), tf.mul(kf, tf.log(tf.add(m, f))));
    },
    // A literal φ makes log C(k + φ − 1, k) a function of k alone.
    valueSplit: typeof phi === "number"
      ? {
          key: `NegativeBinomial/${phi}`,
          term64: (k: number) => -Math.log(k + phi) - lbeta64(phi, k + 1),
          rest: (k: tf.Tensor) => tf.sub(tf.add(xlogy(k, m), phi * Math.log(phi)), tf.mul(tf.add(k, phi), tf.log(tf.add(m, phi)))),
        }
      : undefined,
    // Gamma–Poisson mixture: λ ~ Gamma(φ, rate φ/μ), k ~ Poisson(λ).
    sample: (key, sampleShape, batchShape) =>
      hostDraws(key, sampleShape, batchShape, [m, f], (s, [mm, ff]) => poissonDraw(s, (s.gamma(ff!) * mm!) / ff!)),
    mean: () => m,
    variance: () => tf.add(m, tf.div(tf.square(m), f)),
  });
}
