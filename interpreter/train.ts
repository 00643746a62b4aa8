/**
 * `train(inst, optimiser; ...)`: the mode of the log joint (MAP; maximum likelihood where
 * nothing has a prior) by gradient steps over minibatches, with inference/train.ts's driver.
 *
 * What is fitted: every latent (on the unconstrained space, without the log-Jacobian, so the
 * result is the mode of the density of the constrained values, as Stan's optimizer gives by
 * default) and every network parameter without a prior (the instance's point parameters).
 * The loss of a batch of B of the N observation rows is −(log prior + N/B · log likelihood of
 * the batch) / N, the mean negative log likelihood per observation plus the prior's share,
 * so learning rates mean what they mean in Flux or PyTorch.
 *
 * Initial values: network parameters (with or without a prior) from their layers'
 * initialisers, other latents uniform in (−2, 2) on the unconstrained space (Stan's default).
 *
 * The result is a `Fit`, a point mass: the constrained latents and the point parameters by
 * the model's names (`sigma`, `net[1].weight`), the history of metrics per epoch and how the
 * run ended. `predict` runs a new instance with those values; `save` writes them as JSON.
 */
import { tf } from "../core/engine.js";
import { fold, key as makeKey, uniformArray } from "../core/random.js";
import type { Span } from "../grammar/ast.js";
import { train, TrainingError, type EpochMetrics, type TrainObjective, type TrainResult, type TrainSettings } from "../inference/train.js";
import type { Optimiser } from "../nn/optimisers.js";
import { stateStore, type StateStore } from "../nn/layer.js";
import { mapParams, paramName, walkParams, type ParamTree } from "../nn/tree.js";
import type { NetMode } from "./handler.js";
import { DlmError } from "./errors.js";
import { tracer } from "./handlers.js";
import { constrainedLatents, logDensityOf, outputNamesOf, outputsOf, runModel, type ModelInstance } from "./instance.js";
import { batchInstances, holdOut, minibatchInstance, observationCount } from "./minibatch.js";
import { predictionAt } from "./posterior.js";
import { disposeSimulated, simulate } from "./simulate.js";
import type { Value } from "./value.js";

/** A point-mass posterior from `train` (or read back by `load`). */
export interface Fit {
  readonly model: string;
  /** Constrained latents by name, without a chain axis. */
  readonly latents: ReadonlyMap<string, tf.Tensor>;
  /** Point parameters (networks without priors) by their full names, `net[1].weight`. */
  readonly params: ReadonlyMap<string, tf.Tensor>;
  /** Running statistics of networks (BatchNorm) by network name, then by the layer's name for them (`[2].mean`). */
  readonly state: ReadonlyMap<string, ReadonlyMap<string, tf.Tensor>>;
  /** Stan-style scalar names and values of latents and recorded quantities, for `summary`. */
  readonly outputs: readonly { readonly name: string; readonly value: number }[];
  readonly history: readonly EpochMetrics[];
  readonly info: FitInfo;
}

/** How the run went (the driver's result without its tensors), what ran it, and on how many rows. */
export interface FitInfo extends Omit<TrainResult, "params" | "history"> {
  readonly optimiser: string;
  readonly rows: number;
  readonly batchSize: number;
}

/** The driver's settings (inference/train.ts), with the batch size optional (all rows) and validation data. */
export interface TrainOptions extends Omit<TrainSettings, "batchSize"> {
  readonly batchSize?: number;
  /** A held-out instance of the same model, or the fraction of the rows to hold out. */
  readonly validation?: ModelInstance | number;
}

/** The key of the flat unconstrained latents in the trained tree (not a valid network name). */
const LATENTS = "(latents)";

/** The instance with its networks' point parameters taken from `tree` (and their running statistics from `stores`). */
function withPoints(inst: ModelInstance, tree: ParamTree, stores?: ReadonlyMap<string, StateStore>): ModelInstance {
  const points = new Map([...inst.points.keys()].map((name) => [name, tree[name] as ParamTree]));
  return { ...inst, points, ...(stores !== undefined ? { netState: stores } : {}) };
}

const latentRow = (inst: ModelInstance, tree: ParamTree): tf.Tensor2D =>
  inst.layout.dim === 0 ? tf.zeros([1, 0]) : tf.reshape(tree[LATENTS] as tf.Tensor, [1, inst.layout.dim]);

/**
 * The starting point on the unconstrained space, `[D]`: network parameters from their layers'
 * initialisers, other latents uniform in (−2, 2) (Stan's default); and the names of every
 * network. Where `train` and Bayes by Backprop (its means) start.
 */
