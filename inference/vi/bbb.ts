/**
 * Bayes by Backprop (Blundell, Cornebise, Kavukcuoglu & Wierstra 2015; design/inference.md
 * §5.2–5.3): a Gaussian q(ζ) over the unconstrained latents (network weights with priors and
 * every other latent alike), factorised by default, q = Π N(μ_d, σ_d²) with σ = softplus(ρ) +
 * 1e-6, or with a low-rank or full covariance (gaussian-q.ts), fitted by the training driver
 * (inference/train.ts: its optimiser, minibatches, progress, early stopping and Ctrl-C) on the
 * minibatched negative ELBO.
 *
 * The loss of a batch of B of the N rows is −(E_q[(N/B)·log p(y_batch | ζ) + log p(ζ) + log|J|] +
 * H[q]) / N: the likelihood scaled to the whole data, the prior terms and the entropy H[q] =
 * ½ log det(2πe Σ) once per batch, and everything divided by N so that learning rates mean
 * what they mean in training (TFP's "KL / num_examples" form). The driver weights each batch's
 * loss by its rows, so over an epoch the prior and entropy (the KL) count exactly once:
 * Σ_i (B_i/N)·KL = KL. The expectation E_q[...] is the model's business (`BbbModel`): a Monte
 * Carlo average over draws, with analytic expectations and per-example noise where it has them.
 *
 * The result has the same shape as ADVI's: the mean and marginal sds of q, draws from q with
 * log p̃ and log q at each, and Pareto k̂ of log p̃ − log q (Yao et al. 2018), with a warning
 * above 0.7 when every step saw all the data (on minibatches the approximation is of the same
 * posterior, but k̂ judges q against the full-data density it was not fitted on step by step, so
 * it is reported, not warned about).
 */
import { tf } from "../../core/engine.js";
import { fold, key, type Key } from "../../core/random.js";
import type { Optimiser } from "../../nn/optimisers.js";
import { walkParams } from "../../nn/tree.js";
import { psis } from "../diagnostics/psis.js";
import { train, TrainingError, type EpochMetrics, type TrainProgress } from "../train.js";
import { ViError } from "./advi.js";
import { gaussianFamily, type Covariance, type FittedQ, type GaussianQ } from "./gaussian-q.js";

/** The model as Bayes by Backprop sees it. */
export interface BbbModel {
  readonly dim: number;
  /** Observation rows that minibatches are drawn from (1 when the data cannot be split). */
  readonly rows: number;
  /**
   * E_q[(N/B)·log p(y_rows | ζ) + log p(ζ) + log|J|], estimated from `draws` draws made with
   * `key`, on `rows` (0-based; every row when undefined): a scalar the caller owns,
   * differentiable in q's parameters.
   */
  expectedLogJoint(q: GaussianQ, rows: Int32Array | undefined, draws: number, key: Key): tf.Scalar;
  /** The full-data log density log p̃ at the rows of `q` (`[S, D]`), for lp__ and k̂: caller owns. */
  logDensity(q: tf.Tensor2D): tf.Tensor1D;
  /** Metrics of q after an epoch (validation), by the driver's naming (`val_loss`, ...). */
  evaluate?(q: FittedQ): Readonly<Record<string, number>>;
}

export interface BbbSettings {
  readonly epochs: number;
  /** Rows per batch (default: all of them). */
  readonly batchSize?: number;
  readonly seed: number;
  readonly optimiser: Optimiser;
  /** The initial means (unconstrained), length D. */
  readonly init: ArrayLike<number>;
  /** The initial ρ of every σ = softplus(ρ) (default −3, σ ≈ 0.049; see `bbb`). */
  readonly rho?: number;
  /** q's covariance (default "meanfield"), and the rank of "lowrank" (default min(10, D)). */
  readonly covariance?: Covariance;
  readonly rank?: number;
  /** Draws of ζ per gradient step (default 1, as Blundell et al.). */
  readonly gradDraws?: number;
  /** Draws from the fitted q returned (default 1,000). */
  readonly outputDraws?: number;
  readonly patience?: number;
  readonly monitor?: string;
  readonly schedule?: (epoch: number) => number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: TrainProgress) => void;
  /** After every epoch: its 1-based number and metrics (with `elbo`, the epoch's ELBO estimate). */
  readonly onEpoch?: (epoch: number, metrics: EpochMetrics) => void;
}

export interface BbbResult {
  readonly dim: number;
  readonly covariance: Covariance;
  /** The rank of a "lowrank" covariance. */
  readonly rank?: number;
  readonly mean: Float64Array;
  /** The marginal sds of q. */
  readonly sd: Float64Array;
  /** Draws from q, row-major `[outputDraws, D]`, with log p̃ and log q at each. */
  readonly draws: Float32Array;
  readonly logP: Float64Array;
  readonly logQ: Float64Array;
  /** The ELBO estimate of every epoch (the mean over its batches), at the step that ended it. */
  readonly elbo: readonly { readonly iteration: number; readonly value: number }[];
  /** The driver's metrics per epoch (`loss` = −ELBO/N, validation metrics), with `elbo`. */
  readonly history: readonly EpochMetrics[];
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly steps: number;
  readonly interrupted: boolean;
  readonly stoppedEarly: boolean;
  readonly paretoK: number;
  readonly warnings: readonly string[];
  readonly seconds: number;
}

