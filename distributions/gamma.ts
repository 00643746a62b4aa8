/**
 * Gamma(shape, rate), InverseGamma(shape, scale) and Beta(a, b) (inference.md 8.5).
 * Log-CDFs through the regularised incomplete gamma P, Q and beta I functions in float64 on
 * the host (host-elementwise.ts): Gamma F = P(α, βx); InverseGamma F = Q(α, β/x);
 * Beta F = I_x(a, b), S = I_{1−x}(b, a). No quantiles: truncated(...) samples by rejection.
 */
import { tf } from "../core/engine.js";
import { positive, unitInterval } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { gammaP64, gammaQ64, incBeta64 } from "../core/special-host.js";
import { betaDraw } from "./host-samplers.js";
import { hostElementwise } from "./host-elementwise.js";
import { asTensor, check, compare, familyArg, hostDraws, makeDistribution, type DistributionOptions, type Param } from "./util.js";

/** Gamma(α shape, β rate) on x ≥ 0: α log β − lgamma(α) + (α − 1)·log x − βx (0·log 0 = 0). */
export function gamma(shape: Param, rate: Param, options: DistributionOptions = {}): Distribution {
  check("Gamma", "shape", shape, "positive", options.validate);
  check("Gamma", "rate", rate, "positive", options.validate);
  const a = asTensor(shape);
  const b = asTensor(rate);
  return makeDistribution({
    name: "Gamma",
    support: positive,
    paramShapes: [a.shape, b.shape],
    options,
    family: { name: "gamma", args: [familyArg(shape, a), familyArg(rate, b)] },
    sample: (key, sampleShape, batchShape) => hostDraws(key, sampleShape, batchShape, [a, b], (s, [al, be]) => s.gamma(al!) / be!),
    mean: () => tf.div(a, b),
    variance: () => tf.div(a, tf.square(b)),
    logCdf: (x) => hostElementwise(([al, z]) => Math.log(gammaP64(al!, z!)), [a, tf.mul(b, x)]),
    logSf: (x) => hostElementwise(([al, z]) => Math.log(gammaQ64(al!, z!)), [a, tf.mul(b, x)]),
  });
}

/** InverseGamma(α shape, β scale) on x > 0: α log β − lgamma(α) − (α + 1)·log x − β/x. */
export function inverseGamma(shape: Param, scale: Param, options: DistributionOptions = {}): Distribution {
  check("InverseGamma", "shape", shape, "positive", options.validate);
  check("InverseGamma", "scale", scale, "positive", options.validate);
  const a = asTensor(shape);
  const b = asTensor(scale);
  return makeDistribution({
    name: "InverseGamma",
    support: positive,
    paramShapes: [a.shape, b.shape],
    options,
    family: { name: "inverseGamma", args: [familyArg(shape, a), familyArg(scale, b)] },
    sample: (key, sampleShape, batchShape) => hostDraws(key, sampleShape, batchShape, [a, b], (s, [al, be]) => be! / s.gamma(al!)),
    // Infinite where the moment diverges (α ≤ 1 for the mean, α ≤ 2 for the variance).
    mean: () => tf.where(compare(tf.greater, a, 1), tf.div(b, tf.sub(a, 1)), tf.scalar(Infinity)),
    variance: () => tf.where(compare(tf.greater, a, 2), tf.div(tf.square(b), tf.mul(tf.square(tf.sub(a, 1)), tf.sub(a, 2))), tf.scalar(Infinity)),
    logCdf: (x) => hostElementwise(([al, z]) => Math.log(gammaQ64(al!, z!)), [a, tf.div(b, x)]),
    logSf: (x) => hostElementwise(([al, z]) => Math.log(gammaP64(al!, z!)), [a, tf.div(b, x)]),
  });
}

/** Beta(a, b) on [0, 1]: (a − 1)·log x + (b − 1)·log(1 − x) − lbeta(a, b). */
export function beta(a: Param, b: Param, options: DistributionOptions = {}): Distribution {
  check("Beta", "a", a, "positive", options.validate);
  check("Beta", "b", b, "positive", options.validate);
  const at = asTensor(a);
  const bt = asTensor(b);
  return makeDistribution({
    name: "Beta",
    support: unitInterval,
    paramShapes: [at.shape, bt.shape],
    options,
    family: { name: "beta", args: [familyArg(a, at), familyArg(b, bt)] },
    sample: (key, sampleShape, batchShape) => hostDraws(key, sampleShape, batchShape, [at, bt], (s, [p, q]) => betaDraw(s, p!, q!)),
    mean: () => tf.div(at, tf.add(at, bt)),
    variance: () => {
      const n = tf.add(at, bt);
      return tf.div(tf.mul(at, bt), tf.mul(tf.square(n), tf.add(n, 1)));
    },
    logCdf: (x) => hostElementwise(([p, q, v]) => Math.log(incBeta64(p!, q!, v!)), [at, bt, x]),
    logSf: (x) => hostElementwise(([p, q, v]) => Math.log(incBeta64(q!, p!, 1 - v!)), [at, bt, x]),
  });
}