export function initialLatents(inst: ModelInstance, seed: number): { q: Float32Array; networks: string[] } {
  const tr = tracer(fold(makeKey(seed), 1), inst.source, inst.bindings);
  tf.tidy(() => {
    runModel(inst, tr);
    return [...tr.result.points.values()];
  });
  const inits = new Map<string, tf.Tensor>();
  for (const [name, tree] of tr.result.points) for (const e of walkParams(tree, name)) inits.set(e.name, e.tensor);
  const q = uniformArray(fold(makeKey(seed), 2), inst.layout.dim, -2, 2);
  for (const e of inst.layout.entries) {
    const init = inits.get(e.name);
    if (init !== undefined && init.size === e.size) q.set(init.dataSync(), e.offset);
  }
  for (const t of tr.result.points.values()) for (const e of walkParams(t)) e.tensor.dispose();
  return { q, networks: [...tr.result.points.keys()] };
}

/** The starting tree (initialLatents, and the instance's point parameters) and the names of every network. */
function initialTree(inst: ModelInstance, seed: number): { tree: ParamTree; networks: string[] } {
  const { q, networks } = initialLatents(inst, seed);
  const tree: Record<string, ParamTree | tf.Tensor> = {};
  if (inst.layout.dim > 0) tree[LATENTS] = tf.tensor1d(q);
  for (const [name, points] of inst.points) tree[name] = mapParams(points, (t) => tf.clone(t));
  return { tree, networks };
}

/** Validation metrics at a point: `val_loss` (mean negative log likelihood per row), accuracy or RMSE per observed variable. */
function validationMetrics(val: ModelInstance, rows: number, tree: ParamTree, stores: ReadonlyMap<string, StateStore>): Record<string, number> {
  return tf.tidy(() => {
    const inst = withPoints(val, tree, stores);
    const q = latentRow(val, tree);
    const args = inst.minibatch?.arguments ?? new Set(inst.observed.map((o) => o.argument));
    const likelihood = tf.sub(
      logDensityOf({ ...inst, minibatch: { scale: 1, arguments: args } }, q, undefined, { jacobian: false }),
      logDensityOf({ ...inst, minibatch: { scale: 0, arguments: args } }, q, undefined, { jacobian: false }),
    );
    const out: Record<string, number> = { val_loss: -likelihood.dataSync()[0]! / rows };
    const fixed = val.layout.dim === 0 ? new Map<string, tf.Tensor>() : constrainedLatents(inst, q);
    const sims = simulate(inst, 1, makeKey(0), fixed, true);
    const observed = [...new Map(inst.observed.map((o) => [o.name, o.argument]))];
    for (const [name, argument] of observed) {
      const s = sims.get(name);
      const y = inst.bindings.get(argument);
      if (s === undefined || y?.kind !== "tensor") continue;
      const suffix = observed.length > 1 ? `_${name}` : "";
      const truth = y.t;
      if (s.mean.size !== truth.size) continue;
      if (s.probs !== undefined) {
        const k = s.probs.shape[s.probs.rank - 1]!;
        const first = s.family === "Bernoulli" ? 0 : 1;
        const guess = tf.add(tf.argMax(tf.reshape(s.probs, [-1, k]), 1), first);
        out[`val_accuracy${suffix}`] = tf.mean(tf.cast(tf.equal(guess, tf.cast(tf.reshape(truth, [-1]), "int32")), "float32")).dataSync()[0]!;
      } else {
        out[`val_rmse${suffix}`] = Math.sqrt(tf.mean(tf.square(tf.sub(tf.reshape(s.mean, [-1]), tf.reshape(truth, [-1])))).dataSync()[0]!);
      }
    }
    disposeSimulated(sims);
    return out;
  });
}

