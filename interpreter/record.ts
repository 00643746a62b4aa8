/**
 * Record a model instance into the IR (core/ir/graph.ts): the model body runs once with
 * symbolic values for its latents. Everything that depends on data only is computed by the
 * ordinary evaluator and folded into constants; loops and `if`s on data are resolved while
 * recording; what depends on latents becomes IR nodes, an `if` on latents a select of both
 * branches (where the branches only assign). The log density (priors, likelihoods,
 * `factor`s and the log-Jacobians of the constraining transforms) is one scalar node over θ,
 * the instance's flat unconstrained vector (its `layout`, as interpreter/instance.ts uses it).
 *
 * Anything outside the recorded set (loops and indices on parameter values, an `if` on them
 * with a `~`, `factor` or `return` inside, networks, an op or a distribution the IR lacks)
 * throws CannotRecord, and the caller keeps the tfjs path.
 */
import { tf } from "../core/engine.js";
import { Graph, IrError, sizeOf } from "../core/ir/graph.js";
import type { BinaryFn } from "../core/ir/ops.js";
import { linearLikelihood } from "../core/ir/normal-linear.js";
import { assignInto, sumTerms, vectorise } from "../core/ir/terms.js";
import { DISTRIBUTIONS } from "../distributions/index.js";
import type { Constraint } from "../distributions/constraints.js";
import { boundsConstraint } from "../distributions/truncated.js";
import type { Block, Expr, IndexArg, Span, Stmt, TildeStmt } from "../grammar/ast.js";
import { evaluate, indexSpecs, ReturnSignal, type EvalContext, type ModelFrame } from "./evaluate.js";
import { DlmError } from "./errors.js";
import type { Handler } from "./handler.js";
import { assignIndex, index } from "./indexing.js";
import type { ModelInstance } from "./instance.js";
import { RECORDED_BUILTINS } from "./record-builtins.js";
import { constrain, describeRecorded, orderedOf, recordedDist, scalarBound } from "./record-families.js";
import { networkField, recordForward, subNetwork, type RecordedNet } from "./record-networks.js";
import { isSpec } from "../nn/layer.js";
import { paramName, walkTree } from "../nn/tree.js";
import { childEnv, lookup, assignVar, shapeOf, tensor, MISSING, type Env, type TensorValue, type Value } from "./value.js";

/** Why an instance cannot be recorded; the message starts "cannot record: ". */
export class CannotRecord extends Error {
  constructor(reason: string) {
    super(`cannot record: ${reason}`);
  }
}

export interface RecordedDensity {
  readonly graph: Graph;
  /** The scalar node of the log density on the unconstrained space. */
  readonly output: number;
  /**
   * The node of each latent's constrained value and of the last value that depends on
   * parameters assigned to each name by a top-level statement of the model body (the recorded
   * quantities among them, as the evaluator records them), for the outputs (record-outputs.ts).
   */
  readonly assigned: ReadonlyMap<string, number>;
}

const IR_TAG = "ir";

/** A value that depends on latents: a node of the graph. */
const symbolic = (node: number): Value => ({ kind: "opaque", tag: IR_TAG, payload: node, show: "a recorded value" });
const nodeOf = (v: Value | undefined): number | undefined => (v?.kind === "opaque" && v.tag === IR_TAG ? (v.payload as number) : undefined);

const NET_TAG = "irnet";
/** A network whose parameters are latents of the graph (record-networks.ts). */
const recordedNet = (net: RecordedNet): Value => ({ kind: "opaque", tag: NET_TAG, payload: net, show: `the network ${net.root}` });
const netOf = (v: Value | undefined): RecordedNet | undefined => (v?.kind === "opaque" && v.tag === NET_TAG ? (v.payload as RecordedNet) : undefined);

/** The operators on values that depend on parameters; comparisons and logical ones give 0/1, as the evaluator's on arrays. */
const ARITH: Readonly<Partial<Record<string, BinaryFn>>> = {
  "+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow",
  "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne", "&&": "and", "||": "or",
};

/** Handler for the evaluator's concrete (data-only) work: nothing it evaluates may reach one. */
const noHandler: Handler = {
  latent: () => { throw new CannotRecord("a `~` inside an expression"); },
  observe: () => { throw new CannotRecord("a `~` inside an expression"); },
  factor: () => { throw new CannotRecord("`factor` inside a function"); },
  network: () => { throw new CannotRecord("a network bound inside a function"); },
  record: () => {},
};

export interface RecordOptions {
  /** Only the observed statements and `factor`s (the likelihood): no priors of latents, no log|det J|. */
  readonly likelihoodOnly?: boolean;
  /**
   * Score a linear regression on data through its sufficient statistics (normal-linear.ts;
   * default true). O(K²) ops of one element each instead of one O(NK) product: the host
   * executor's win, the tfjs executor's loss (a kernel launch per small op).
   */
  readonly sufficientStatistics?: boolean;
}

/** Record `inst`'s log density (log|det J| included). Throws CannotRecord. */
export function recordInstance(inst: ModelInstance, options: RecordOptions = {}): RecordedDensity {
  if (inst.points.size > 0) throw new CannotRecord("network parameters without a prior (`params(net) ~ D` gives every one a prior)");
  if (inst.minibatch !== undefined) throw new CannotRecord("minibatched instances stay on tfjs");
  const r = new Recorder(inst, options.likelihoodOnly === true, options.sufficientStatistics !== false);
  tf.engine().startScope();
  try {
    return r.run();
  } catch (e) {
    if (e instanceof IrError) throw new CannotRecord(e.message);
    throw e;
  } finally {
    // the data-only values computed while recording are folded into the graph: free them
    tf.engine().endScope();
  }
}

