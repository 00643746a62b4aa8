/**
 * ordered(D): a vector of K iid draws from a univariate continuous D, constrained to increase.
 * D must have a batch shape ending in K (e.g. ordered(Normal(0, 1, size = K))); that axis becomes
 * the event axis. As in Stan (`ordered[K] x; x ~ D`), log p(x) = Σ_k log p_D(x_k) on increasing
 * vectors (the K! of the order-statistic density is a constant and is left out), −∞ otherwise.
 * Sampling sorts K draws of D. Support: positiveOrdered when D lives on the positive reals.
 * Mean/variance: those of the order statistics X_(1) ≤ … ≤ X_(K) of K iid draws, by quadrature
 * of C_k·F^{k−1}·S^{K−k}·f (needs D's log-CDF; assumes the K components of D are identical).
 */
import { tf } from "../core/engine.js";
import { lgamma } from "../core/special.js";
import { ordered as orderedSupport, positiveOrdered } from "./constraints.js";
import { DistributionError, type Distribution } from "./distribution.js";
import { quadratureMoments, type Range } from "./quadrature.js";
import { compare, constMask, inSupport, makeDistribution, type DistributionOptions } from "./util.js";

export function ordered(base: Distribution, options: DistributionOptions = {}): Distribution {
  if (base.eventShape.length > 0 || base.discrete) {
    throw new DistributionError(`ordered: the distribution must be univariate and continuous, got ${base.name}`);
  }
  const k = base.batchShape[base.batchShape.length - 1];
  if (k === undefined) {
    throw new DistributionError(`ordered: ${base.name} needs a size giving the vector length, e.g. ordered(${base.name}(..., size = K))`);
  }
  const kind = base.support.kind;
  if (kind !== "real" && kind !== "positive") {
    throw new DistributionError(`ordered: the distribution must live on the real line or the positive reals, got ${base.name}`);
  }
  const support = kind === "positive" ? positiveOrdered : orderedSupport;
  const moments = (): { mean: tf.Tensor; variance: tf.Tensor } => {
    const logCdf = base.logCdf;
    const logSf = base.logSf;
    if (!logCdf || !logSf) throw new DistributionError(`ordered(${base.name}): mean and variance need ${base.name}'s log-CDF, which is not available`);
    // log C_k = lgamma(K+1) − lgamma(k) − lgamma(K−k+1), k = 1..K.
    const ks = tf.range(1, k + 1, 1, "float32");
    const logC = tf.sub(tf.sub(lgamma(k + 1), lgamma(ks)), lgamma(tf.sub(k + 1, ks)));
    const below = tf.sub(ks, 1);
    const above = tf.sub(k, ks);
    const safeMul = (c: tf.Tensor, v: tf.Tensor): tf.Tensor => tf.where(compare(tf.equal, c, 0), tf.scalar(0), tf.mul(c, v));
    const logDensity = (x: tf.Tensor): tf.Tensor =>
      tf.add(tf.add(logC, base.logProb(x)), tf.add(safeMul(below, logCdf(x)), safeMul(above, logSf(x))));
    const sd = tf.sqrt(base.variance());
    const scale = tf.where(constMask(sd, tf.isFinite), sd, tf.onesLike(sd));
    const range: Range = kind === "positive" ? { kind: "lower", lo: tf.scalar(0), scale } : { kind: "real", center: base.mean(), scale };
    return quadratureMoments(logDensity, range, base.batchShape.length);
  };
  return makeDistribution({
    name: "ordered",
    support,
    paramShapes: [base.batchShape.slice(0, -1)],
    eventShape: [k],
    options,
    logProb: (x) => tf.where(inSupport(support, x), tf.sum(base.logProb(x), -1), tf.scalar(-Infinity)),
    logProbInSupport: (x) => tf.sum((base.logProbInSupport ?? base.logProb)(x), -1),
    sample: (key, sampleShape) => {
      const draws = base.sample(key, sampleShape);
      return tf.reverse(tf.topk(draws, k, true).values, -1);
    },
    mean: () => moments().mean,
    variance: () => moments().variance,
  });
}
