/**
 * `vi(inst, ADVI(...); ...)` and `vi(inst, BayesByBackprop(...); ...)`: a variational
 * approximation of an instance's posterior over its unconstrained latents, returned as a
 * posterior of independent draws from the approximation, mapped to the constrained space like
 * MCMC draws, so `summary`, `predict`, `save`, `loo` and the CmdStan-layout CSV work unchanged
 * (one "chain"; `lp__` is log p̃ of each draw).
 *
 * ADVI (inference/vi/advi.ts) steps on minibatches by iteration; Bayes by Backprop
 * (inference/vi/bbb.ts) runs the training driver by epochs. Both take their batches from the one
 * sampler (nn/data.ts batchSampler) and scale the batch's likelihood by N / batch
 * (minibatch.ts batchInstances).
 *
 * Bayes by Backprop's expected log joint of a batch (`elboTerms`), for q = N(μ, Σ) with marginal
 * sds σ = √diag Σ and S draws ζ of q as rows:
 * - a latent with a Normal prior (a network's `params(net) ~ Normal(0, s)`, a regression
 *   coefficient) contributes E_q[log N(w; m, s)] = log N(μ; m, s) − σ²/(2s²) exactly, given the
 *   drawn m and s (the prior's parameters may be other latents: a hierarchical scale is drawn,
 *   the weights' expectation is still exact); with a fixed prior this makes the KL analytic
 *   (only the marginal variances enter, so this holds for every covariance);
 * - every other latent contributes its log prior and log|J| at the draw (the Monte Carlo
 *   estimate of −KL with the entropy analytic, as ADVI has it);
 * - the networks run on the draws, except that with a factorised q the layers that can (Dense
 *   by local reparameterisation, Conv1D and Conv2D by Flipout: nn/weight-noise.ts) draw their
 *   outputs from μ and σ with noise per example; the other layers (recurrent, attention,
 *   embedding, normalisation, ConvTranspose) use the drawn weights, one draw per row shared by
 *   the batch. `BayesByBackprop(local = false)`, and a low-rank or full covariance (whose
 *   weights are correlated, so a layer's outputs are not drawn from its own weights' moments),
 *   make every layer use the drawn weights.
 */
import { tf } from "../core/engine.js";
import { unflatten, type LayoutEntry } from "../core/flatten.js";
import { key as makeKey, fold, type Key } from "../core/random.js";
import { sumPerChain } from "../distributions/index.js";
import type { Span } from "../grammar/ast.js";
import { STAT_COLUMNS } from "../inference/mcmc/state.js";
import { advi, ViError, type AdviMethod, type AdviProgress } from "../inference/vi/advi.js";
import { bbb, type BbbResult } from "../inference/vi/bbb.js";
import type { Covariance, GaussianQ } from "../inference/vi/gaussian-q.js";
import type { EpochMetrics, TrainProgress } from "../inference/train.js";
import { batchSampler } from "../nn/data.js";
import type { GaussianWeights } from "../nn/layer.js";
import type { Optimiser } from "../nn/optimisers.js";
import { paramName } from "../nn/tree.js";
import { DlmError } from "./errors.js";
import type { Handler, LatentSite } from "./handler.js";
import { discreteError, scorer, type ScoreState } from "./handlers.js";
import { logDensityOf, outputNamesOf, outputsOf, posteriorModel, runModel, scoredCache, type ModelInstance } from "./instance.js";
import { pointwiseLogLik } from "./loglik.js";
import { batchInstances, holdOut, minibatchInstance, observationCount } from "./minibatch.js";
import type { Posterior, ViFacts } from "./posterior.js";
import { initialLatents } from "./train.js";
import { tensor, type TensorValue } from "./value.js";

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