class Recorder {
  readonly g = new Graph();
  private readonly terms: number[] = [];
  private readonly assigned = new Map<string, Value>();
  private readonly frame: ModelFrame;
  private readonly ctx: EvalContext;

  constructor(private readonly inst: ModelInstance, private readonly likelihoodOnly: boolean, private readonly sufficientStatistics: boolean) {
    this.frame = { data: inst.data, missing: inst.missing, latents: new Set() };
    this.ctx = { handler: noHandler, globals: inst.globals, source: inst.source, model: this.frame, depth: 1 };
  }

  run(): RecordedDensity {
    const env = childEnv(this.inst.globals, true);
    for (const [k, v] of this.inst.bindings) env.vars.set(k, v);
    this.block(this.inst.def.body.body, env, false);
    const seen = new Set(this.frame.latents);
    const lost = this.inst.latents.find((l) => !seen.has(l.name));
    if (lost !== undefined) throw new CannotRecord(`the latent \`${lost.name}\` was not met while recording`);
    const g = this.g;
    g.dim = Math.max(g.dim, this.inst.layout.dim);
    const output = sumTerms(g, this.terms);
    const assigned = new Map<string, number>();
    for (const [name, v] of this.assigned) {
      const node = nodeOf(v);
      if (node !== undefined) assigned.set(name, node);
    }
    return { graph: g, output, assigned };
  }

  // ------------------------------------------------------------------------------------------
  // statements

  private block(body: readonly Stmt[], env: Env, inFn: boolean): void {
    for (const s of body) this.stmt(s, env, inFn);
  }

  private stmt(s: Stmt, env: Env, inFn: boolean): void {
    switch (s.kind) {
      case "Assign": {
        let v = this.expr(s.value, env);
        if (s.op !== "=") v = this.binary(s.op.slice(0, 1), this.expr(s.target, env), v, s.span);
        if (s.target.kind === "Name" && this.inst.def.body.body.includes(s)) this.assigned.set(s.target.name, v);
        if (s.target.kind === "Name") assignVar(env, s.target.name, v);
        else if (s.target.kind === "Index") this.assignIndexed(s.target.target, s.target.indices, v, env, s.span);
        else throw new CannotRecord("assignment to a field");
        return;
      }
      case "Tilde": return this.tilde(s, env);
      case "ExprStmt": {
        const ex = s.expr;
        if (ex.kind === "Call" && ex.callee.kind === "Name" && ex.callee.name === "factor" && lookup(env, "factor") === undefined) {
          if (inFn) throw new CannotRecord("`factor` inside a function");
          const lp = this.expr(ex.args[0]!, env);
          this.terms.push(this.g.sum(this.node(lp)));
          return;
        }
        if (this.isSymbolic(ex, env)) throw new CannotRecord("a statement on a value that depends on parameters");
        evaluate(ex, env, this.ctx);
        return;
      }
      case "If": {
        if (this.isSymbolic(s.cond, env)) return this.ifOnParameters(s, env, inFn);
        const c = evaluate(s.cond, env, this.ctx);
        const truth = c.kind === "bool" ? c.v : c.kind === "num" ? c.v !== 0 : c.kind === "tensor" && c.t.size === 1 ? c.t.dataSync()[0] !== 0 : undefined;
        if (truth === undefined) throw new CannotRecord("an `if` on an array");
        if (truth) this.block(s.then.body, childEnv(env), inFn);
        else if (s.otherwise?.kind === "Block") this.block(s.otherwise.body, childEnv(env), inFn);
        else if (s.otherwise !== null) this.stmt(s.otherwise, env, inFn);
        return;
      }
      case "For": {
        const it = this.concrete(s.iterable, env, "a loop over a value that depends on parameters");
        const items: Value[] =
          it.kind === "list" ? [...it.items] : it.kind === "tensor" && it.t.rank === 1 ? Array.from(it.t.dataSync(), (v) => ({ kind: "num", v })) : [];
        if (it.kind !== "list" && !(it.kind === "tensor" && it.t.rank === 1)) throw new CannotRecord("a loop over something other than a range, a vector or a list");
        for (const item of items) {
          const scope = childEnv(env);
          scope.vars.set(s.variable, item);
          this.block(s.body.body, scope, inFn);
        }
        return;
      }
      case "Return": throw new ReturnSignal(s.value === null ? MISSING : this.expr(s.value, env));
      case "Fn": env.vars.set(s.name, { kind: "fn", def: s, env }); return;
      case "Network": throw new CannotRecord("a network definition inside a model");
      case "Model": throw new CannotRecord("a model defined inside a model");
      case "Include": throw new CannotRecord("`include` inside a model");
    }
  }

