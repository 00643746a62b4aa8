/**
 * The handlers that give a model its meanings:
 *   - tracer: discovers latents (name, shape, support), networks and recorded quantities,
 *     checks data against shapes and supports; latents take the value at unconstrained zero.
 *   - scorer: reads latents from a flat unconstrained batch `[C, D]`, maps them through their
 *     bijectors and accumulates log prior + log likelihood + log|det J| as one `[C]` tensor.
 * Simulation handlers (prior and posterior predictive) are in simulate.ts.
 */
import { tf } from "../core/engine.js";
import { bijectorFor, contains, describe, sumPerChain, type Bijector } from "../distributions/index.js";
import type { Distribution, ValueTerms } from "../distributions/distribution.js";
import type { Span, TildeStmt } from "../grammar/ast.js";
import { initParams, type Layer } from "../nn/layer.js";
import type { ParamTree } from "../nn/tree.js";
import { key as makeKey, fold, type Key } from "../core/random.js";
import { DlmError } from "./errors.js";
import type { Handler, LatentSite, NetMode, ObservedSite } from "./handler.js";
import { shapeOf, tensor, type TensorValue, type Value } from "./value.js";
import type { Layout } from "../core/flatten.js";

export interface LatentInfo {
  readonly name: string;
  /** Constrained shape, without the chain axis. */
  readonly shape: readonly number[];
  readonly unconstrainedShape: readonly number[];
  readonly support: string;
  readonly stmt: TildeStmt;
  /** Set for a discrete latent: gradient-based inference refuses the model (posteriorModel). */
  readonly discrete?: string;
}

