/**
 * Posteriors from `sample`: the instance, the sampler result, and the named outputs of every
 * draw (constrained latents and recorded quantities). `predict` runs the model again with
 * the latents fixed at the posterior draws (simulate.ts) for an instance with `missing` data.
 */
import { tf } from "../core/engine.js";
import type { Engine } from "./record-model.js";
import { key as makeKey } from "../core/random.js";
import { sample as runSampler, type ProgressInfo, type SampleResult } from "../inference/mcmc/index.js";
import type { Draws, SamplerStats } from "../inference/draws/index.js";
import { formatSummaryTable, summarize, warnings } from "../inference/diagnostics/index.js";
import type { Span } from "../grammar/ast.js";
import { DlmError } from "./errors.js";
import type { NetMode } from "./handler.js";
import { outputNamesOf, outputsOf, posteriorModel, constrainedLatents, type ModelInstance } from "./instance.js";
import { columnMajorOrder, scalarNames } from "./names.js";
import { disposeSimulated, mixtureMoments, simulate } from "./simulate.js";
import { num, tensor, type Value } from "./value.js";

/**
 * What summaries, predictions and files read of a posterior's draws, whoever made them: the
 * sampler's result, draws loaded from CSV (no unconstrained draws), or draws from a
 * variational approximation (one "chain" of independent draws).
 */
export interface PosteriorDraws {
  readonly dim: number;
  readonly chains: number;
  readonly seed: number;
  /** "nuts", "hmc", or the VI family ("meanfield", "fullrank"). */
  readonly algorithm: string;
  readonly nDraws: number;
  /** Per chain, `nDraws × dim` unconstrained draws (empty for loaded draws). */
  readonly draws: readonly Float32Array[];
  readonly stats: readonly SamplerStats[];
  readonly stepSize: readonly number[];
  readonly metric: "diag" | "dense";
  readonly inverseMetric: readonly Float64Array[];
  readonly seconds: { readonly warmup: number; readonly sampling: number };
  readonly interrupted: boolean;
}

/** A variational fit's own facts, for `summary` and `plot_history`. */
export interface ViFacts {
  /** "meanfield" or "fullrank" (ADVI), "bbb" (Bayes by Backprop). */
  readonly method: string;
  /** Iterations (ADVI), optimiser steps (Bayes by Backprop). */
  readonly iterations: number;
  readonly converged: boolean;
  /** ADVI's step size (NaN for Bayes by Backprop). */
  readonly eta: number;
  readonly paretoK: number;
  readonly warnings: readonly string[];
  readonly elbo: readonly { readonly iteration: number; readonly value: number }[];
  /** Bayes by Backprop's run, as the training driver ran it. */
  readonly bbb?: {
    /** q's covariance: "meanfield", "lowrank" (of `rank`) or "full". */
    readonly covariance: string;
    readonly rank?: number;
    readonly optimiser: string;
    readonly epochs: number;
    readonly bestEpoch: number;
    readonly stoppedEarly: boolean;
    readonly rows: number;
    readonly batchSize: number;
    /** The metrics of every epoch (`elbo`, `loss` = −ELBO/N, validation metrics). */
    readonly history: readonly Readonly<Record<string, number>>[];
  };
}

export interface Posterior {
  /** The sampled instance; undefined for draws loaded from CSV files (`loaded`). */
  readonly inst: ModelInstance | undefined;
  readonly result: PosteriorDraws;
  /** Set for draws from a variational approximation (`vi`). */
  readonly vi?: ViFacts;
  readonly names: readonly string[];
  /** Per chain, per draw, the output scalars. */
  readonly outputs: readonly (readonly number[][])[];
  /** Draws read back by `load_draws`: `predict` takes the latents from their columns by name. */
  readonly loaded?: Draws;
  /** How it was sampled (for the CSV header of `save`). */
  readonly settings?: SampleSettings;
}