  /**
   * An `if` statement whose condition depends on parameters, as selects: allowed where its
   * branches only assign (names, indexed names, `if`s and loops of such statements). Each
   * branch runs in turn from the same starting values, and every variable of the enclosing
   * scopes that a branch assigns becomes cond ? its value after `then` : after `else`.
   */
  private ifOnParameters(s: Stmt & { kind: "If" }, env: Env, inFn: boolean): void {
    const branches = [s.then.body, s.otherwise === null ? [] : s.otherwise.kind === "Block" ? s.otherwise.body : [s.otherwise]];
    for (const b of branches) assignsOnly(b);
    const c = this.condition(this.expr(s.cond, env));
    const names = [...new Set(branches.flatMap(assignedNames))].filter((n) => lookup(env, n) !== undefined);
    const before = names.map((n) => lookup(env, n)!);
    const run = (body: readonly Stmt[]) => (): Value[] => {
      this.block(body, childEnv(env), inFn);
      const after = names.map((n) => lookup(env, n)!);
      names.forEach((n, i) => assignVar(env, n, before[i]!));
      return after;
    };
    const [then, otherwise] = this.branches("if", run(branches[0]!), run(branches[1]!));
    names.forEach((n, i) => {
      const [a, b] = [then[i]!, otherwise[i]!];
      if (a === b) return;
      assignVar(env, n, symbolic(this.select(c, this.node(a), this.node(b), `\`${n}\` after the branches of an \`if\` on parameters`)));
    });
  }

  /** A condition on parameters: one value (a scalar node), as the evaluator's `if` takes. */
  private condition(v: Value): number {
    const c = this.node(v);
    if (sizeOf(this.g.shape(c)) !== 1) throw new CannotRecord("an `if` on an array");
    return this.g.reshape(c, []);
  }

  /** Both branches of an `if` on parameters; an evaluation error in either is a reason not to record. */
  private branches<T>(what: string, then: () => T, otherwise: () => T): [T, T] {
    const attempt = (f: () => T): T => {
      try {
        return f();
      } catch (e) {
        if (e instanceof DlmError) throw new CannotRecord(`a branch of an \`${what}\` on parameters fails when recorded (${e.message})`);
        throw e;
      }
    };
    return [attempt(then), attempt(otherwise)];
  }

  /** cond ? a : b for branches of one shape (an `if` gives one branch's value, not a broadcast of both). */
  private select(c: number, a: number, b: number, what: string): number {
    const [sa, sb] = [this.g.shape(a), this.g.shape(b)];
    if (sa.join(",") !== sb.join(",")) throw new CannotRecord(`${what} have different shapes ([${sa.join(", ")}] and [${sb.join(", ")}])`);
    return this.g.select(c, a, b);
  }

  private tilde(s: TildeStmt, env: Env): void {
    const t = s.target;
    const dist = this.distribution(s.dist, env);
    const g = this.g;
    if (t.kind === "Name" && !this.inst.data.has(t.name)) {
      assignVar(env, t.name, symbolic(this.latent(t.name, "latent", dist, s)));
      return;
    }
    if (t.kind === "Params") return this.networkPrior(t.network, dist, s, env);
    if (t.kind !== "Name" && t.kind !== "Index") throw new CannotRecord("a network parameter left of `~` other than `params(net)`");
    if (dist.support.kind === "intervalOf") throw new CannotRecord("observed data under bounds that depend on parameters (its support is checked at every evaluation)");
    const value = this.concrete(t, env, "an observed value that depends on parameters");
    const x = this.node(value);
    this.score(dist, x, g.shape(x), s);
  }

  /**
   * `params(net) ~ D`, `params(net[1]) ~ D`, `params(net.name) ~ D`: every parameter tensor of
   * the network, or of the part named, a latent under D (networks.ts's tildeParams). The
   * network's name is bound to a recorded network whose parameter nodes these statements fill.
   */
  private networkPrior(target: Expr, dist: ReturnType<typeof recordedDist>, s: TildeStmt, env: Env): void {
    const path: string[] = [];
    let e = target;
    for (;;) {
      if (e.kind === "Index" && e.indices.length === 1 && e.indices[0]!.kind === "Number") {
        path.unshift(String(e.indices[0]!.value));
        e = e.target;
      } else if (e.kind === "Field") {
        path.unshift(e.field);
        e = e.target;
      } else break;
    }
    if (e.kind !== "Name") throw new CannotRecord("`params(...)` of other than a network, a numbered layer or a named part");
    const name = e.name;
    const v = lookup(env, name);
    const net = v?.kind === "layer" ? { layer: v.layer, root: name, path: [], params: new Map<string, number>() } : netOf(v);
    if (net === undefined || net.root !== name || net.path.length > 0) throw new CannotRecord(`\`params(...)\` of \`${name}\`, which is not a network bound in the model`);
    let layer = net.layer;
    for (const k of path) {
      const child = layer.children?.[k];
      if (child === undefined) throw new CannotRecord(`\`${this.text(target.span)}\` is not a part of the network`);
      layer = child;
    }
    const params = net.params as Map<string, number>;
    const leaves = walkTree(layer.paramSpecs(), isSpec);
    if (leaves.length === 0) throw new CannotRecord(`\`${this.text(target.span)}\` has no parameters`);
    for (const leaf of leaves) {
      const full = [...path, ...leaf.path];
      if (params.has(full.join("/"))) throw new CannotRecord(`\`${paramName(full, name)}\` has two priors`);
      params.set(full.join("/"), this.latent(paramName(full, name), "network parameter", dist, s));
    }
    if (v?.kind === "layer") assignVar(env, name, recordedNet(net));
  }

