/**
 * Categorical(p) / Categorical(logits = η) over 1..K (1-based, as in Stan and Julia).
 * p (or η) has shape [...batch, K]; the value has the batch shape.
 * log p(k) = log p_k, or η_k − logsumexp(η) for the logits form.
 */
import { tf } from "../core/engine.js";
import { stream } from "../core/random.js";
import { logSumExp } from "../core/special.js";
import { integerInterval } from "./constraints.js";
import { DistributionError, type Distribution } from "./distribution.js";
import { asTensor, check, constMask, makeDistribution, numel, type DistributionOptions, type Param } from "./util.js";

function lastDim(t: tf.Tensor, what: string): number {
  const k = t.shape[t.shape.length - 1];
  if (t.rank === 0 || k === undefined || k < 1) throw new DistributionError(`Categorical: ${what} must be a vector of length ≥ 1, got shape [${t.shape.join(", ")}]`);
  return k;
}

function makeCategorical(logp: tf.Tensor, options: DistributionOptions): Distribution {
  const k = lastDim(logp, "p");
  const ks = tf.range(1, k + 1, 1, "float32");
  const probs = (): tf.Tensor => tf.exp(logp);
  return makeDistribution({
    name: "Categorical",
    support: integerInterval(1, k),
    discrete: true,
    paramShapes: [logp.shape.slice(0, -1)],
    options,
    logProb: (x) => {
      // where() rather than a one-hot product: 0·(−∞) would be NaN for zero-probability classes.
      const hit = constMask(x, (v) => tf.equal(tf.expandDims(v, -1), ks));
      return tf.sum(tf.where(hit, logp, tf.scalar(0)), -1);
    },
    sample: (key, sampleShape, batchShape) => {
      const p = tf.tidy(() => tf.broadcastTo(probs(), [...batchShape, k]).dataSync());
      const m = numel(batchShape);
      const n = numel(sampleShape);
      const s = stream(key);
      const out = new Float32Array(n * m);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          let u = s.uniform();
          let c = 0;
          while (c < k - 1 && u >= p[j * k + c]!) u -= p[j * k + c++]!;
          out[i * m + j] = c + 1;
        }
      }
      return tf.tensor(out, [...sampleShape, ...batchShape]);
    },
    mean: () => tf.sum(tf.mul(probs(), ks), -1),
    variance: () => {
      const p = probs();
      const m = tf.sum(tf.mul(p, ks), -1);
      return tf.sub(tf.sum(tf.mul(p, tf.square(ks)), -1), tf.square(m));
    },
  });
}

/** Categorical(p), p a probability vector (or a batch of them along the last axis). */
export function categorical(p: Param, options: DistributionOptions = {}): Distribution {
  if (typeof p === "number") throw new DistributionError("Categorical: p must be a vector of probabilities, got a number");
  check("Categorical", "p", p, "probability", options.validate);
  if (options.validate === true) {
    const sums = tf.tidy(() => tf.sum(p, -1).dataSync());
    const bad = sums.findIndex((v) => Math.abs(v - 1) > 1e-4);
    if (bad >= 0) throw new DistributionError(`Categorical: p must sum to 1, got ${sums[bad]}`);
  }
  return makeCategorical(tf.log(asTensor(p)), options);
}

/** Categorical(logits = η): p = softmax(η). */
export function categoricalLogits(logits: Param, options: DistributionOptions = {}): Distribution {
  if (typeof logits === "number") throw new DistributionError("Categorical: logits must be a vector, got a number");
  check("Categorical", "logits", logits, "finite", options.validate);
  const eta = asTensor(logits);
  return makeCategorical(tf.sub(eta, logSumExp(eta, -1, true)), options);
}