/** Bayes by Backprop's settings. */
export interface BbbOptions {
  readonly method: "bbb";
  readonly epochs: number;
  /** Rows per gradient step (default: all rows). */
  readonly batchSize?: number;
  readonly seed: number;
  readonly optimiser: Optimiser;
  /** Draws from the fitted approximation (default 1,000). */
  readonly draws?: number;
  /** Draws of the weights per step (default 1). */
  readonly gradDraws?: number;
  /** A held-out instance of the same model, or the fraction of the rows to hold out: `val_loss` per epoch. */
  readonly validation?: ModelInstance | number;
  readonly patience?: number;
  /** Learning-rate factor per 0-based epoch. */
  readonly schedule?: (epoch: number) => number;
  /** Local reparameterisation and Flipout where the layers allow (default true). */
  readonly local?: boolean;
  /** The initial ρ of every σ = softplus(ρ) (default −3). */
  readonly rho?: number;
  /** q's covariance (default "meanfield"), and the rank of "lowrank". */
  readonly covariance?: Covariance;
  readonly rank?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: TrainProgress) => void;
  readonly onEpoch?: (epoch: number, metrics: EpochMetrics) => void;
}

/** A posterior needs priors on every network parameter: the refusal, with a hint. */
function needPriors(inst: ModelInstance, span: Span | undefined): void {
  if (inst.points.size === 0) return;
  const nets = [...inst.points.keys()].join(", ");
  throw new DlmError(`\`vi\` needs a prior on every parameter, but the network${inst.points.size > 1 ? "s" : ""} ${nets} ${inst.points.size > 1 ? "have" : "has"} parameters without one`, span,
    `add \`params(${[...inst.points.keys()][0]!}) ~ Normal(0, 1)\` in the model (or another prior), or fit point estimates with \`train\``);
}

/** Errors of the algorithms, located at the call. */
function located(e: unknown, span: Span | undefined): unknown {
  if (e instanceof DlmError) return e.span === undefined ? new DlmError(e.message, span, e.hint) : e;
  if (e instanceof ViError) return new DlmError(e.message, span);
  return e;
}

/** The posterior of `n` draws (row-major `[n, D]`) from an approximation of `inst`. */
function drawsPosterior(inst: ModelInstance, draws: Float32Array, logP: Float64Array, seed: number, algorithm: string, scale: Float64Array, seconds: number, interrupted: boolean, vi: ViFacts): Posterior {
  const dim = inst.layout.dim;
  const n = draws.length / dim;
  const outputs = [tf.tidy(() => outputsOf(inst, tf.tensor2d(draws, [n, dim])))];
  const stats = Object.fromEntries(STAT_COLUMNS.map((c) => [c, c === "lp__" ? Float64Array.from(logP) : new Float64Array(n)]));
  return {
    inst,
    result: {
      dim, chains: 1, seed, algorithm, nDraws: n, draws: [draws], stats: [stats], stepSize: [Number.isFinite(vi.eta) ? vi.eta : 0], metric: "diag", inverseMetric: [Float64Array.from(scale, (x) => x * x)],
      seconds: { warmup: 0, sampling: seconds }, interrupted,
    },
    names: outputNamesOf(inst),
    outputs,
    vi,
  };
}

/** Fit `inst` by ADVI or Bayes by Backprop, as `o.method` says. */
export async function viPosterior(inst: ModelInstance, o: ViOptions | BbbOptions, span: Span | undefined): Promise<Posterior> {
  return o.method === "bbb" ? bbbPosterior(inst, o, span) : adviPosterior(inst, o, span);
}

/** The initial ρ of a network parameter's σ = softplus(ρ): softplus(−3) ≈ 0.049, TFP's default for Bayes by Backprop (see bbb.ts). */
const NETWORK_RHO = -3;
const NETWORK_SD = Math.log1p(Math.exp(NETWORK_RHO));

/** Where ADVI starts a model with networks: means from initialLatents, sds NETWORK_SD for network parameters and 1 for the rest. */
function networkStart(inst: ModelInstance, seed: number): { mean: Float32Array; sd: Float64Array } | undefined {
  if (!inst.latents.some((l) => l.name.includes("."))) return undefined;
  const sd = new Float64Array(inst.layout.dim).fill(1);
  inst.latents.forEach((l, i) => {
    const e = inst.layout.entries[i]!;
    if (l.name.includes(".")) sd.fill(NETWORK_SD, e.offset, e.offset + e.size);
  });
  return { mean: initialLatents(inst, seed).q, sd };
}