/** Fit `inst` by `optimiser` (see the module comment). */
export async function trainInstance(inst: ModelInstance, optimiser: Optimiser, o: TrainOptions, span: Span | undefined): Promise<Fit> {
  const discrete = inst.latents.find((l) => l.discrete !== undefined);
  if (discrete !== undefined) throw new DlmError(`\`${discrete.name}\` is a discrete latent variable; \`train\` needs continuous unknowns`, discrete.stmt.span, "pass it as data, or marginalise it out");
  if (inst.layout.dim === 0 && inst.points.size === 0) throw new DlmError("this model instance has nothing to train: no latent variables and no network parameters", span);
  let n: number;
  try {
    n = observationCount(inst);
  } catch {
    n = 1; // nothing to split into rows: every step sees all the data
  }
  let trainRows: Int32Array | undefined;
  let val: { inst: ModelInstance; rows: number } | undefined;
  if (typeof o.validation === "number") {
    if (n === 1) throw new DlmError("`validation` as a fraction needs observed data with rows to hold out", span);
    const split = holdOut(n, o.validation, o.seed, span);
    trainRows = split.train;
    val = { inst: minibatchInstance(inst, split.validation, { scale: 1 }), rows: split.validation.length };
  } else if (o.validation !== undefined) {
    if (o.validation.def !== inst.def) throw new DlmError(`the validation instance is of the model \`${o.validation.def.name}\`, not \`${inst.def.name}\``, span);
    let rows = 1;
    try {
      rows = observationCount(o.validation);
    } catch {
      // a validation instance without rows: its loss is its whole log likelihood
    }
    val = { inst: o.validation, rows };
  }
  const rows = trainRows?.length ?? n;
  const batchSize = Math.min(o.batchSize ?? rows, rows);
  // The training instance on all training rows; batches slice it further.
  const base = trainRows === undefined ? inst : minibatchInstance(inst, trainRows, { scale: 1 });
  const { tree: init, networks } = initialTree(inst, o.seed);
  // Networks train in training mode (dropout masks from the step's key, BatchNorm updating its running statistics).
  const stores = new Map(networks.map((name) => [name, stateStore()]));
  const netIndex = new Map(networks.map((name, i) => [name, i]));
  const dropKey = fold(makeKey(o.seed), 4);
  const onRows = batchInstances(base);
  const objective: TrainObjective = {
    rows,
    loss: (tree, batch, step) => {
      const bi = onRows(batch);
      const training = (name: string): NetMode => ({ training: true, key: fold(fold(dropKey, step), netIndex.get(name) ?? 0), state: stores.get(name)! });
      const ld = logDensityOf(withPoints(bi, tree), latentRow(inst, tree), undefined, { jacobian: false, networks: training });
      return tf.div(tf.neg(tf.reshape(ld, [])), rows) as tf.Scalar;
    },
    snapshot: () => {
      const out: Record<string, ParamTree> = {};
      for (const [name, store] of stores) if (store.names().length > 0) out[name] = Object.fromEntries(store.names().map((k) => [k, tf.clone(store.get(k)!)]));
      return out;
    },
    restore: (state) => {
      for (const [name, values] of Object.entries(state)) for (const [k, t] of Object.entries(values as ParamTree)) stores.get(name)?.set(k, tf.clone(t as tf.Tensor));
    },
    ...(val !== undefined ? { evaluate: (tree: ParamTree) => validationMetrics(val.inst, val.rows, tree, stores) } : {}),
  };
  const { validation: _validation, batchSize: _batchSize, ...passOn } = o;
  const settings: TrainSettings = { ...passOn, batchSize };
  let result;
  try {
    result = await train(objective, optimiser, init, settings);
  } catch (e) {
    if (e instanceof DlmError) throw e.span === undefined ? new DlmError(e.message, span, e.hint) : e;
    if (e instanceof TrainingError || e instanceof RangeError) throw new DlmError(e.message, span);
    throw e;
  } finally {
    for (const e of walkParams(init)) e.tensor.dispose();
  }
  try {
    const { params, history, ...how } = result;
    return fitOf(inst, params, stores, history, { ...how, optimiser: optimiser.describe(), rows, batchSize });
  } finally {
    for (const store of stores.values()) store.dispose();
  }
}

/** The Fit of a trained tree (which it takes over); the running statistics are copied. */
function fitOf(inst: ModelInstance, tree: ParamTree, stores: ReadonlyMap<string, StateStore>, history: readonly EpochMetrics[], info: FitInfo): Fit {
  const q = latentRow(inst, tree);
  const latents = new Map<string, tf.Tensor>();
  if (inst.layout.dim > 0) {
    const row = tf.tidy(() => Object.fromEntries(constrainedLatents(withPoints(inst, tree, stores), q)));
    for (const l of inst.latents) latents.set(l.name, tf.tidy(() => tf.reshape(row[l.name]!, l.shape as number[])));
    tf.dispose(Object.values(row));
  }
  const names = outputNamesOf(inst);
  const values = inst.layout.dim > 0 || inst.records.length > 0 ? tf.tidy(() => outputsOf(withPoints(inst, tree, stores), q))[0]! : [];
  q.dispose();
  const params = new Map<string, tf.Tensor>();
  for (const name of inst.points.keys()) for (const e of walkParams(tree[name] as ParamTree, name)) params.set(e.name, e.tensor);
  if (inst.layout.dim > 0) (tree[LATENTS] as tf.Tensor).dispose();
  const state = new Map([...stores].filter(([, s]) => s.names().length > 0).map(([name, s]) => [name, new Map(s.names().map((k) => [k, tf.clone(s.get(k)!)]))]));
  return { model: inst.def.name, latents, params, state, outputs: names.map((name, i) => ({ name, value: values[i]! })), history, info };
}