export interface RecordInfo {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface TraceResult {
  readonly latents: LatentInfo[];
  readonly observed: { name: string; argument: string; shape: readonly number[]; stmt: TildeStmt }[];
  readonly records: RecordInfo[];
  /** Network parameters without a prior (point parameters), by network name. */
  readonly points: Map<string, ParamTree>;
  /** Scalar `~` statements executed inside loops (vectorisation hints). */
  readonly loopTildes: Set<TildeStmt>;
}

const fmt = (s: readonly number[]): string => `[${s.join(", ")}]`;

/** Event rank of the distribution of each observed statement (cached from the trace). */
const eventRanks = new WeakMap<TildeStmt, number>();

/** Build an observed site's distribution aligned with its value. */
export function observedDist(site: ObservedSite): Distribution {
  if (!site.dist.batched) return site.dist.build(0);
  let er = eventRanks.get(site.stmt);
  if (er === undefined) {
    er = site.dist.build(0).eventShape.length;
    eventRanks.set(site.stmt, er);
  }
  return site.dist.build(Math.max(0, shapeOf(site.value).length - er));
}

/** Shape of the latent for a site: forced by the site, else the distribution's (chain axis dropped). */
export function latentShape(site: LatentSite, d: Distribution): number[] {
  if (site.shape !== undefined) return [...site.shape];
  const full = [...d.batchShape, ...d.eventShape];
  return site.dist.batched ? full.slice(1) : full;
}

/** The error for a discrete latent under gradient-based inference. */
export function discreteError(l: LatentInfo): DlmError {
  return new DlmError(
    `\`${l.name}\` is a discrete latent variable (${l.discrete ?? ""} over ${l.support}); gradient-based inference (NUTS, HMC, VI) needs continuous unknowns`,
    l.stmt.span,
    `pass \`${l.name}\` as data, or marginalise it out (e.g. with Mixture, or a sum over its values inside factor)`,
  );
}

/** The tracer: C = 1, latents at the unconstrained origin. */
export function tracer(seed: Key = makeKey(0), source = "", data: ReadonlyMap<string, Value> = new Map()): Handler & { result: TraceResult } {
  const result: TraceResult = { latents: [], observed: [], records: [], points: new Map(), loopTildes: new Set() };
  let netIndex = 0;
  return {
    result,
    latent(site) {
      const d = site.dist.build(0);
      const shape = latentShape(site, d);
      if (d.discrete) {
        result.latents.push({ name: site.name, shape, unconstrainedShape: shape, support: describe(d.support), stmt: site.stmt, discrete: d.name });
        return tensor(site.dist.batched ? d.sample(seed) : d.sample(seed, [1]), true);
      }
      let bij: Bijector;
      try {
        bij = bijectorFor(d.support);
      } catch (e) {
        throw new DlmError(`\`${site.name}\`: ${(e as Error).message}`, site.stmt.span);
      }
      const ushape = bij.unconstrainedShape(shape);
      result.latents.push({ name: site.name, shape, unconstrainedShape: [...ushape], support: describe(d.support), stmt: site.stmt });
      return tensor(bij.forward(tf.zeros([1, ...ushape])), true);
    },
    observe(site) {
      if (site.depth > 0 && shapeOf(site.value).length === 0) result.loopTildes.add(site.stmt);
      const d = observedDist(site);
      checkObserved(site, d, source, data);
      result.observed.push({ name: site.name, argument: site.argument, shape: shapeOf(site.value), stmt: site.stmt });
    },
    factor() {},
    network(name: string, layer: Layer) {
      const params = initParams(layer, fold(seed, netIndex++));
      result.points.set(name, params);
      return { params, batched: false };
    },
    record(name: string, value: Value) {
      if (value.kind === "tensor" && value.batched) result.records.push({ name, shape: shapeOf(value) });
      else if (value.kind === "num") return;
    },
  };
}

/** Shapes and support of observed data, at instantiation (messages name both shapes). */
function checkObserved(site: ObservedSite, d: Distribution, source: string, data: ReadonlyMap<string, Value>): void {
  const vshape = shapeOf(site.value);
  const ev = d.eventShape.length;
  const dshape = site.dist.batched ? d.batchShape.slice(1) : [...d.batchShape];
  const vbatch = vshape.slice(0, vshape.length - ev);
  const vevent = vshape.slice(vshape.length - ev);
  const stmt = site.stmt;
  const lhs = site.name;
  const ok = dshape.length <= vbatch.length && dshape.every((x, i) => x === 1 || x === vbatch[vbatch.length - dshape.length + i]);
  if (!ok || vevent.some((x, i) => x !== d.eventShape[i])) {
    const text = source === "" ? site.dist.text : source.slice(stmt.dist.span.start, stmt.dist.span.end);
    // Say where the distribution's size came from: data arguments with that many rows.
    const rows = dshape[0];
    const from = [...data].filter(([k, v]) => k !== site.argument && v.kind === "tensor" && !v.batched && v.t.rank > 0 && v.t.shape[0] === rows).map(([k]) => `\`${k}\` has ${rows} rows`);
    throw new DlmError(
      `\`${lhs}\` has shape ${fmt(vshape)} but its distribution \`${text}\` has shape ${fmt([...dshape, ...d.eventShape])}${from.length > 0 ? ` (${from.join(", ")})` : ""}`,
      stmt.span,
      dshape.length > vbatch.length || dshape.some((x, i) => x !== 1 && x !== vbatch[vbatch.length - dshape.length + i])
        ? "the distribution's parameters must broadcast to the data's shape (one term per observation); check the sizes of the data and of any `@` or `*`"
        : undefined,
    );
  }
  // Bounds that depend on latents (`y ~ Uniform(0, theta)`) cannot be checked against data here.
  if (latentBound(site, d)) return;
  const inside = tf.tidy(() => contains(d.support, site.value.t).dataSync());
  const bad = inside.findIndex((x) => x === 0);
  if (bad >= 0) {
    const vals = site.value.t.dataSync();
    const where = vshape.length === 0 ? lhs : `${lhs} (element ${bad + 1})`;
    throw new DlmError(
      `${where} = ${vals[bad]} is outside the support of ${d.name} (${describe(d.support)})`,
      stmt.span,
      d.discrete ? "count and class data must be integers in the support; classes are numbered from 1" : undefined,
    );
  }
}

/** The unmasked log density where the value is in the support by construction (fewer kernels). */
const inSupportLogProb = (d: Distribution, x: tf.Tensor): tf.Tensor => (d.logProbInSupport ?? d.logProb)(x);

/** A support bound that may depend on latents (`y ~ Uniform(0, theta)`). */
function latentBound(site: ObservedSite, d: Distribution): boolean {
  const c = d.support;
  return site.dist.batched && (c.kind === "greaterThan" || c.kind === "lessThan" || c.kind === "interval");
}

/** Whether checkObserved validated this site's values against the support at instantiation (data, fixed bounds). */
const validatedData = (site: ObservedSite, d: Distribution): boolean => !site.value.batched && !latentBound(site, d);

/**
 * Sums of value-only log-density terms (Distribution.valueTerms) of observed data, by data
 * tensor and term key: computed once in float64 on the host, then reused by every evaluation.
 * Keyed on the tensor object, so a new array (a minibatch's rows) gets its own sum.
 */
const valueTerms = new WeakMap<tf.Tensor, Map<string, number>>();

/**
 * The value-only part of an observed site's log density, summed as the scorer sums the site, or
 * undefined where it does not apply: only for a whole data argument (`y ~ D`, not `y[i] ~ D`,
 * whose array is new on every call) whose elements each get one term (no broadcasting of the
 * distribution beyond the data's shape).
 */
function valueTermSum(site: ObservedSite, d: Distribution, split: ValueTerms): number | undefined {
  if (site.name !== site.argument || site.value.batched || d.eventShape.length > 0) return undefined;
  const x = site.value.t;
  const batch = site.dist.batched ? d.batchShape.slice(1) : d.batchShape;
  if (batch.length > x.rank || batch.some((n, i) => n !== 1 && n !== x.shape[x.rank - batch.length + i])) return undefined;
  let byKey = valueTerms.get(x);
  if (byKey === undefined) {
    byKey = new Map();
    valueTerms.set(x, byKey);
  }
  let sum = byKey.get(split.key);
  if (sum === undefined) {
    sum = 0;
    for (const v of x.dataSync()) sum += split.term64(v);
    byKey.set(split.key, sum);
  }
  return sum;
}

/** Values for the scorer: unconstrained blocks `[C, ...ushape]` by latent name. */
export interface ScoreState {
  /** The log density so far, `[C]`; undefined until the first term (no zeros + add). */
  acc: tf.Tensor | undefined;
  /** Host-side constants of the log density (value-only terms of observed data), added to `acc` by the caller. */
  constant?: number;
  /** Per-statement log-density terms, when explaining a non-finite density. */
  readonly terms?: { stmt: TildeStmt | Span; value: tf.Tensor }[];
  /** Leave log|det J| of the constraining transforms out: the density of the constrained values (MAP by `train`, as Stan's optimizer does by default). */
  readonly noJacobian?: boolean;
  /** The mode each network runs in, by name (training: dropout on, BatchNorm statistics updated). */
  readonly networks?: (name: string) => NetMode | undefined;
}

/** The scorer: log joint on the unconstrained space, batched over chains. */
export function scorer(
  values: ReadonlyMap<string, tf.Tensor>,
  points: ReadonlyMap<string, ParamTree>,
  state: ScoreState,
  onRecord?: (name: string, value: Value) => void,
  /** Likelihood weight of an observed site (minibatching: N / batch for observation-indexed data). */
  weight?: (site: ObservedSite) => number,
  /** The flat batch and its layout: lets a group of adjacent real latents be scored in one call. */
  flat?: { readonly q: tf.Tensor2D; readonly layout: Layout },
): Handler {
  /** Add a term already summed to `[C]` (batched) or a scalar. */
  const addSum = (s: tf.Tensor, where: TildeStmt | Span, constant = 0): void => {
    state.terms?.push({ stmt: where, value: constant === 0 ? s : tf.add(s, constant) });
    state.acc = state.acc === undefined ? s : tf.add(state.acc, s);
    if (constant !== 0) state.constant = (state.constant ?? 0) + constant;
  };
  const add = (t: tf.Tensor, batched: boolean, where: TildeStmt | Span, constant = 0): void => addSum(sumPerChain(t, batched), where, constant);
  /** Σ of the log density of values in the support: the fused kernel where the family has one. */
  const inSupportSum = (d: Distribution, x: tf.Tensor, batched: boolean): tf.Tensor =>
    d.logProbSum !== undefined ? d.logProbSum(x, batched) : sumPerChain(inSupportLogProb(d, x), batched);
  return {
    latent(site) {
      const d = site.dist.build(0);
      const y = values.get(site.name);
      if (y === undefined) throw new DlmError(`\`${site.name}\` did not exist when the model was instantiated`, site.stmt.span, "the set of latent variables must not depend on their values");
      // The real line needs no transform (and no log-Jacobian): skip the identity bijector.
      if (d.support.kind === "real") {
        addSum(inSupportSum(d, y, true), site.stmt);
        return tensor(y, true);
      }
      const bij = bijectorFor(d.support);
      if (state.noJacobian === true) {
        const x = bij.forward(y);
        addSum(inSupportSum(d, x, true), site.stmt);
        return tensor(x, true);
      }
      const fused = bij.forwardWithLogDetSum?.(y);
      const x = fused?.x ?? bij.forward(y);
      const logDetSum = fused?.logDetSum ?? sumPerChain(bij.logDetJacobianView?.(y) ?? bij.logDetJacobian(y), true);
      addSum(tf.add(inSupportSum(d, x, true), logDetSum), site.stmt);
      return tensor(x, true);
    },
    latentGroup(sites) {
      // Adjacent real-valued blocks under one elementwise prior: one log density over a single
      // slice of q instead of one per tensor (params(net) ~ Normal(0, s) on a whole network).
      const entries = sites.map((s) => flat?.layout.entries.find((e) => e.name === s.name));
      const first = entries[0];
      const contiguous = flat !== undefined && first !== undefined && entries.every((e, i) => e !== undefined && (i === 0 || e.offset === entries[i - 1]!.offset + entries[i - 1]!.size));
      const total = entries.reduce((a, e) => a + (e?.size ?? 0), 0);
      const d = contiguous ? sites[0]!.dist.resized([total]).build(0) : undefined;
      if (flat === undefined || first === undefined || d === undefined || d.support.kind !== "real" || d.eventShape.length > 0) return sites.map((s) => this.latent(s));
      const y = tf.slice(flat.q, [0, first.offset], [flat.q.shape[0], total]);
      addSum(inSupportSum(d, y, true), sites[0]!.stmt);
      return sites.map((s) => tensor(values.get(s.name)!, true));
    },
    observe(site) {
      const d = observedDist(site);
      const w = weight?.(site) ?? 1;
      const valid = validatedData(site, d);
      // Fixed data: the value-only part of the log density (−lgamma(k + 1), ...) once, on the host.
      const batched = site.dist.batched || site.value.batched;
      const terms = valid && d.logProbSum !== undefined ? d.valueTerms : undefined;
      const c = terms === undefined ? undefined : valueTermSum(site, d, terms);
      if (c !== undefined) {
        const s = d.logProbSum!(site.value.t, batched, { withoutValueTerms: true, valueIsData: true });
        addSum(w === 1 ? s : tf.mul(s, w), site.stmt, c * w);
        return;
      }
      if (valid && d.logProbSum !== undefined) {
        const s = d.logProbSum(site.value.t, batched, { valueIsData: true });
        addSum(w === 1 ? s : tf.mul(s, w), site.stmt);
        return;
      }
      const lp = valid ? inSupportLogProb(d, site.value.t) : d.logProb(site.value.t);
      add(w === 1 ? lp : tf.mul(lp, w), batched, site.stmt);
    },
    factor(lp: TensorValue, span: Span) {
      const s = sumPerChain(lp.t, lp.batched);
      // The first term becomes the accumulator, which the caller will own: never a value
      // that lives elsewhere (data, a cached constant).
      addSum(s === lp.t && state.acc === undefined ? tf.clone(s) : s, span);
    },
    network(name: string) {
      // Networks whose parameters all have priors keep no point values: `params(net) ~ D` fills them.
      const mode = state.networks?.(name);
      return { params: points.get(name) ?? {}, batched: false, ...(mode !== undefined ? { mode } : {}) };
    },
    record(name: string, value: Value) {
      onRecord?.(name, value);
    },
  };
}
