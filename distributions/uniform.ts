/** Uniform(lo, hi): log p(x) = −log(hi − lo) on [lo, hi]; the bounds may be tensors (Uniform(0, theta)). */
import { tf } from "../core/engine.js";
import { uniform as standardUniform } from "../core/random.js";
import { interval } from "./constraints.js";
import { DistributionError, type Distribution } from "./distribution.js";
import { asTensor, check, familyArg, makeDistribution, type DistributionOptions, type Param } from "./util.js";

export function uniform(lo: Param, hi: Param, options: DistributionOptions = {}): Distribution {
  check("Uniform", "lo", lo, "finite", options.validate);
  check("Uniform", "hi", hi, "finite", options.validate);
  if (typeof lo === "number" && typeof hi === "number" && !(lo < hi)) {
    throw new DistributionError(`Uniform: lo must be less than hi, got lo = ${lo}, hi = ${hi}`);
  }
  const a = asTensor(lo);
  const b = asTensor(hi);
  const width = (): tf.Tensor => tf.sub(b, a);
  const quantile = (u: tf.Tensor): tf.Tensor => tf.add(a, tf.mul(width(), u));
  const clampLog = (t: tf.Tensor): tf.Tensor => tf.log(tf.minimum(tf.maximum(t, 0), 1));
  return makeDistribution({
    name: "Uniform",
    support: interval(lo, hi),
    paramShapes: [a.shape, b.shape],
    options,
    family: { name: "uniform", args: [familyArg(lo, a), familyArg(hi, b)] },
    sample: (key, sampleShape, batchShape) => quantile(standardUniform(key, [...sampleShape, ...batchShape])),
    mean: () => tf.mul(tf.add(a, b), 0.5),
    variance: () => tf.div(tf.square(width()), 12),
    logCdf: (x) => clampLog(tf.div(tf.sub(x, a), width())),
    logSf: (x) => clampLog(tf.div(tf.sub(b, x), width())),
    quantile,
    quantileSf: (p) => tf.sub(b, tf.mul(width(), p)),
  });
}
