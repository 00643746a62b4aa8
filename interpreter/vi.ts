/**
 * `vi(inst, ADVI(...); ...)`: ADVI (inference/vi/advi.ts) on an instance's unconstrained
 * latents, with optional minibatches (the likelihood scaled by N / batch as in training); the
 * result is a posterior of independent draws from the approximation, mapped to the
 * constrained space like MCMC draws, so `summary`, `predict`, `save` and the CmdStan-layout
 * CSV work unchanged (one "chain"; `lp__` is log p̃ of each draw).
 */
import { tf } from "../core/engine.js";
import { key as makeKey, fold } from "../core/random.js";
import type { Span } from "../grammar/ast.js";
import { STAT_COLUMNS } from "../inference/mcmc/state.js";
import { advi, ViError, type AdviMethod, type AdviProgress } from "../inference/vi/advi.js";
import { epochBatches } from "../nn/data.js";
import { DlmError } from "./errors.js";
import { outputNamesOf, outputsOf, posteriorModel, type ModelInstance } from "./instance.js";
import { minibatchInstance, observationCount } from "./minibatch.js";
import type { Posterior } from "./posterior.js";

export interface ViOptions {
  readonly method: AdviMethod;
  readonly iterations?: number;
  readonly gradDraws?: number;
  readonly draws?: number;
  readonly seed: number;
  readonly tol?: number;
  readonly eta?: number;
  readonly optimizer?: "stan" | "adam";
  readonly lr?: number;
  readonly elboDraws?: number;
  readonly evalElbo?: number;
  /** Rows per gradient step (default: all rows). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: AdviProgress) => void;
}

/** Fit ADVI to `inst` and return its draws as a posterior. */
export async function viPosterior(inst: ModelInstance, o: ViOptions, span: Span | undefined): Promise<Posterior> {
  if (inst.points.size > 0) {
    const nets = [...inst.points.keys()].join(", ");
    throw new DlmError(`\`vi\` needs a prior on every parameter, but the network${inst.points.size > 1 ? "s" : ""} ${nets} ${inst.points.size > 1 ? "have" : "has"} parameters without one`, span,
      `add \`params(${[...inst.points.keys()][0]!}) ~ Normal(0, 1)\` in the model (or another prior), or fit point estimates with \`train\``);
  }
  const model = posteriorModel(inst);
  if (model.dim === 0) throw new DlmError("this model instance has no latent variables to approximate", span, "give some arguments as `missing`, or add `~` statements for unknowns");
  let modelAt: ((k: number) => typeof model) | undefined;
  if (o.batchSize !== undefined) {
    let n: number;
    try {
      n = observationCount(inst);
    } catch (e) {
      throw new DlmError(`\`batchsize\` needs observed data with rows: ${e instanceof Error ? e.message : String(e)}`, span);
    }
    if (o.batchSize < n) {
      const batchSize = o.batchSize;
      const perEpoch = Math.ceil(n / batchSize);
      const batchKey = fold(makeKey(o.seed), 7);
      let epoch = -1;
      let batches: Int32Array[] = [];
      let checked = false;
      modelAt = (k) => {
        const e = Math.floor((k - 1) / perEpoch);
        if (e !== epoch) {
          epoch = e;
          batches = epochBatches(n, e, { batchSize, key: batchKey });
        }
        const m = posteriorModel(minibatchInstance(inst, batches[(k - 1) % perEpoch]!, { check: !checked }));
        checked = true;
        return m;
      };
    }
  }
  let r;
  try {
    r = await advi(model, {
      method: o.method, seed: o.seed,
      ...(o.iterations !== undefined ? { iterations: o.iterations } : {}), ...(o.gradDraws !== undefined ? { gradDraws: o.gradDraws } : {}),
      ...(o.draws !== undefined ? { outputDraws: o.draws } : {}), ...(o.tol !== undefined ? { tolRelObj: o.tol } : {}),
      ...(o.eta !== undefined ? { eta: o.eta } : {}), ...(o.optimizer !== undefined ? { optimizer: o.optimizer } : {}),
      ...(o.lr !== undefined ? { lr: o.lr } : {}), ...(o.elboDraws !== undefined ? { elboDraws: o.elboDraws } : {}),
      ...(o.evalElbo !== undefined ? { evalElbo: o.evalElbo } : {}), ...(modelAt !== undefined ? { modelAt } : {}),
      ...(o.signal !== undefined ? { signal: o.signal } : {}), ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
    });
  } catch (e) {
    if (e instanceof DlmError) throw e.span === undefined ? new DlmError(e.message, span, e.hint) : e;
    if (e instanceof ViError) throw new DlmError(e.message, span);
    throw e;
  }
  const n = r.draws.length / r.dim;
  const outputs = [tf.tidy(() => outputsOf(inst, tf.tensor2d(r.draws, [n, r.dim])))];
  const zeros = (): Float64Array => new Float64Array(n);
  const stats = Object.fromEntries(STAT_COLUMNS.map((c) => [c, c === "lp__" ? Float64Array.from(r.logP) : zeros()]));
  return {
    inst,
    result: {
      dim: r.dim, chains: 1, seed: o.seed, algorithm: r.method, nDraws: n, draws: [r.draws], stats: [stats],
      stepSize: [r.eta], metric: "diag", inverseMetric: [r.method === "meanfield" ? Float64Array.from(r.scale, (x) => x * x) : new Float64Array(r.dim)],
      seconds: { warmup: 0, sampling: r.seconds }, interrupted: r.interrupted,
    },
    names: outputNamesOf(inst),
    outputs,
    vi: { method: r.method, iterations: r.iterations, converged: r.converged, eta: r.eta, paretoK: r.paretoK, warnings: r.warnings, elbo: r.elbo },
  };
}