  /**
   * The latent `name` (a `~` target, or a network parameter) under `dist`: its θ block
   * constrained to the support, its prior and log|J| scored (unless likelihood only), and the
   * node of its value, which is also what the draws record under its name.
   */
  private latent(name: string, what: string, dist: ReturnType<typeof recordedDist>, s: TildeStmt): number {
    const g = this.g;
    const info = this.inst.latents.find((l) => l.name === name);
    const entry = this.inst.layout.entries.find((e) => e.name === name);
    if (info === undefined || entry === undefined) throw new CannotRecord(`the ${what} \`${name}\` was not found by the tracer`);
    if (info.discrete !== undefined) throw new CannotRecord(`\`${name}\` is discrete`);
    if (describeRecorded(dist.support) !== info.support) throw new CannotRecord(`\`${name}\`'s support (${info.support}) differs from the recorded one`);
    const { x: x0, logDet } = constrain(g, g.param(entry.offset, entry.shape), dist.support);
    // θ's block may be flat ([D]) where the latent is shaped: name the node by the latent's shape
    const x = sizeOf(g.shape(x0)) === sizeOf(info.shape) && g.shape(x0).join(",") !== info.shape.join(",") ? g.reshape(x0, info.shape) : x0;
    if (!this.likelihoodOnly) {
      this.score(dist, x, info.shape, s);
      if (logDet !== undefined) this.terms.push(logDet);
    }
    this.frame.latents.add(name);
    this.assigned.set(name, symbolic(x));
    return x;
  }

  private score(dist: ReturnType<typeof recordedDist>, x: number, shape: readonly number[], s: TildeStmt): void {
    const g = this.g;
    if (dist.composed !== undefined) {
      this.terms.push(dist.composed(x));
      return;
    }
    if (dist.family === undefined) return;
    const args = dist.args.map((a) => vectorise(g, a));
    const lp = (this.sufficientStatistics ? linearLikelihood(g, dist.family, x, args) : undefined) ?? g.lpdf(dist.family, [x, ...args]);
    // the scorer sums over the value's elements; the distribution must not be larger
    const all = [x, ...dist.args].map((a) => g.shape(a));
    const n = sizeOf(shape);
    if (all.some((sh) => sizeOf(sh) > n)) throw new CannotRecord(`\`${this.text(s.span)}\`: the distribution is larger than its value`);
    this.terms.push(dist.perElement === 0 ? lp : g.add(lp, g.scalar(dist.perElement * n)));
  }

  private distribution(e: Expr, env: Env): ReturnType<typeof recordedDist> {
    if (e.kind !== "Call" || e.callee.kind !== "Name") throw new CannotRecord("a distribution that is not a direct call such as `Normal(mu, sigma)`");
    const name = e.callee.name;
    const spec = DISTRIBUTIONS[name];
    const callee = lookup(env, name);
    if (spec === undefined || callee?.kind !== "builtin" || callee.name !== name) throw new CannotRecord(`\`${name}\` is not a distribution the recorder knows`);
    if (name === "Mixture") return this.mixture(e, env);
    if (name === "truncated") return this.truncatedOf(e, env);
    if (name === "ordered") {
      if (e.args.length !== 1 || e.kwargs.length > 0) throw new CannotRecord("ordered() with other than one distribution");
      return orderedOf(this.distribution(e.args[0]!, env));
    }
    const alternatives = new Map(spec.alternatives.map((a) => [a.keyword, a.keyword]));
    const named = new Map<string, number>();
    e.args.forEach((a, i) => {
      const p = spec.params[i];
      if (p === undefined) throw new CannotRecord(`${name} with too many arguments`);
      named.set(p, this.node(this.expr(a, env)));
    });
    for (const k of e.kwargs) {
      if (k.name === "size") continue;
      const key = alternatives.get(k.name) ?? (spec.params.includes(k.name) ? k.name : undefined);
      if (key === undefined) throw new CannotRecord(`${name} has no argument \`${k.name}\``);
      named.set(key, this.node(this.expr(k.value, env)));
    }
    return recordedDist(this.g, spec, named);
  }

  /**
   * `Mixture(w, [D₁, …, D_K])` (distributions/mixture.ts): log p(x) = logsumexp_k(log w_k +
   * log p_k(x)) elementwise, summed; components of one support, weights one vector.
   */
  /**
   * `truncated(D, lo, hi)` of data: D's terms less log Z (a constant, so taken from the
   * evaluator's own distributions: log p_D − log p at one point of the support), on the
   * truncated support. Where D or a bound depends on parameters, log Z would need D's CDF in
   * the IR, which it does not have.
   */
  private truncatedOf(e: Expr & { kind: "Call" }, env: Env): ReturnType<typeof recordedDist> {
    const why = "`truncated` of a distribution other than Normal, or of bounds, that depend on parameters (its normaliser needs a CDF the IR does not have)";
    if (this.isSymbolic(e, env)) return this.truncatedNormalOf(e, env, why);
    const whole = this.concrete(e, env, why);
    const innerExpr = e.args[0];
    if (whole.kind !== "dist" || innerExpr === undefined) throw new CannotRecord("`truncated` without a distribution as its first argument");
    const inner = this.distribution(innerExpr, env);
    if (inner.family === undefined || inner.composed !== undefined) throw new CannotRecord("`truncated` of a distribution the recorder scores as a whole");
    const innerValue = this.concrete(innerExpr, env, why);
    if (innerValue.kind !== "dist") throw new CannotRecord("`truncated` without a distribution as its first argument");
    const [d, base] = [whole.build(0), innerValue.build(0)];
    if (d.batchShape.length > 0 || base.batchShape.length > 0) throw new CannotRecord("`truncated` of a batch of distributions");
    const logZ = tf.tidy(() => {
      const x = tf.scalar(pointInside(d.support));
      return tf.sub(base.logProb(x), d.logProb(x)).dataSync()[0]!;
    });
    if (!Number.isFinite(logZ)) throw new CannotRecord("`truncated` whose normaliser is not finite in float32");
    return { ...inner, perElement: inner.perElement - logZ, support: d.support };
  }

