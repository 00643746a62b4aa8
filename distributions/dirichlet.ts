/**
 * Dirichlet(alpha) on the simplex; alpha has shape [...batch, K], the value [...batch, K].
 * log p(x) = Σ (α_k − 1)·log x_k + lgamma(Σα) − Σ lgamma(α_k); −∞ off the simplex.
 */
import { tf } from "../core/engine.js";
import { stream } from "../core/random.js";
import { lgamma, xlogy } from "../core/special.js";
import { simplex } from "./constraints.js";
import { DistributionError, type Distribution } from "./distribution.js";
import { asTensor, check, inSupport, makeDistribution, numel, type DistributionOptions, type Param } from "./util.js";

export function dirichlet(alpha: Param, options: DistributionOptions = {}): Distribution {
  if (typeof alpha === "number") throw new DistributionError("Dirichlet: alpha must be a vector of positive concentrations, got a number");
  check("Dirichlet", "alpha", alpha, "positive", options.validate);
  const a = asTensor(alpha);
  const k = a.shape[a.shape.length - 1];
  if (a.rank === 0 || k === undefined || k < 2) throw new DistributionError(`Dirichlet: alpha must have length ≥ 2, got shape [${a.shape.join(", ")}]`);
  const a0 = (): tf.Tensor => tf.sum(a, -1, true);
  const formula = (x: tf.Tensor): tf.Tensor => {
    const norm = tf.sub(lgamma(tf.sum(a, -1)), tf.sum(lgamma(a), -1));
    return tf.add(tf.sum(xlogy(tf.sub(a, 1), x), -1), norm);
  };
  return makeDistribution({
    name: "Dirichlet",
    support: simplex,
    paramShapes: [a.shape.slice(0, -1)],
    eventShape: [k],
    options,
    logProb: (x) => tf.where(inSupport(simplex, x), formula(x), tf.scalar(-Infinity)),
    logProbInSupport: formula,
    sample: (key, sampleShape, batchShape) => {
      const al = tf.tidy(() => tf.broadcastTo(a, [...batchShape, k]).dataSync());
      const m = numel(batchShape);
      const n = numel(sampleShape);
      const s = stream(key);
      const out = new Float32Array(n * m * k);
      for (let i = 0; i < n * m; i++) {
        const j = i % m;
        let total = 0;
        for (let c = 0; c < k; c++) total += out[i * k + c] = s.gamma(al[j * k + c]!);
        for (let c = 0; c < k; c++) out[i * k + c] = out[i * k + c]! / total;
      }
      return tf.tensor(out, [...sampleShape, ...batchShape, k]);
    },
    mean: () => tf.div(a, a0()),
    variance: () => {
      const s0 = a0();
      return tf.div(tf.mul(a, tf.sub(s0, a)), tf.mul(tf.square(s0), tf.add(s0, 1)));
    },
  });
}