/** Fit ADVI to `inst` and return its draws as a posterior. */
async function adviPosterior(inst: ModelInstance, o: ViOptions, span: Span | undefined): Promise<Posterior> {
  needPriors(inst, span);
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
      const sampler = batchSampler(n, { batchSize: o.batchSize, key: fold(makeKey(o.seed), 7) });
      const onRows = batchInstances(inst);
      modelAt = (k) => posteriorModel(onRows(sampler.step(k - 1)));
    }
  }
  // Network weights start as Bayes by Backprop starts them (see bbb.ts): means from their
  // layers' initialisers and sds of 0.05 (Stan's uniform(−2, 2) and σ = 1 would saturate every
  // unit and drown the likelihood's gradient in noise); other latents keep Stan's start.
  const start = networkStart(inst, o.seed);
  let r;
  try {
    r = await advi(model, {
      method: o.method, seed: o.seed, ...(start !== undefined ? { init: start.mean, initScale: start.sd } : {}),
      ...(o.iterations !== undefined ? { iterations: o.iterations } : {}), ...(o.gradDraws !== undefined ? { gradDraws: o.gradDraws } : {}),
      ...(o.draws !== undefined ? { outputDraws: o.draws } : {}), ...(o.tol !== undefined ? { tolRelObj: o.tol } : {}),
      ...(o.eta !== undefined ? { eta: o.eta } : {}), ...(o.optimizer !== undefined ? { optimizer: o.optimizer } : {}),
      ...(o.lr !== undefined ? { lr: o.lr } : {}), ...(o.elboDraws !== undefined ? { elboDraws: o.elboDraws } : {}),
      ...(o.evalElbo !== undefined ? { evalElbo: o.evalElbo } : {}), ...(modelAt !== undefined ? { modelAt } : {}),
      ...(o.signal !== undefined ? { signal: o.signal } : {}), ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
    });
  } catch (e) {
    throw located(e, span);
  }
  const scale = r.method === "meanfield" ? r.scale : new Float64Array(r.dim);
  return drawsPosterior(inst, r.draws, r.logP, o.seed, r.method, scale, r.seconds, r.interrupted,
    { method: r.method, iterations: r.iterations, converged: r.converged, eta: r.eta, paretoK: r.paretoK, warnings: r.warnings, elbo: r.elbo });
}

/** The Normal prior of a latent site, when it has one (real support, no event axes). */
function normalPrior(site: LatentSite): ReturnType<LatentSite["dist"]["build"]> | undefined {
  if (site.dist.name !== "Normal") return undefined;
  const d = site.dist.build(0);
  return d.name === "Normal" && d.support.kind === "real" && d.eventShape.length === 0 ? d : undefined;
}

/** Where each layer's Gaussian parameters sit in the flat layout: by the layer's full name (`net[1]`), its leaves. */
type LayerLeaves = ReadonlyMap<string, readonly { readonly leaf: string; readonly entry: LayoutEntry }[]>;

function layerLeaves(inst: ModelInstance): LayerLeaves {
  const out = new Map<string, { leaf: string; entry: LayoutEntry }[]>();
  const excluded = new Set<string>();
  inst.latents.forEach((l, i) => {
    const dot = l.name.lastIndexOf(".");
    if (dot < 0) return; // not a network parameter
    const layer = l.name.slice(0, dot);
    // A constrained parameter's q is not Gaussian on the weight: that layer runs on draws.
    if (l.support !== "the real line") excluded.add(layer);
    const list = out.get(layer) ?? [];
    list.push({ leaf: l.name.slice(dot + 1), entry: inst.layout.entries[i]! });
    out.set(layer, list);
  });
  for (const layer of excluded) out.delete(layer);
  return out;
}

/**
 * E_q[(N/B)·log p(y | ζ) + log p(ζ) + log|J|] per draw (`[S]`) for the batch instance `inst`
 * (see the module comment), the draws from `k`; `leaves` (only for a factorised q) lets layers
 * draw their outputs.
 */