  /**
   * `truncated(Normal(μ, σ), lo, hi)` with μ or σ depending on parameters and bounds of data:
   * Σ log φ-terms less Σ log Z, with log Z = log(Φ(b) − Φ(a)), a = (lo − μ)/σ, b = (hi − μ)/σ,
   * from log Φ (the IR's logNormalCdf): log Φ(b) + log1p(−e^{log Φ(a) − log Φ(b)}), or in the
   * upper tail (a > 0) the same of −b, −a so that it keeps its precision, as truncated.ts does.
   */
  private truncatedNormalOf(e: Expr & { kind: "Call" }, env: Env, why: string): ReturnType<typeof recordedDist> {
    const innerExpr = e.args[0];
    if (innerExpr?.kind !== "Call" || innerExpr.callee.kind !== "Name" || innerExpr.callee.name !== "Normal") throw new CannotRecord(why);
    const inner = this.distribution(innerExpr, env);
    if (inner.family !== "normal" || inner.perElement !== 0 || inner.args.length !== 2) throw new CannotRecord(why);
    const bound = (pos: number, key: string, none: number): number => {
      const ex = e.args[pos] ?? e.kwargs.find((k) => k.name === key)?.value;
      if (ex === undefined) return none;
      const n = scalarOf(this.concrete(ex, env, why));
      if (Number.isNaN(n)) throw new CannotRecord("`truncated` with bounds that are not single numbers");
      return n;
    };
    const [lo, hi] = [bound(1, "lo", -Infinity), bound(2, "hi", Infinity)];
    if (!(lo < hi)) throw new CannotRecord("`truncated` with a lower bound not below the upper");
    const g = this.g;
    const [mu, sigma] = inner.args as [number, number];
    const z = (b: number): number => g.binary("div", g.binary("sub", g.scalar(b), mu), sigma);
    const logPhi = (x: number): number => g.unary("logNormalCdf", x);
    /** log(Φ(u) − Φ(l)) from log Φ of both, u > l. */
    const logDiff = (u: number, l: number): number => {
      const lu = logPhi(u);
      return g.binary("add", lu, g.unary("log1p", g.unary("neg", g.unary("exp", g.binary("sub", logPhi(l), lu)))));
    };
    let logZ: number;
    if (lo === -Infinity && hi === Infinity) logZ = g.scalar(0);
    else if (hi === Infinity) logZ = logPhi(g.unary("neg", z(lo)));
    else if (lo === -Infinity) logZ = logPhi(z(hi));
    else {
      const [a, b] = [z(lo), z(hi)];
      logZ = g.select(g.binary("gt", a, g.scalar(0)), logDiff(g.unary("neg", a), g.unary("neg", b)), logDiff(b, a));
    }
    const support = boundsConstraint(lo, hi);
    return {
      args: [],
      perElement: 0,
      support,
      composed: (x) => {
        // log Z once per element of the broadcast of x, μ and σ
        const n = sizeOf(g.shape(x));
        const per = sizeOf(g.shape(logZ));
        if (n % per !== 0) throw new CannotRecord("`truncated` whose parameters are larger than its value");
        const total = g.binary("mul", g.scalar(n / per), g.sum(logZ));
        return g.binary("sub", g.lpdf("normal", [x, mu, sigma]), total);
      },
    };
  }

  private mixture(e: Expr & { kind: "Call" }, env: Env): ReturnType<typeof recordedDist> {
    const g = this.g;
    const [wExpr, compExpr] = e.args;
    if (wExpr === undefined || compExpr?.kind !== "Array" || e.args.length !== 2 || e.kwargs.length > 0) throw new CannotRecord("Mixture other than Mixture(weights, [D1, D2, …])");
    const w = this.node(this.expr(wExpr, env));
    const comps = compExpr.elements.map((c) => this.distribution(c, env));
    const k = comps.length;
    if (g.shape(w).length !== 1 || g.shape(w)[0] !== k) throw new CannotRecord("Mixture weights that are not one vector of the components' length");
    const support = comps[0]!.support;
    if (comps.some((c) => c.family === undefined || c.composed !== undefined || c.support.kind !== support.kind)) throw new CannotRecord("a Mixture of components the recorder cannot score elementwise");
    const logW = g.unary("log", w);
    return {
      args: [], perElement: 0, support,
      composed: (x) => {
        const shape = g.shape(x);
        const n = sizeOf(shape);
        const parts = comps.map((c, j) => {
          const lp = g.lpdf(c.family!, [x, ...c.args], true);
          if (sizeOf(g.shape(lp)) !== n) throw new CannotRecord("a Mixture component larger than its value");
          const wj = g.take(logW, Int32Array.of(j), []);
          return g.binary("add", g.reshape(lp, [n]), c.perElement === 0 ? wj : g.binary("add", wj, g.scalar(c.perElement)));
        });
        return g.sum(g.reduce("logsumexp", g.concat(parts, [k, n]), [0]));
      },
    };
  }