/** `inst` with its latents fixed at the fit's values and its networks' parameters taken from the fit, by name. */
export function fittedValues(fit: Fit, inst: ModelInstance): { fixed: Map<string, tf.Tensor>; points: Map<string, ParamTree> } {
  const fixed = new Map<string, tf.Tensor>();
  for (const l of inst.latents) {
    if (inst.missing.has(l.name)) continue;
    const v = fit.latents.get(l.name);
    if (v === undefined) throw new DlmError(`the fit has no value for the latent \`${l.name}\` of this model`, undefined, `predict with an instance of the fitted model \`${fit.model}\``);
    if (v.shape.join() !== l.shape.join()) throw new DlmError(`the fit's \`${l.name}\` has shape [${v.shape.join(", ")}], but this instance's has [${l.shape.join(", ")}]`, undefined);
    fixed.set(l.name, tf.reshape(v, [1, ...l.shape]));
  }
  const points = new Map<string, ParamTree>();
  for (const [name, tree] of inst.points) {
    points.set(name, mapParams(tree, (t, path) => {
      const full = paramName(path, name);
      const v = fit.params.get(full);
      if (v === undefined) throw new DlmError(`the fit has no value for the network parameter \`${full}\``, undefined, `predict with an instance of the fitted model \`${fit.model}\``);
      if (v.shape.join() !== t.shape.join()) throw new DlmError(`the fit's \`${full}\` has shape [${v.shape.join(", ")}], but this instance's has [${t.shape.join(", ")}]`, undefined);
      return v;
    }));
  }
  return { fixed, points };
}

/** Dispose a fit's tensors. */
export function disposeFit(fit: Fit): void {
  tf.dispose([...fit.latents.values(), ...fit.params.values(), ...[...fit.state.values()].flatMap((m) => [...m.values()])]);
}

/**
 * `predict(fit, inst)`: the prediction at the fit's point (one draw; the spread is the model's
 * own noise). With `dropout` (MC dropout, Gal & Ghahramani 2016): `draws` runs with dropout on
 * and everything else in evaluation mode, each draw with its own masks (the point parameters
 * get a draw axis, so all draws run as one chain-batched pass), mixed as posterior draws are.
 */
export function predictFit(fit: Fit, inst: ModelInstance, seed: number, options: { readonly dropout?: boolean; readonly draws?: number } = {}): Value {
  const { fixed, points } = fittedValues(fit, inst);
  const netState = new Map([...fit.state].map(([name, values]) => {
    const store = stateStore();
    for (const [k, t] of values) store.set(k, tf.clone(t));
    return [name, store] as const;
  }));
  const n = options.dropout === true ? options.draws ?? 100 : 1;
  const tile = (t: tf.Tensor): tf.Tensor => tf.tile(t, [n, ...new Array<number>(t.rank - 1).fill(1)]);
  const owned: tf.Tensor[] = [...fixed.values()];
  try {
    if (options.dropout !== true) return predictionAt({ ...inst, points, netState }, 1, seed, fixed);
    const many = new Map([...fixed].map(([k, t]) => [k, tile(t)]));
    owned.push(...many.values());
    const manyPoints = new Map([...points].map(([name, tree]) => [name, mapParams(tree, (t) => { const x = tf.tile(tf.expandDims(t, 0), [n, ...t.shape.map(() => 1)]); owned.push(x); return x; })]));
    const names = [...new Set([...points.keys(), ...fit.state.keys()])];
    const dropKey = fold(makeKey(seed), 5);
    const modes = (name: string): NetMode => ({ training: false, dropout: n, key: fold(dropKey, Math.max(0, names.indexOf(name))), ...(netState.has(name) ? { state: netState.get(name)! } : {}) });
    return predictionAt({ ...inst, points: manyPoints, netState }, n, seed, many, modes);
  } finally {
    tf.dispose(owned);
    for (const s of netState.values()) s.dispose();
  }
}
