/**
 * Model instances: `model(args...)` binds data; an argument given as `missing`, or not given
 * at all, is latent. Instantiation traces the model once (C = 1) to find every latent and
 * lay out the flat unconstrained vector; `posteriorModel` then gives the batched
 * PosteriorModel that inference uses: logDensity(q [C, D]) → [C], one AST walk per call.
 */
import { tf } from "../core/engine.js";
import { layout, unflatten, type Layout } from "../core/flatten.js";
import { key as makeKey, type Key } from "../core/random.js";
import type { PosteriorModel } from "../core/model.js";
import type { ModelDef, Span, TildeStmt } from "../grammar/ast.js";
import { lineCol } from "../grammar/diagnostics.js";
import type { StateStore } from "../nn/layer.js";
import { walkParams, type ParamTree } from "../nn/tree.js";
import { checkArgsAt, userSignature } from "./bind-call.js";
import { DlmError, fail } from "./errors.js";
import { runBlock, evaluate, type EvalContext, type ModelFrame } from "./evaluate.js";
import type { Handler, NetMode } from "./handler.js";
import { discreteError, scorer, tracer, type LatentInfo, type RecordInfo, type ScoreState } from "./handlers.js";
import { columnMajorOrder, scalarNames } from "./names.js";
import { constantCache, type ConstantCache } from "./constant-cache.js";
import { loopWarnings } from "./loop-hints.js";
import { outputsOnHost } from "./record-outputs.js";
import { executorFor, getDefaultEngine, type EngineOptions } from "./record-model.js";
import { asTensorValue, childEnv, describeValue, shapeOf, type Env, type Value } from "./value.js";

export interface ModelInstance {
  readonly def: ModelDef;
  /** Bound arguments (data), keyword parameters resolved. */
  readonly bindings: ReadonlyMap<string, Value>;
  readonly data: ReadonlySet<string>;
  readonly missing: ReadonlySet<string>;
  readonly latents: readonly LatentInfo[];
  readonly records: readonly RecordInfo[];
  readonly layout: Layout;
  /** Network parameters without priors (trained by `train`, refused by `sample`). */
  readonly points: ReadonlyMap<string, ParamTree>;
  readonly observed: readonly { name: string; argument: string; shape: readonly number[]; stmt: TildeStmt }[];
  readonly warnings: readonly { message: string; span: Span }[];
  readonly source: string;
  readonly file: string;
  readonly globals: Env;
  /** Minibatching: observed sites on these data arguments have their log likelihood scaled. */
  readonly minibatch?: { readonly scale: number; readonly arguments: ReadonlySet<string> };
  /** Running statistics of networks (BatchNorm) from training, by network name: evaluation uses them. */
  readonly netState?: ReadonlyMap<string, StateStore>;
}

/** Evaluation mode for the instance's networks: their running statistics where training left some. */
export function evalNetworks(inst: Pick<ModelInstance, "netState">): ((name: string) => NetMode | undefined) | undefined {
  const states = inst.netState;
  if (states === undefined) return undefined;
  return (name) => {
    const state = states.get(name);
    return state === undefined ? undefined : { training: false, state };
  };
}

export interface InstantiateOptions {
  readonly globals: Env;
  readonly source: string;
  readonly file: string;
  readonly seed?: Key;
}

/** Bind `model(args...; kwargs)`; trace it; check data. Throws DlmError on user mistakes. */
export function instantiate(def: ModelDef, args: readonly Value[], kwargs: ReadonlyMap<string, Value>, span: Span, options: InstantiateOptions): ModelInstance {
  checkArgsAt(userSignature(def.name, def.params, def.keywords, "model"), args, kwargs, span);
  const bindings = new Map<string, Value>();
  const data = new Set<string>();
  const missing = new Set<string>();
  def.params.forEach((p, i) => {
    const v = args[i];
    if (v === undefined || v.kind === "missing") { missing.add(p.name); return; }
    if (v.kind === "tensor" && v.batched) fail(span, `the argument \`${p.name}\` must be data`);
    if (v.kind === "num" || v.kind === "bool" || v.kind === "list") bindings.set(p.name, asTensorValue(v, span, `the argument \`${p.name}\``));
    else if (v.kind === "record" && v.fields.has("__matrix")) bindings.set(p.name, v.fields.get("__matrix")!);
    else bindings.set(p.name, v);
    data.add(p.name);
  });
  const partial: Omit<ModelInstance, "latents" | "records" | "layout" | "points" | "observed" | "warnings"> = {
    def, bindings, data, missing, source: options.source, file: options.file, globals: options.globals,
  };
  // keyword defaults are evaluated in the model's scope, after the positional arguments
  const kwEnv = childEnv(options.globals, true);
  for (const [k, v] of bindings) kwEnv.vars.set(k, v);
  const ctx0: EvalContext = { handler: tracer(), globals: options.globals, source: options.source, depth: 0 };
  for (const kw of def.keywords) {
    const v = kwargs.get(kw.name) ?? evaluate(kw.default, kwEnv, ctx0);
    bindings.set(kw.name, v);
    kwEnv.vars.set(kw.name, v);
  }
  const tr = tracer(options.seed ?? makeKey(0), options.source, bindings);
  // Network parameters are made inside the tidy: returning them keeps them alive.
  tf.tidy(() => {
    runModel(partial, tr);
    return [...tr.result.points.values()];
  });
  // Networks with a point parameter (one without a prior) live with the instance; the others are freed.
  const points = new Map<string, ParamTree>();
  const withPrior = new Set(tr.result.latents.map((l) => l.name));
  for (const [name, tree] of tr.result.points) {
    const kept = walkParams(tree, name).filter((e) => !withPrior.has(e.name));
    if (kept.length > 0) points.set(name, tree);
    else for (const e of walkParams(tree)) e.tensor.dispose();
  }
  const warnings = loopWarnings(def, tr.result, bindings, options.source);
  return {
    ...partial,
    latents: tr.result.latents,
    records: tr.result.records,
    layout: layout(tr.result.latents.map((l) => ({ name: l.name, shape: l.unconstrainedShape }))),
    points,
    observed: tr.result.observed,
    warnings,
  };
}