  /** `x[indices] = v`: a gather from concat([x, v]) (as interpreter/indexing.ts's assignIndex). */
  private assignIndexed(target: Expr, indices: readonly IndexArg[], v: Value, env: Env, span: Span): void {
    if (target.kind !== "Name") throw new CannotRecord("assignment to an index of something other than a name");
    const cur = this.expr(target, env);
    if (nodeOf(cur) === undefined && nodeOf(v) === undefined) {
      const specs = this.indexSpecs(indices, env);
      assignVar(env, target.name, assignIndex(cur as TensorValue, specs, this.asTensor(v, span), span));
      return;
    }
    const g = this.g;
    const x = this.node(cur);
    const e = this.node(v);
    const nx = sizeOf(g.shape(x));
    const specs = this.indexSpecs(indices, env);
    const src = assignIndex(iota(g.shape(x), 0), specs, iota(g.shape(e), nx), span);
    assignVar(env, target.name, symbolic(assignInto(g, x, e, Int32Array.from(src.t.dataSync()))));
  }

  // ------------------------------------------------------------------------------------------
  // expressions

  /** A concrete value of `e`, or CannotRecord with `why` if it depends on parameters. */
  private concrete(e: Expr, env: Env, why: string): Value {
    if (this.isSymbolic(e, env)) throw new CannotRecord(why);
    return evaluate(e, env, this.ctx);
  }

  private expr(e: Expr, env: Env): Value {
    if (!this.isSymbolic(e, env)) return evaluate(e, env, this.ctx);
    const g = this.g;
    switch (e.kind) {
      case "Name": return lookup(env, e.name)!;
      case "Binary": {
        const l = this.expr(e.left, env);
        // `&&` and `||` after a plain boolean short-circuit, as the evaluator's
        if ((e.op === "&&" || e.op === "||") && l.kind === "bool" && (e.op === "&&" ? !l.v : l.v)) return l;
        if ((e.op === "&&" || e.op === "||") && l.kind === "bool") return this.expr(e.right, env);
        const r = this.expr(e.right, env);
        return this.binary(e.op, l, r, e.span);
      }
      case "Unary":
        return symbolic(g.unary(e.op === "!" ? "not" : "neg", this.node(this.expr(e.operand, env))));
      case "Index": {
        if (e.indices.some((a) => a.kind !== "Colon" && this.isSymbolic(a, env))) throw new CannotRecord("an index that depends on parameters");
        const target = this.expr(e.target, env);
        const net = netOf(target);
        if (net !== undefined) {
          const i = e.indices.length === 1 && e.indices[0]!.kind !== "Colon" ? evaluate(e.indices[0]!, env, this.ctx) : undefined;
          return recordedNet(subNetwork(net, i));
        }
        const x = this.node(target);
        const specs = this.indexSpecs(e.indices, env);
        const sel = index(iota(g.shape(x), 0), specs, e.span);
        return symbolic(g.take(x, Int32Array.from(sel.t.dataSync()), shapeOf(sel)));
      }
      case "Call": return this.call(e, env);
      case "Field": {
        const net = netOf(this.expr(e.target, env));
        if (net === undefined) throw new CannotRecord("a field of a value that depends on parameters");
        const field = networkField(net, e.field);
        return typeof field === "number" ? symbolic(field) : recordedNet(field);
      }
      case "Array": {
        const items = e.elements.map((x) => this.node(this.expr(x, env)));
        const inner = g.shape(items[0]!);
        if (items.some((it) => g.shape(it).join(",") !== inner.join(","))) throw new CannotRecord("an array literal of differently shaped elements");
        return symbolic(g.concat(items, [items.length, ...inner]));
      }
      case "IfExpr": {
        if (this.isSymbolic(e.cond, env)) {
          // both branches recorded, one chosen per evaluation
          const c = this.condition(this.expr(e.cond, env));
          const [a, b] = this.branches("if", () => this.node(this.expr(e.then, env)), () => this.node(this.expr(e.otherwise, env)));
          return symbolic(this.select(c, a, b, "the branches of an `if` expression on parameters"));
        }
        const c = evaluate(e.cond, env, this.ctx);
        const truth = c.kind === "bool" ? c.v : c.kind === "num" ? c.v !== 0 : undefined;
        if (truth === undefined) throw new CannotRecord("an `if` expression on an array");
        return this.expr(truth ? e.then : e.otherwise, env);
      }
      default: throw new CannotRecord(`a ${e.kind} expression on a value that depends on parameters`);
    }
  }

  private binary(op: string, l: Value, r: Value, span: Span): Value {
    const g = this.g;
    if (nodeOf(l) === undefined && nodeOf(r) === undefined) {
      const fn = ARITH[op];
      if (fn === undefined && op !== "@") throw new CannotRecord(`\`${op}\``);
      // both concrete (compound assignment of data): fold
      if (op === "@") return symbolic(g.matmul(this.node(l), this.node(r)));
      return symbolic(g.binary(fn!, this.node(l), this.node(r)));
    }
    if (op === "@") return symbolic(g.matmul(this.node(l), this.node(r)));
    const fn = ARITH[op];
    if (fn === undefined) throw new CannotRecord(`\`${op}\` on a value that depends on parameters`);
    void span;
    return symbolic(g.binary(fn, this.node(l), this.node(r)));
  }