export interface SampleSettings {
  readonly algorithm: "nuts" | "hmc";
  readonly draws: number;
  readonly chains: number;
  readonly warmup: number;
  readonly seed: number;
  readonly adaptDelta?: number;
  readonly maxDepth?: number;
  readonly stepSize?: number;
  readonly steps?: number;
  /** Which engine computes the gradients (default: getDefaultEngine, auto unless set). */
  readonly engine?: Engine;
  /** Hears the engine's line (which ran and, on a fallback, why). */
  readonly note?: (line: string) => void;
  /** Stops the run after the current iteration, keeping the completed draws. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (info: ProgressInfo) => void;
}

/** Run NUTS/HMC on an instance. Point parameters (networks without priors) are refused. */
export async function samplePosterior(inst: ModelInstance, s: SampleSettings, span: Span): Promise<Posterior> {
  if (inst.points.size > 0) {
    const nets = [...inst.points.keys()].join(", ");
    throw new DlmError(`\`sample\` needs a prior on every parameter, but the network${inst.points.size > 1 ? "s" : ""} ${nets} ${inst.points.size > 1 ? "have" : "has"} parameters without one`, span,
      `add \`params(${[...inst.points.keys()][0]!}) ~ Normal(0, 1)\` in the model (or another prior), or fit point estimates with \`train\``);
  }
  const model = posteriorModel(inst, { chains: s.chains, ...(s.engine !== undefined ? { engine: s.engine } : {}), ...(s.note !== undefined ? { note: s.note } : {}) });
  if (model.dim === 0) throw new DlmError("this model instance has no latent variables to sample", span, "give some arguments as `missing`, or add `~` statements for unknowns");
  const run = runSampler(model, {
    algorithm: s.algorithm,
    draws: s.draws,
    chains: s.chains,
    warmup: s.warmup,
    seed: s.seed,
    ...(s.adaptDelta !== undefined ? { adaptDelta: s.adaptDelta } : {}),
    ...(s.maxDepth !== undefined ? { maxDepth: s.maxDepth } : {}),
    ...(s.algorithm === "hmc" ? { hmc: { ...(s.stepSize !== undefined ? { stepSize: s.stepSize } : {}), ...(s.steps !== undefined ? { steps: s.steps } : {}) } } : {}),
    ...(s.signal !== undefined ? { signal: s.signal } : {}),
    ...(s.onProgress !== undefined ? { onProgress: s.onProgress } : {}),
  });
  let result: SampleResult;
  try {
    result = await run;
  } catch (e) {
    // The sampler's own messages (no finite initial point, bad settings) are the user's to read.
    if (e instanceof DlmError || !(e instanceof Error)) throw e;
    throw new DlmError(e.message, span);
  }
  if (result.interrupted && result.nDraws === 0) throw new DlmError("`sample` was interrupted during warm-up: no draws were kept", span);
  const outputs = result.draws.map((d) =>
    tf.tidy(() => (result.nDraws === 0 ? [] : outputsOf(inst, tf.tensor2d(d, [result.nDraws, result.dim])))),
  );
  return { inst, result, names: outputNamesOf(inst), outputs, settings: s };
}

/** The summary table and the sampler's warnings (each line `warning: ...`), as lines. */
export function summaryLines(p: Posterior): string[] {
  const chains = p.outputs.map((rows) => p.names.map((_, j) => Float64Array.from(rows, (r) => r[j]!)));
  if (p.vi !== undefined) {
    // Independent draws from q: no sampler diagnostics, the fit's own facts instead.
    const s = summarize({ names: p.names, chains }, { maxDepth: 10 });
    const v = p.vi;
    const last = v.elbo[v.elbo.length - 1];
    const b = v.bbb;
    const run = b === undefined
      ? `ADVI (${v.method}): ${v.converged ? "converged" : "stopped"} after ${v.iterations} iterations, eta ${v.eta}`
      : `Bayes by Backprop${b.covariance === "meanfield" ? "" : ` (${b.covariance} covariance${b.rank !== undefined ? `, rank ${b.rank}` : ""})`}: ${b.epochs} epoch${b.epochs === 1 ? "" : "s"} of ${b.rows} rows in batches of ${b.batchSize} (${v.iterations} steps of ${b.optimiser})` +
        `${b.stoppedEarly ? `, stopped early, q of epoch ${b.bestEpoch}` : ""}${p.result.interrupted ? ", interrupted" : ""}`;
    return [
      `${run}${last !== undefined ? `, ELBO ${last.value.toPrecision(6)}` : ""}, Pareto k̂ ${Number.isFinite(v.paretoK) ? v.paretoK.toFixed(2) : "n/a"}; ${p.result.nDraws} draws from the approximation`,
      ...formatSummaryTable(s.rows).split("\n"),
      ...v.warnings.map((w) => `warning: ${w}`),
    ];
  }
  const s = summarize({ names: p.names, chains, sampler: p.result.stats }, { maxDepth: 10 });
  return [...formatSummaryTable(s.rows).split("\n"), ...warnings(s).map((w) => `warning: ${w}`)];
}

/** `predict(post, inst)`: per missing variable, exact mixture moments and the draws. */
export function predict(p: Posterior, inst: ModelInstance, seed: number): Value {
  const { fixed, n } = posteriorLatents(p, inst);
  const out = predictionAt(inst, n, seed, fixed);
  for (const t of fixed.values()) t.dispose();
  return out;
}

/**
 * The latents of `inst` at every draw of `p` (all chains stacked), `[n, ...shape]`
 * constrained: from the unconstrained draws of a sampled or fitted posterior, or by column name
 * from loaded draws. The caller disposes them.
 */
export function posteriorLatents(p: Posterior, inst: ModelInstance): { fixed: Map<string, tf.Tensor>; n: number } {
  const all = p.result.draws;
  const n = p.loaded !== undefined ? p.result.chains * p.result.nDraws : all.length * p.result.nDraws;
  if (n === 0) throw new DlmError("the posterior has no draws", undefined);
  if (p.loaded !== undefined || p.inst === undefined) return { fixed: loadedLatents(p, inst, n), n };
  const sampled = p.inst;
  const q = new Float32Array(n * p.result.dim);
  all.forEach((d, c) => q.set(d, c * d.length));
  const kept: Record<string, tf.Tensor> = tf.tidy(() => Object.fromEntries(constrainedLatents(sampled, tf.tensor2d(q, [n, p.result.dim]))));
  return { fixed: new Map(Object.entries(kept)), n };
}

/**
 * The prediction record of `inst` with its latents fixed at `fixed` (`[n, ...shape]`, n draws):
 * per missing variable, exact mixture moments over the draws, the draws, and class
 * probabilities for classifiers.
 */
export function predictionAt(inst: ModelInstance, n: number, seed: number, fixed: ReadonlyMap<string, tf.Tensor>, modes?: (name: string) => NetMode | undefined): Value {
  const sims = simulate(inst, n, makeKey(seed), fixed, false, modes);
  const fields = new Map<string, Value>();
  for (const [name, s] of sims) {
    const m = mixtureMoments(s);
    const f = new Map<string, Value>([
      ["mean", tensor(m.mean, false)],
      ["sd", tensor(tf.sqrt(m.variance), false)],
      ["draws", tensor(tf.clone(s.draws), false)],
      ["family", { kind: "str", v: s.family }],
      // Per-draw moments: the Normal predictive mixture is exact from them (loglik).
      ["__means", tensor(tf.clone(s.mean), false)],
      ["__variances", tensor(tf.clone(s.variance), false)],
    ]);
    m.variance.dispose();
    if (s.probs !== undefined) {
      f.set("probs", tensor(tf.mean(s.probs, 0), false));
      // mean_s H[p_s]: with H[p̄] it gives the epistemic part (mutual_info).
      const probs = s.probs;
      f.set("__entropy_mean", tensor(tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(probs, tf.log(tf.maximum(probs, 1e-30))), -1)), 0)), false));
    }
    f.set("ndraws", num(n));
    fields.set(name, { kind: "record", tag: "predictive distribution", fields: f });
  }
  disposeSimulated(sims);
  if (fields.size === 0) throw new DlmError("this instance has nothing to predict", undefined, "give the variable to predict as `missing`, e.g. `predict(post, model(xnew, missing))`");
  return { kind: "record", tag: "prediction", fields };
}