/** Run the model body under a handler; scored evaluations pass the instance's statement cache (scoredCache). */
export function runModel(inst: Pick<ModelInstance, "def" | "bindings" | "data" | "missing" | "source" | "globals">, handler: Handler, cache?: ConstantCache): void {
  const env = childEnv(inst.globals, true);
  for (const [k, v] of inst.bindings) env.vars.set(k, v);
  const frame: ModelFrame = { data: inst.data, missing: inst.missing, latents: new Set() };
  const ctx: EvalContext = { handler, globals: inst.globals, source: inst.source, model: frame, depth: 0, ...(cache !== undefined ? { cache } : {}) };
  runBlock(inst.def.body.body, env, ctx);
}

/**
 * Caches of data-only statements, keyed on an instance's data bindings: copies of an instance
 * (`{ ...inst, points }`) share one; a minibatched instance has new bindings for every batch,
 * and gets none (its cached tensors would outlive it).
 */
const caches = new WeakMap<ReadonlyMap<string, Value>, ConstantCache>();

/** The statement cache for scored evaluations of `inst` (constant-cache.ts), or undefined for minibatched instances. */
export function scoredCache(inst: Pick<ModelInstance, "bindings" | "minibatch">): ConstantCache | undefined {
  if (inst.minibatch !== undefined) return undefined;
  let c = caches.get(inst.bindings);
  if (c === undefined) {
    c = constantCache();
    caches.set(inst.bindings, c);
  }
  return c;
}

const withNetworks = (networks: ScoreState["networks"]): Pick<ScoreState, "networks"> => (networks !== undefined ? { networks } : {});

/** `[C, D]` → named unconstrained blocks. */
function blocks(inst: ModelInstance, q: tf.Tensor2D): Map<string, tf.Tensor> {
  return new Map(Object.entries(unflatten(inst.layout, q)));
}

/**
 * The log joint on the unconstrained space for C chains at once (log|det J| included unless
 * `options.jacobian` is false).
 * With `terms`, each statement's contribution `[C]` is appended to it, unfused (no grouping of
 * adjacent latents), and the caller owns and disposes those tensors as well as the result.
 */
export function logDensityOf(inst: ModelInstance, q: tf.Tensor2D, terms?: ScoreState["terms"], options: { readonly jacobian?: boolean; readonly networks?: ScoreState["networks"] } = {}): tf.Tensor1D {
  return tf.tidy(() => {
    const state: ScoreState = {
      acc: undefined, ...(terms ? { terms } : {}), ...(options.jacobian === false ? { noJacobian: true } : {}),
      ...withNetworks(options.networks ?? evalNetworks(inst)),
    };
    const mb = inst.minibatch;
    const weight = mb === undefined ? undefined : (site: { argument: string }): number => (mb.arguments.has(site.argument) ? mb.scale : 1);
    const before = terms?.length ?? 0;
    runModel(inst, scorer(blocks(inst, q), inst.points, state, undefined, weight, terms === undefined ? { q, layout: inst.layout } : undefined), scoredCache(inst));
    // The terms outlive this tidy: the caller reads them after it has returned. A term may be
    // a tensor the instance owns (`factor(c)` of scalar data), so the caller gets clones.
    if (terms !== undefined) {
      for (let i = before; i < terms.length; i++) terms[i] = { ...terms[i]!, value: tf.keep(tf.clone(terms[i]!.value)) };
    }
    // Every term the scorer adds is a tensor made in this scope (see `factor`), so the
    // caller may own the sum even when it is the only term.
    const acc = state.acc ?? tf.zeros([q.shape[0]]);
    return (state.constant === undefined ? acc : tf.add(acc, state.constant)) as tf.Tensor1D;
  });
}

