/**
 * Poisson(rate) / Poisson(log_rate = η) and NegativeBinomial(mu, phi) (Stan's neg_binomial_2).
 */
import { tf } from "../core/engine.js";
import { nonNegativeInteger } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { poissonDraw } from "./host-samplers.js";
import { asTensor, check, familyArg, hostDraws, makeDistribution, type DistributionOptions, type FamilyParts, type Param } from "./util.js";

function makePoisson(rate: tf.Tensor, family: FamilyParts, options: DistributionOptions): Distribution {
  return makeDistribution({
    name: "Poisson",
    support: nonNegativeInteger,
    discrete: true,
    paramShapes: [rate.shape],
    options,
    family,
    sample: (key, sampleShape, batchShape) => hostDraws(key, sampleShape, batchShape, [rate], (s, [l]) => poissonDraw(s, l!)),
    mean: () => rate,
    variance: () => rate,
  });
}

/** Poisson(λ): log p(k) = k·log λ − λ − lgamma(k + 1). */
export function poisson(rate: Param, options: DistributionOptions = {}): Distribution {
  check("Poisson", "rate", rate, "nonNegative", options.validate);
  const r = asTensor(rate);
  return makePoisson(r, { name: "poisson", args: [familyArg(rate, r)] }, options);
}

/** Poisson(log_rate = η): log p(k) = k·η − e^η − lgamma(k + 1). */
export function poissonLogRate(logRate: Param, options: DistributionOptions = {}): Distribution {
  check("Poisson", "log_rate", logRate, "finite", options.validate);
  const eta = asTensor(logRate);
  return makePoisson(tf.exp(eta), { name: "poissonLog", args: [familyArg(logRate, eta)] }, options);
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
    family: { name: "negativeBinomial", args: [familyArg(mu, m), familyArg(phi, f)] },
    // Gamma–Poisson mixture: λ ~ Gamma(φ, rate φ/μ), k ~ Poisson(λ).
    sample: (key, sampleShape, batchShape) =>
      hostDraws(key, sampleShape, batchShape, [m, f], (s, [mm, ff]) => poissonDraw(s, (s.gamma(ff!) * mm!) / ff!)),
    mean: () => m,
    variance: () => tf.add(m, tf.div(tf.square(m), f)),
  });
}
