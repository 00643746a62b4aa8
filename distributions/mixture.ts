/**
 * Mixture(weights, [components]): a finite mixture of univariate components sharing one support.
 * log p(x) = logsumexp_k(log w_k + log p_k(x)); weights have shape [...batch, K].
 * mean = Σ w_k μ_k; variance = Σ w_k (σ²_k + μ²_k) − mean²; log-CDFs mix the same way.
 */
import { tf } from "../core/engine.js";
import { split, stream } from "../core/random.js";
import { logSumExp } from "../core/special.js";
import { describe as describeSupport } from "./constraints.js";
import { DistributionError, type Distribution } from "./distribution.js";
import { asTensor, broadcastShapes, check, makeDistribution, numel, type DistributionOptions, type Param } from "./util.js";

export function mixture(weights: Param, components: readonly Distribution[], options: DistributionOptions = {}): Distribution {
  if (typeof weights === "number") throw new DistributionError("Mixture: weights must be a vector, got a number");
  const w = asTensor(weights);
  const k = w.shape[w.shape.length - 1];
  if (w.rank === 0 || k === undefined) throw new DistributionError("Mixture: weights must be a vector");
  if (components.length !== k) throw new DistributionError(`Mixture: ${k} weights but ${components.length} components`);
  if (k < 1) throw new DistributionError("Mixture: needs at least one component");
  check("Mixture", "weights", weights, "probability", options.validate);
  const first = components[0]!;
  for (const c of components) {
    if (c.eventShape.length > 0) throw new DistributionError(`Mixture: components must be univariate, got ${c.name}`);
    if (c.support.kind !== first.support.kind || c.discrete !== first.discrete) {
      throw new DistributionError(`Mixture: components must share one support, got ${describeSupport(first.support)} (${first.name}) and ${describeSupport(c.support)} (${c.name})`);
    }
  }
  const logW = tf.log(w);
  const compBatch = broadcastShapes(...components.map((c) => c.batchShape));
  /** Stack per-component values (each broadcast to a common shape) on a new last axis. */
  const stackLast = (vals: tf.Tensor[]): tf.Tensor => {
    const shape = broadcastShapes(...vals.map((v) => v.shape));
    return tf.stack(vals.map((v) => tf.broadcastTo(v, shape)), -1);
  };
  const mixLog = (f: (c: Distribution) => tf.Tensor): tf.Tensor => logSumExp(tf.add(logW, stackLast(components.map(f))), -1);
  const allHave = (m: "logCdf" | "logSf"): boolean => components.every((c) => c[m] !== undefined);
  const weightsOut = (): tf.Tensor => w;
  return makeDistribution({
    name: "Mixture",
    support: first.support,
    discrete: first.discrete,
    paramShapes: [w.shape.slice(0, -1), compBatch],
    options,
    logProb: (x) => mixLog((c) => c.logProb(x)),
    sample: (key, sampleShape, batchShape) => {
      const [kc, ...keys] = split(key, k + 1);
      // Pad each component's batch on the left so sample axes stay in front of the wider batch.
      const draws = stackLast(
        components.map((c, i) => {
          const pad = new Array<number>(batchShape.length - c.batchShape.length).fill(1);
          const d = tf.reshape(c.sample(keys[i]!, sampleShape), [...sampleShape, ...pad, ...c.batchShape]);
          return tf.broadcastTo(d, [...sampleShape, ...batchShape]);
        }),
      );
      const p = tf.tidy(() => tf.broadcastTo(weightsOut(), [...batchShape, k]).dataSync());
      const m = numel(batchShape);
      const n = numel(sampleShape);
      const s = stream(kc!);
      const pick = new Float32Array(n * m * k);
      for (let i = 0; i < n * m; i++) {
        const j = i % m;
        let u = s.uniform();
        let c = 0;
        while (c < k - 1 && u >= p[j * k + c]!) u -= p[j * k + c++]!;
        pick[i * k + c] = 1;
      }
      return tf.sum(tf.mul(draws, tf.tensor(pick, [...sampleShape, ...batchShape, k])), -1);
    },
    mean: () => tf.sum(tf.mul(w, stackLast(components.map((c) => c.mean()))), -1),
    variance: () => {
      const mu = stackLast(components.map((c) => c.mean()));
      const m = tf.sum(tf.mul(w, mu), -1);
      const second = tf.sum(tf.mul(w, tf.add(stackLast(components.map((c) => c.variance())), tf.square(mu))), -1);
      return tf.sub(second, tf.square(m));
    },
    ...(allHave("logCdf") ? { logCdf: (x: tf.Tensor) => mixLog((c) => c.logCdf!(x)) } : {}),
    ...(allHave("logSf") ? { logSf: (x: tf.Tensor) => mixLog((c) => c.logSf!(x)) } : {}),
  });
}