/** Stan-style names of the outputs: every latent's scalars, then every recorded quantity's. */
export function outputNamesOf(inst: ModelInstance): string[] {
  return [...inst.latents.map((l) => scalarNames(l.name, l.shape)), ...inst.records.map((r) => scalarNames(r.name, r.shape))].flat();
}

/** Constrained latents and recorded quantities for each row of q. */
export function outputsOf(inst: ModelInstance, q: tf.Tensor2D): number[][] {
  const rows = q.shape[0];
  const cols: { data: Float32Array; size: number; order: number[] }[] = [];
  tf.tidy(() => {
    const state: ScoreState = { acc: tf.zeros([rows]), ...withNetworks(evalNetworks(inst)) };
    const latentValues = new Map<string, tf.Tensor>();
    const recorded = new Map<string, tf.Tensor>();
    const handler = scorer(blocks(inst, q), inst.points, state, (name, v) => {
      if (v.kind === "tensor" && v.batched) recorded.set(name, v.t);
    });
    const wrapped: Handler = {
      ...handler,
      latent: (site) => {
        const v = handler.latent(site);
        latentValues.set(site.name, v.t);
        return v;
      },
    };
    runModel(inst, wrapped, scoredCache(inst));
    const push = (name: string, shape: readonly number[], t: tf.Tensor | undefined): void => {
      const size = shape.reduce((a, b) => a * b, 1);
      const full = t === undefined ? tf.fill([rows, size], NaN) : tf.broadcastTo(tf.reshape(t, [t.shape[0]!, size]), [rows, size]);
      cols.push({ data: full.dataSync() as Float32Array, size, order: columnMajorOrder(shape) });
      void name;
    };
    for (const l of inst.latents) push(l.name, l.shape, latentValues.get(l.name));
    for (const r of inst.records) push(r.name, r.shape, recorded.get(r.name));
  });
  return Array.from({ length: rows }, (_, i) => cols.flatMap((c) => c.order.map((p) => c.data[i * c.size + p]!)));
}

/** Constrained values `[rows, ...shape]` of every latent for each row of q. */
export function constrainedLatents(inst: ModelInstance, q: tf.Tensor2D): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  const state: ScoreState = { acc: tf.zeros([q.shape[0]]), ...withNetworks(evalNetworks(inst)) };
  const handler = scorer(blocks(inst, q), inst.points, state);
  runModel(inst, {
    ...handler,
    latent: (site) => {
      const v = handler.latent(site);
      out.set(site.name, v.t);
      return v;
    },
  }, scoredCache(inst));
  return out;
}

/**
 * Which statement made the log density non-finite at the unconstrained point `q` (length D):
 * `file:line:col: \`statement\` gives a log density of -Infinity` (or NaN, Infinity) for
 * the first such statement in program order; an error's message if scoring throws; undefined
 * if every term is finite.
 */
export function explainNonFiniteOf(inst: ModelInstance, q: Float32Array): string | undefined {
  const terms: NonNullable<ScoreState["terms"]> = [];
  const qq = tf.tensor2d(q, [1, q.length]);
  let owned = false; // the terms are ours (clones) only once logDensityOf has returned
  try {
    tf.dispose(logDensityOf(inst, qq, terms));
    owned = true;
    for (const t of terms) {
      const v = t.value.dataSync()[0]!;
      if (!Number.isFinite(v)) {
        const span = "kind" in t.stmt ? t.stmt.span : t.stmt;
        const { line, col } = lineCol(inst.source, span.start);
        const text = inst.source.slice(span.start, span.end);
        return `${inst.file}:${line}:${col}: \`${text}\` gives a log density of ${v}`;
      }
    }
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    qq.dispose();
    if (owned) for (const t of terms) t.value.dispose();
  }
}

/** The PosteriorModel of an instance, for inference. */
export function posteriorModel(inst: ModelInstance, options: EngineOptions = {}): PosteriorModel {
  const discrete = inst.latents.find((l) => l.discrete !== undefined);
  if (discrete !== undefined) throw discreteError(discrete);
  const names = outputNamesOf(inst);
  const run = executorFor(inst, options.engine ?? getDefaultEngine(), options.note, options.chains);
  const host = run.kind === "host" ? run.host : undefined;
  return {
    dim: inst.layout.dim,
    logDensity: run.kind === "tfjs-ir" ? run.logDensity : (q) => logDensityOf(inst, q),
    ...(host !== undefined ? { hostValueAndGrad: host.valueAndGrad, ...(host.program !== undefined ? { hostProgram: host.program } : {}) } : {}),
    outputNames: names,
    // the host engine's draws get its float64 outputs (a kernel's Cholesky factor float32 cannot resolve)
    outputs: host !== undefined ? outputsOnHost(inst, (q) => outputsOf(inst, q)) : (q) => outputsOf(inst, q),
    explainNonFinite: (q) => explainNonFiniteOf(inst, q),
  };
}

/** Shapes of data args, for messages. */
export function describeBinding(v: Value): string {
  return v.kind === "tensor" ? `[${shapeOf(v).join(", ")}]` : describeValue(v);
}

export { DlmError };