function elboTerms(inst: ModelInstance, q: GaussianQ, draws: number, k: Key, leaves: LayerLeaves | undefined): tf.Tensor1D {
  const lay = inst.layout;
  const d = lay.dim;
  const { mean, sd } = q;
  const zeta = q.sample(draws, fold(k, 0));
  const values = new Map(Object.entries(unflatten(lay, zeta)));
  const means = unflatten(lay, tf.reshape(mean, [1, d]) as tf.Tensor2D);
  const sds = unflatten(lay, tf.reshape(sd, [1, d]) as tf.Tensor2D);
  const netKeys = new Map<string, Key>();
  const gaussianOf = (net: string): GaussianWeights => ({
    draws,
    at: (path) => {
      const list = leaves!.get(paramName(path, net));
      if (list === undefined) return undefined;
      const m: Record<string, tf.Tensor> = {};
      const s: Record<string, tf.Tensor> = {};
      for (const { leaf, entry } of list) {
        m[leaf] = tf.reshape(tf.slice(mean, entry.offset, entry.size), [...entry.shape]);
        s[leaf] = tf.reshape(tf.slice(sd, entry.offset, entry.size), [...entry.shape]);
      }
      return { mean: m, sd: s };
    },
  });
  const state: ScoreState = {
    acc: undefined,
    networks: (net) => {
      let nk = netKeys.get(net);
      if (nk === undefined) netKeys.set(net, (nk = fold(fold(k, 1), netKeys.size)));
      return { training: false, key: nk, ...(leaves !== undefined ? { gaussian: gaussianOf(net) } : {}) };
    },
  };
  const add = (t: tf.Tensor): void => {
    state.acc = state.acc === undefined ? t : tf.add(state.acc, t);
  };
  const mb = inst.minibatch;
  const weight = mb === undefined ? undefined : (site: { argument: string }): number => (mb.arguments.has(site.argument) ? mb.scale : 1);
  const base = scorer(values, inst.points, state, undefined, weight, { q: zeta, layout: lay });
  /** E_q[log N(w; m, s)] = log N(μ; m, s) − σ²/(2s²), summed per draw of the prior's parameters. */
  const expectedNormal = (prior: NonNullable<ReturnType<typeof normalPrior>>, mu: tf.Tensor, sigma: tf.Tensor): tf.Tensor =>
    sumPerChain(tf.sub(prior.logProb(mu), tf.div(tf.square(sigma), tf.mul(prior.variance(), 2))), true);
  const handler: Handler = {
    ...base,
    latent(site) {
      const prior = normalPrior(site);
      if (prior === undefined) return base.latent(site);
      add(expectedNormal(prior, means[site.name]!, sds[site.name]!));
      return tensor(values.get(site.name)!, true);
    },
    latentGroup(sites) {
      // `params(net) ~ Normal(...)`: one expectation over the contiguous slice of μ and σ.
      const first = sites[0]!;
      const entries = sites.map((s) => lay.entries.find((e) => e.name === s.name));
      const contiguous = entries.every((e, i) => e !== undefined && (i === 0 || e.offset === entries[i - 1]!.offset + entries[i - 1]!.size));
      const total = entries.reduce((a, e) => a + (e?.size ?? 0), 0);
      const prior = contiguous && first.dist.name === "Normal" ? normalPrior({ ...first, dist: first.dist.resized([total]) }) : undefined;
      if (prior === undefined) return base.latentGroup!.call(base, sites);
      const at = entries[0]!.offset;
      add(expectedNormal(prior, tf.slice(tf.reshape(mean, [1, d]), [0, at], [1, total]), tf.slice(tf.reshape(sd, [1, d]), [0, at], [1, total])));
      return sites.map((s): TensorValue => tensor(values.get(s.name)!, true));
    },
  };
  runModel(inst, handler, scoredCache(inst));
  const acc = state.acc ?? tf.zeros([1]);
  return tf.broadcastTo(state.constant === undefined ? acc : tf.add(acc, state.constant), [draws]) as tf.Tensor1D;
}

/** −mean over rows of the log predictive density of `val` under `n` draws (`[n, D]`) of `fitted`'s latents. */
function predictiveLoss(fitted: ModelInstance, val: ModelInstance, draws: Float32Array, n: number): number {
  // pointwiseLogLik reads only the fitted instance and the unconstrained draws of a posterior.
  const p = { inst: fitted, result: { dim: fitted.layout.dim, chains: 1, nDraws: n, draws: [draws] }, names: [], outputs: [] } as unknown as Posterior;
  const { ll, s, n: rows } = pointwiseLogLik(p, val);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let r = 0; r < s; r++) max = Math.max(max, ll[r * rows + i]!);
    let sum = 0;
    for (let r = 0; r < s; r++) sum += Math.exp(ll[r * rows + i]! - max);
    total += max + Math.log(sum / s);
  }
  return -total / rows;
}