/** Pareto k̂ above this: the approximation is not to be trusted for importance sampling (Yao et al. 2018). */
const K_HAT_WARN = 0.7;

/** Fit q to `model` (see the module comment). */
export async function bbb(model: BbbModel, s: BbbSettings): Promise<BbbResult> {
  const start = performance.now();
  const d = model.dim;
  if (d === 0) throw new ViError("the model has no latent variables to approximate");
  if (s.init.length !== d) throw new ViError(`the initial means have ${s.init.length} values, the model ${d}`);
  const gradDraws = s.gradDraws ?? 1;
  const outputDraws = s.outputDraws ?? 1000;
  for (const [name, v] of [["epochs", s.epochs], ["draws per step", gradDraws], ["output draws", outputDraws]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ViError(`${name} must be a positive integer, got ${v}`);
  }
  const family = gaussianFamily(s.covariance ?? "meanfield", d, s.rank);
  const n = model.rows;
  const batchSize = Math.min(s.batchSize ?? n, n);
  const root = key(s.seed);
  // Initialisation (Blundell et al. §3.2; TFP's defaults): μ from the layers' initialisers (and
  // Stan's uniform(−2, 2) for other latents, as `train` starts), ρ = −3 so σ ≈ 0.049. Small σ
  // makes the first steps nearly those of training the deterministic network, whose initialiser
  // keeps activations in range; a large σ (σ = 1, ADVI's start) would push a network's
  // pre-activations far out and give the likelihood's gradient as much noise as signal, so that
  // the KL term, which pulls σ toward the prior's scale, wins before the means have moved.
  const init = family.init(Float32Array.from(s.init), s.rho ?? -3, fold(root, 2));
  const metricsOf = (m: EpochMetrics): EpochMetrics => ({ elbo: -m["loss"]! * n, ...m });
  let result;
  try {
    result = await train({
      rows: n,
      loss: (p, rows, step) => {
        const q = family.view(p);
        const elbo = tf.add(model.expectedLogJoint(q, rows, gradDraws, fold(root, step + 1)), q.entropy());
        return tf.div(tf.neg(elbo), n) as tf.Scalar;
      },
      ...(model.evaluate !== undefined ? { evaluate: (p) => model.evaluate!(family.fitted(p)) } : {}),
    }, s.optimiser, init, {
      epochs: s.epochs, batchSize, seed: s.seed,
      ...(s.patience !== undefined ? { patience: s.patience } : {}), ...(s.monitor !== undefined ? { monitor: s.monitor } : {}),
      ...(s.schedule !== undefined ? { schedule: s.schedule } : {}), ...(s.signal !== undefined ? { signal: s.signal } : {}),
      ...(s.onProgress !== undefined ? { onProgress: s.onProgress } : {}),
      ...(s.onEpoch !== undefined ? { onEpoch: (c) => s.onEpoch!(c.epoch, metricsOf(c.history[c.history.length - 1]!)) } : {}),
    });
  } catch (e) {
    if (e instanceof TrainingError) throw new ViError(e.message.replace("the loss is", "the negative ELBO is"));
    throw e;
  } finally {
    for (const e of walkParams(init)) e.tensor.dispose();
  }
  const fitted = family.fitted(result.params);
  for (const e of walkParams(result.params)) e.tensor.dispose();

  // Draws from q with log q, and log p̃ (in chunks: a network's log density on every row is the costly part).
  const { draws, logQ } = fitted.draw(outputDraws, fold(root, 0));
  const logP = new Float64Array(outputDraws);
  const chunk = Math.max(1, Math.min(outputDraws, Math.floor(2e6 / Math.max(1, n * 64))));
  for (let r = 0; r < outputDraws; r += chunk) {
    const m = Math.min(chunk, outputDraws - r);
    logP.set(tf.tidy(() => model.logDensity(tf.tensor2d(draws.subarray(r * d, (r + m) * d), [m, d])).dataSync()), r);
  }
  const paretoK = psis(Float64Array.from(logP, (p, r) => (Number.isFinite(p) ? p - logQ[r]! : -Infinity))).k;
  const warnings: string[] = [];
  if (batchSize === n && paretoK > K_HAT_WARN) {
    warnings.push(`Pareto k̂ = ${paretoK.toFixed(2)} > ${K_HAT_WARN}: the approximation is poor for importance sampling and its uncertainty may be badly off (Yao et al. 2018); consider NUTS`);
  }
  const history = result.history.map(metricsOf);
  const perEpoch = Math.ceil(n / batchSize);
  const last = history[history.length - 1];
  if (last !== undefined && !Number.isFinite(last["elbo"]!)) warnings.push(`the ELBO estimate of the last epoch is ${last["elbo"]}`);
  return {
    dim: d, covariance: family.covariance, ...(family.rank !== undefined ? { rank: family.rank } : {}), mean: fitted.mean, sd: fitted.sd, draws, logP, logQ,
    elbo: history.map((m, e) => ({ iteration: Math.min(result.steps, (e + 1) * perEpoch), value: m["elbo"]! })),
    history, epochs: result.epochs, bestEpoch: result.bestEpoch, steps: result.steps, interrupted: result.interrupted, stoppedEarly: result.stoppedEarly,
    paretoK, warnings, seconds: (performance.now() - start) / 1000,
  };
}