  private call(e: Expr & { kind: "Call" }, env: Env): Value {
    const g = this.g;
    if (e.callee.kind !== "Name") {
      // a part of a recorded network (`net[1](x)`), else a computed function the recorder does not take
      const part = this.isSymbolic(e.callee, env) ? netOf(this.expr(e.callee, env)) : undefined;
      if (part === undefined || e.args.length !== 1 || e.kwargs.length > 0) throw new CannotRecord("a call of a computed function");
      return symbolic(recordForward(g, part, part.layer, part.path, this.node(this.expr(e.args[0]!, env))));
    }
    const name = e.callee.name;
    const callee = lookup(env, name);
    const net = netOf(callee);
    if (net !== undefined) {
      if (e.args.length !== 1 || e.kwargs.length > 0) throw new CannotRecord(`\`${name}\` called with other than one input`);
      return symbolic(recordForward(g, net, net.layer, net.path, this.node(this.expr(e.args[0]!, env))));
    }
    if (callee?.kind === "builtin") {
      const rb = RECORDED_BUILTINS[name];
      if (rb !== undefined) {
        const arityOk = rb.arity === "many" ? e.args.length >= 1 : typeof rb.arity === "number" ? e.args.length === rb.arity : rb.arity.includes(e.args.length);
        const kwargsOk = e.kwargs.every((k) => rb.dims === true && k.name === "dims");
        if (!arityOk || !kwargsOk) throw new CannotRecord(`\`${name}\` with these arguments is not in the recorded op set yet`);
        const args = e.args.map((a) => this.node(this.expr(a, env)));
        const d = e.kwargs[0];
        return symbolic(rb.build(g, args, d === undefined ? undefined : this.dims(this.concrete(d.value, env, "dims that depend on parameters"))));
      }
      // shapes of recorded values are known while recording
      if ((name === "nrows" || name === "ncols" || name === "length") && e.args.length === 1 && e.kwargs.length === 0) {
        const shape = g.shape(this.node(this.expr(e.args[0]!, env)));
        const n = name === "length" ? sizeOf(shape) : shape[name === "nrows" ? 0 : 1];
        if (n === undefined) throw new CannotRecord(`\`${name}\` of a value with too few axes`);
        return { kind: "num", v: n };
      }
      if (name === "pow" && e.args.length === 2) return this.binary("^", this.expr(e.args[0]!, env), this.expr(e.args[1]!, env), e.span);
      if (name === "reshape" && e.args.length >= 2 && e.kwargs.length === 0) {
        const dims = e.args.slice(1).map((a) => this.count(this.concrete(a, env, "a reshape to a size that depends on parameters")));
        return symbolic(g.reshape(this.node(this.expr(e.args[0]!, env)), dims));
      }
      if (name === "vcat" && e.kwargs.length === 0) {
        // along the first axis: row-major blocks one after another
        const parts = e.args.map((a) => this.node(this.expr(a, env)));
        const shapes = parts.map((p) => (g.shape(p).length === 0 ? [1] : g.shape(p)));
        const inner = shapes[0]!.slice(1);
        if (shapes.some((sh) => sh.slice(1).join(",") !== inner.join(","))) throw new CannotRecord("vcat of blocks with different trailing sizes");
        return symbolic(g.concat(parts, [shapes.reduce((n, sh) => n + sh[0]!, 0), ...inner]));
      }
      throw new CannotRecord(`\`${name}\` of a value that depends on parameters is not in the recorded op set yet`);
    }
    if (callee?.kind === "fn") {
      const def = callee.def;
      if (e.args.length !== def.params.length || e.kwargs.length > 0 || def.keywords.length > 0) throw new CannotRecord(`a call of \`${name}\` with keyword arguments`);
      const inner = childEnv(callee.env, true);
      def.params.forEach((p, i) => inner.vars.set(p.name, this.expr(e.args[i]!, env)));
      if (def.body.kind !== "Block") return this.expr(def.body, inner);
      try {
        this.block((def.body as Block).body, inner, true);
      } catch (sig) {
        if (sig instanceof ReturnSignal) return sig.value;
        throw sig;
      }
      return MISSING;
    }
    throw new CannotRecord(`\`${name}\` applied to a value that depends on parameters`);
  }

  private indexSpecs(indices: readonly IndexArg[], env: Env): ReturnType<typeof indexSpecs> {
    return indexSpecs(indices, env, this.ctx);
  }

  /** Whether `e` reads a recorded (parameter-dependent) value. */
  private isSymbolic(e: Expr | IndexArg, env: Env): boolean {
    switch (e.kind) {
      case "Name": {
        const v = lookup(env, e.name);
        return nodeOf(v) !== undefined || netOf(v) !== undefined;
      }
      case "Number": case "String": case "Bool": case "Missing": case "Colon": return false;
      case "Array": case "Tuple": return e.elements.some((x) => this.isSymbolic(x, env));
      case "Range": return this.isSymbolic(e.start, env) || this.isSymbolic(e.end, env) || (e.step !== null && this.isSymbolic(e.step, env));
      case "Index": return this.isSymbolic(e.target, env) || e.indices.some((a) => this.isSymbolic(a, env));
      case "Field": return this.isSymbolic(e.target, env);
      case "Call": return this.isSymbolic(e.callee, env) || e.args.some((a) => this.isSymbolic(a, env)) || e.kwargs.some((k) => this.isSymbolic(k.value, env));
      case "Pair": case "Binary": return this.isSymbolic(e.left, env) || this.isSymbolic(e.right, env);
      case "Unary": return this.isSymbolic(e.operand, env);
      case "IfExpr": return this.isSymbolic(e.cond, env) || this.isSymbolic(e.then, env) || this.isSymbolic(e.otherwise, env);
    }
  }

