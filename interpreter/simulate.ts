/**
 * Simulation by the same evaluator with another handler (not a second interpreter):
 *   - prior predictive: every latent and every observed variable drawn, C = n draws at once
 *     (the draw index takes the place of the chain axis);
 *   - posterior predictive: latents fixed at posterior draws (constrained values), every
 *     variable that is `missing` in the instance drawn from its distribution given them.
 * For each simulated variable the per-draw distribution's mean and variance are kept, so
 * predictive means and variances are exact mixtures over draws (law of total variance),
 * and class probabilities for Bernoulli/Categorical come from the per-draw probabilities.
 */
import { tf } from "../core/engine.js";
import { fold, type Key } from "../core/random.js";
import type { Distribution } from "../distributions/distribution.js";
import type { Handler } from "./handler.js";
import { latentShape, observedDist } from "./handlers.js";
import { inferBatched } from "../nn/layer.js";
import { evalNetworks, runModel, type ModelInstance } from "./instance.js";
import type { NetMode } from "./handler.js";
import { tensor, type Value } from "./value.js";

/** One simulated variable over n draws: samples and per-draw moments, `[n, ...shape]`. */
export interface Simulated {
  /** The distribution family of the variable (`Normal`, `Bernoulli`, ...). */
  readonly family: string;
  readonly draws: tf.Tensor;
  readonly mean: tf.Tensor;
  readonly variance: tf.Tensor;
  /** Per-draw class probabilities `[n, ...shape, K]` (Bernoulli: K = 2 for classes 0, 1; Categorical: 1..K). */
  readonly probs?: tf.Tensor;
}

function classProbs(d: Distribution, n: number, shape: readonly number[]): tf.Tensor | undefined {
  if (d.name !== "Bernoulli" && d.name !== "Categorical") return undefined;
  const k = d.name === "Bernoulli" ? 2 : d.eventShape.length === 0 && d.support.kind === "integer" ? d.support.upper : 0;
  if (!Number.isFinite(k) || k < 2) return undefined;
  const first = d.name === "Bernoulli" ? 0 : 1;
  const cols = Array.from({ length: k }, (_, j) => {
    const x = tf.fill([n, ...shape], first + j);
    return tf.exp(d.logProb(x));
  });
  return tf.stack(cols, -1);
}

function full(t: tf.Tensor, n: number, shape: readonly number[], batched: boolean): tf.Tensor {
  return batched ? tf.broadcastTo(t, [n, ...shape]) : tf.broadcastTo(t, [n, ...shape]);
}

/**
 * Run the model with `fixed` latents (`[n, ...shape]` constrained) and draw the rest.
 * `observed`: also redraw observed variables (prior predictive replications). `modes`: how
 * each network runs (MC dropout runs them in training mode), else evaluation mode.
 * Returns every drawn variable; the caller owns the tensors.
 */
export function simulate(inst: ModelInstance, n: number, seed: Key, fixed: ReadonlyMap<string, tf.Tensor>, observed: boolean, modes?: (name: string) => NetMode | undefined): Map<string, Simulated> {
  const out = new Map<string, Simulated>();
  let site = 0;
  const draw = (name: string, d: Distribution, shape: readonly number[], batched: boolean): tf.Tensor => {
    const k = fold(seed, site++);
    const x = batched ? d.sample(k) : d.sample(k, [n]);
    const probs = classProbs(d, n, shape);
    out.set(name, {
      family: d.name,
      draws: tf.keep(tf.reshape(x, [n, ...shape])),
      mean: tf.keep(full(d.mean(), n, shape, batched)),
      variance: tf.keep(full(d.variance(), n, shape, batched)),
      ...(probs !== undefined ? { probs: tf.keep(probs) } : {}),
    });
    return x;
  };
  const handler: Handler = {
    latent(s) {
      const v = fixed.get(s.name);
      if (v !== undefined) return tensor(v, true);
      const d = s.dist.build(0);
      return tensor(draw(s.name, d, latentShape(s, d), s.dist.batched), true);
    },
    observe(s) {
      if (!observed) return;
      // Widen the distribution to the data's shape so that one value is drawn per observation.
      const shape = s.value.t.shape.slice(s.value.batched ? 1 : 0);
      const ev = observedDist(s).eventShape.length;
      const d = s.dist.resized(shape.slice(0, shape.length - ev)).build(0);
      draw(s.name, d, shape, s.dist.batched || s.value.batched);
    },
    factor() {},
    network(name, layer) {
      const mode = modes?.(name) ?? evalNetworks(inst)?.(name);
      const params = inst.points.get(name) ?? {};
      // Point parameters with a draw axis (MC dropout) run the draws as chains.
      return { params, batched: inferBatched(layer, params), ...(mode !== undefined ? { mode } : {}) };
    },
    record(_name: string, _v: Value) {},
  };
  tf.tidy(() => runModel(inst, handler));
  return out;
}

/** Prior predictive: n joint draws of every latent and every observed variable. */
export function priorPredictive(inst: ModelInstance, n: number, seed: Key): Map<string, Simulated> {
  return simulate(inst, n, seed, new Map(), true);
}

/** Mixture moments over draws: mean = E[mean_s], variance = E[var_s] + Var[mean_s]. */
export function mixtureMoments(s: Simulated): { mean: tf.Tensor; variance: tf.Tensor } {
  return tf.tidy(() => {
    const m = tf.mean(s.mean, 0);
    const v = tf.add(tf.mean(s.variance, 0), tf.mean(tf.square(tf.sub(s.mean, m)), 0));
    return { mean: m, variance: v };
  });
}

export function disposeSimulated(m: ReadonlyMap<string, Simulated>): void {
  for (const s of m.values()) {
    s.draws.dispose();
    s.mean.dispose();
    s.variance.dispose();
    s.probs?.dispose();
  }
}