/**
 * The latents of `inst` as `[n, ...shape]` tensors from loaded draws, found by their Stan-style
 * column names (`beta[1]`, ...; column-major, as written), draws of all chains stacked.
 */
function loadedLatents(p: Posterior, inst: ModelInstance, n: number): Map<string, tf.Tensor> {
  const column = new Map(p.names.map((name, j) => [name, j]));
  const out = new Map<string, tf.Tensor>();
  // Missing data arguments are latents of `inst` too: those are what predict simulates.
  for (const l of inst.latents.filter((x) => !inst.missing.has(x.name))) {
    const names = scalarNames(l.name, l.shape);
    const order = columnMajorOrder(l.shape);
    const size = names.length;
    const data = new Float32Array(n * size);
    names.forEach((name, k) => {
      const j = column.get(name);
      if (j === undefined) {
        for (const t of out.values()) t.dispose();
        throw new DlmError(`the loaded draws have no column \`${name}\` for the latent \`${l.name}\` of this model`, undefined, "load draws saved from a posterior of the same model");
      }
      let i = 0;
      for (const rows of p.outputs) for (const r of rows) data[i++ * size + order[k]!] = r[j]!;
    });
    out.set(l.name, tf.tensor(data, [n, ...l.shape], "float32"));
  }
  return out;
}