  /** The node of a value: recorded, or a constant made from data. */
  private node(v: Value): number {
    const n = nodeOf(v);
    if (n !== undefined) return n;
    if (v.kind === "num") return this.g.scalar(v.v);
    if (v.kind === "bool") return this.g.scalar(v.v ? 1 : 0);
    if (v.kind === "tensor" && !v.batched) return this.g.constant(v.t.dataSync(), v.t.shape);
    if (v.kind === "list" && v.items.every((x) => x.kind === "num")) return this.g.constant(v.items.map((x) => (x as { v: number }).v), [v.items.length]);
    throw new CannotRecord(`a ${v.kind} where the recorder needs numbers`);
  }

  /** The numbers of a `dims` keyword (data): one, a list or a vector. */
  private dims(v: Value): number[] {
    if (v.kind === "list") return v.items.map((d) => this.integer(d));
    if (v.kind === "tensor" && v.t.rank === 1) return Array.from(v.t.dataSync());
    return [this.integer(v)];
  }

  private integer(v: Value): number {
    const x = scalarOf(v);
    if (!Number.isInteger(x)) throw new CannotRecord("dims that are not whole numbers");
    return x;
  }

  /** A whole number from data (a size). */
  private count(v: Value): number {
    const x = scalarOf(v);
    if (!Number.isInteger(x) || x < 0) throw new CannotRecord("a size that is not a whole number");
    return x;
  }

  private asTensor(v: Value, span: Span): TensorValue {
    if (v.kind === "tensor") return v;
    if (v.kind === "num") return tensor(tf.scalar(v.v), false);
    void span;
    throw new CannotRecord(`a ${v.kind} assigned into an array`);
  }

  private text(span: Span): string {
    return this.inst.source.slice(span.start, span.end);
  }
}

/**
 * Refuses a branch of an `if` on parameters that does more than assign: a `~` or `factor`
 * would add to the log density on one side only, a `return` would leave from one side.
 */
function assignsOnly(body: readonly Stmt[]): void {
  for (const s of body) {
    switch (s.kind) {
      case "Assign":
        if (s.target.kind !== "Name" && !(s.target.kind === "Index" && s.target.target.kind === "Name")) throw new CannotRecord("an assignment to a field inside an `if` on parameters");
        break;
      case "If":
        assignsOnly(s.then.body);
        if (s.otherwise !== null) assignsOnly(s.otherwise.kind === "Block" ? s.otherwise.body : [s.otherwise]);
        break;
      case "For": assignsOnly(s.body.body); break;
      case "Tilde": throw new CannotRecord("a `~` inside an `if` on parameters (the log density would have a term on one side only)");
      case "Return": throw new CannotRecord("a `return` inside an `if` on parameters");
      case "ExprStmt": throw new CannotRecord("a statement other than an assignment (`factor`, a call) inside an `if` on parameters");
      default: throw new CannotRecord(`a ${s.kind} statement inside an \`if\` on parameters`);
    }
  }
}

/** The names a branch assigns (`x = …`, `x[i] = …`, in nested blocks too). */
function assignedNames(body: readonly Stmt[]): string[] {
  return body.flatMap((s): string[] => {
    if (s.kind === "Assign") return s.target.kind === "Name" ? [s.target.name] : s.target.kind === "Index" && s.target.target.kind === "Name" ? [s.target.target.name] : [];
    if (s.kind === "If") return [...assignedNames(s.then.body), ...(s.otherwise === null ? [] : assignedNames(s.otherwise.kind === "Block" ? s.otherwise.body : [s.otherwise]))];
    if (s.kind === "For") return assignedNames(s.body.body);
    return [];
  });
}

/** Flat positions `start, start + 1, …` in `shape`: indexing them gives the flat index map of a selection. */
function iota(shape: readonly number[], start: number): TensorValue {
  const n = sizeOf(shape);
  if (start + n > 2 ** 24) throw new CannotRecord("an array too large to index exactly");
  return tensor(tf.tensor(Float32Array.from({ length: n }, (_, i) => start + i), [...shape], "float32"), false);
}

/** A point inside a univariate support with scalar bounds (the midpoint of an interval, a step inside a half line). */
function pointInside(c: Constraint): number {
  const [lo, hi] = c.kind === "interval" ? [scalarBound(c.lower), scalarBound(c.upper)] : c.kind === "greaterThan" ? [scalarBound(c.lower), Infinity] : c.kind === "lessThan" ? [-Infinity, scalarBound(c.upper)] : c.kind === "positive" ? [0, Infinity] : c.kind === "unitInterval" ? [0, 1] : [-Infinity, Infinity];
  if (Number.isFinite(lo) && Number.isFinite(hi)) return (lo + hi) / 2;
  if (Number.isFinite(lo)) return lo + 1;
  if (Number.isFinite(hi)) return hi - 1;
  return 0;
}

/** A value of data as one number: a number, or a tensor of one element; NaN for anything else. */
function scalarOf(v: Value): number {
  return v.kind === "num" ? v.v : v.kind === "tensor" && v.t.size === 1 ? v.t.dataSync()[0]! : NaN;
}