/** Fit Bayes by Backprop to `inst` and return draws from q as a posterior. */
async function bbbPosterior(inst: ModelInstance, o: BbbOptions, span: Span | undefined): Promise<Posterior> {
  needPriors(inst, span);
  const discrete = inst.latents.find((l) => l.discrete !== undefined);
  if (discrete !== undefined) throw discreteError(discrete);
  if (inst.layout.dim === 0) throw new DlmError("this model instance has no latent variables to approximate", span, "give some arguments as `missing`, or add `~` statements for unknowns");
  let n: number;
  try {
    n = observationCount(inst);
  } catch {
    n = 1; // nothing to split into rows: every step sees all the data
  }
  let base = inst;
  let val: ModelInstance | undefined;
  if (typeof o.validation === "number") {
    if (n === 1) throw new DlmError("`validation` as a fraction needs observed data with rows to hold out", span);
    const split = holdOut(n, o.validation, o.seed, span);
    base = minibatchInstance(inst, split.train, { scale: 1 });
    val = minibatchInstance(inst, split.validation, { scale: 1 });
    n = split.train.length;
  } else if (o.validation !== undefined) {
    if (o.validation.def !== inst.def) throw new DlmError(`the validation instance is of the model \`${o.validation.def.name}\`, not \`${inst.def.name}\``, span);
    val = o.validation;
  }
  const onRows = batchInstances(base);
  const covariance = o.covariance ?? "meanfield";
  if (covariance !== "meanfield" && o.local === true) {
    throw new DlmError(`local reparameterisation needs a factorised q, not covariance = "${covariance}"`, span, "leave out `local`: with a correlated q every layer runs on the drawn weights");
  }
  const leaves = covariance === "meanfield" && (o.local ?? true) ? layerLeaves(inst) : undefined;
  const valKey = fold(makeKey(o.seed), 9);
  const VAL_DRAWS = 20;
  let r: BbbResult;
  try {
    r = await bbb({
      dim: inst.layout.dim,
      rows: n,
      expectedLogJoint: (q, rows, draws, k) => tf.mean(elboTerms(onRows(rows), q, draws, k, leaves)) as tf.Scalar,
      logDensity: (q) => logDensityOf(base, q),
      ...(val !== undefined ? { evaluate: (q) => ({ val_loss: predictiveLoss(inst, val, q.draw(VAL_DRAWS, valKey).draws, VAL_DRAWS) }) } : {}),
    }, {
      epochs: o.epochs, seed: o.seed, optimiser: o.optimiser, init: initialLatents(inst, o.seed).q,
      ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}), ...(o.gradDraws !== undefined ? { gradDraws: o.gradDraws } : {}),
      ...(o.draws !== undefined ? { outputDraws: o.draws } : {}), ...(o.patience !== undefined ? { patience: o.patience } : {}), ...(o.schedule !== undefined ? { schedule: o.schedule } : {}),
      rho: o.rho ?? NETWORK_RHO, covariance, ...(o.rank !== undefined ? { rank: o.rank } : {}), ...(o.signal !== undefined ? { signal: o.signal } : {}),
      ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}), ...(o.onEpoch !== undefined ? { onEpoch: o.onEpoch } : {}),
    });
  } catch (e) {
    throw located(e, span);
  }
  return drawsPosterior(inst, r.draws, r.logP, o.seed, "bbb", r.sd, r.seconds, r.interrupted, {
    method: "bbb", iterations: r.steps, converged: !r.interrupted, eta: NaN, paretoK: r.paretoK, warnings: r.warnings, elbo: r.elbo,
    bbb: { covariance: r.covariance, ...(r.rank !== undefined ? { rank: r.rank } : {}), optimiser: o.optimiser.describe(), epochs: r.epochs, bestEpoch: r.bestEpoch, stoppedEarly: r.stoppedEarly, rows: n, batchSize: Math.min(o.batchSize ?? n, n), history: r.history },
  });
}
