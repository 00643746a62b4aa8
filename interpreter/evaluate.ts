/**
 * The one AST walker. Expressions evaluate to Values (value.ts); statements run in an Env;
 * `~`, `factor`, network creation and top-level assignments go to the Handler, which gives
 * the program its meaning (trace, score, simulate). Chain batching lives in the values.
 */
import { tf } from "../core/engine.js";
import * as steps from "../core/steps.js";
import type { BinaryExpr, Block, CallExpr, Expr, IndexArg, IndexExpr, Span, Stmt, TildeStmt } from "../grammar/ast.js";
import { assertNever } from "../grammar/ast.js";
import { suggest } from "../core/suggest.js";
import { elementwise } from "./align.js";
import { checkArgsAt, userSignature } from "./bind-call.js";
import { DlmError, fail, locate } from "./errors.js";
import type { Handler } from "./handler.js";
import { index, type IndexSpec } from "./indexing.js";
import { matmul } from "./matmul.js";
import { callNet, subNet, netField, bindNetwork, tildeParams, tildeParamLeaf } from "./networks.js";
import {
  asBool, asInt, asNumber, asString, asTensorValue, assignVar, childEnv, describeValue, lookup, num, stackValues, tensor,
  MISSING, type Env, type TensorValue, type Value,
} from "./value.js";
import { assignTo } from "./assign.js";
import { buildBlockNetwork } from "./network-block.js";
import { runCached, type ConstantCache } from "./constant-cache.js";

/** What a model body knows about its arguments. */
export interface ModelFrame {
  /** Arguments bound to data (observed when `~`'d). */
  readonly data: ReadonlySet<string>;
  /** Arguments given as `missing` or left out (latent when `~`'d). */
  readonly missing: ReadonlySet<string>;
  /** Names that became latent, to reject a second `~` on them. */
  readonly latents: Set<string>;
}

export interface EvalContext {
  readonly handler: Handler;
  readonly globals: Env;
  /** The source text (for statement text in messages). */
  readonly source: string;
  /** Calls of host entry points the evaluator cannot do itself (model instantiation, scripts). */
  readonly callModel?: (value: Value & { kind: "model" }, args: readonly Value[], kwargs: ReadonlyMap<string, Value>, span: Span) => Value;
  readonly model?: ModelFrame;
  /** Loop depth > 0 or inside a branch: top-level records are only taken at depth 0. */
  readonly depth: number;
  /** Inside a user function's body: its names are its own, not the calling model's arguments. */
  readonly inFn?: boolean;
  /** Scored evaluations: the instance's cache of data-only top-level statements (constant-cache.ts). */
  readonly cache?: ConstantCache;
}

/** Thrown by `return`, caught by the function (or `forward`) call. */
export class ReturnSignal {
  constructor(readonly value: Value) {}
}

/** Deepest nesting of user function calls (recursion) before a clean error. */
const MAX_DEPTH = 400;

export const text = (ctx: EvalContext, span: Span): string => ctx.source.slice(span.start, span.end);

// ---------------------------------------------------------------------------------------------
// Expressions

export function evaluate(e: Expr, env: Env, ctx: EvalContext): Value {
  switch (e.kind) {
    case "Number": return num(e.value);
    case "String": return { kind: "str", v: e.value };
    case "Bool": return { kind: "bool", v: e.value };
    case "Missing": return MISSING;
    case "Name": return resolve(e.name, e.span, env, ctx);
    case "Array": {
      const items = e.elements.map((x) => evaluate(x, env, ctx));
      if (items.every((x) => x.kind === "num")) return tensor(tf.tensor1d(items.map((x) => (x as { v: number }).v)), false);
      if (items.every((x) => x.kind === "num" || x.kind === "tensor" || x.kind === "bool" || x.kind === "list")) {
        return stackValues(items.map((x) => asTensorValue(x, e.span)), e.span);
      }
      return { kind: "list", items };
    }
    case "Tuple": return { kind: "list", items: e.elements.map((x) => evaluate(x, env, ctx)) };
    case "Range": {
      const r = rangeOf(e.start, e.step, e.end, env, ctx);
      return tensor(tf.tensor1d(rangeValues(r, e.span)), false);
    }
    case "Index": return evalIndex(e, env, ctx);
    case "Field": return field(evaluate(e.target, env, ctx), e.field, e.span);
    case "Call": return call(e, env, ctx);
    case "Pair": return { kind: "record", tag: "pair", fields: new Map([["from", evaluate(e.left, env, ctx)], ["to", evaluate(e.right, env, ctx)]]) };
    case "Binary": return binary(e, env, ctx);
    case "Unary": {
      const v = evaluate(e.operand, env, ctx);
      if (e.op === "!") {
        if (v.kind === "bool") return { kind: "bool", v: !v.v };
        return elementwise([asTensorValue(v, e.span)], (t) => steps.not(t), e.span);
      }
      if (v.kind === "num") return num(-v.v);
      return elementwise([asTensorValue(v, e.operand.span, "the operand of `-`")], (t) => tf.neg(t), e.span);
    }
    case "IfExpr": return asBool(evaluate(e.cond, env, ctx), e.cond.span) ? evaluate(e.then, env, ctx) : evaluate(e.otherwise, env, ctx);
    default: return assertNever(e);
  }
}

function resolve(name: string, span: Span, env: Env, ctx: EvalContext): Value {
  const v = lookup(env, name);
  if (v !== undefined) {
    if (v.kind === "missing" && ctx.inFn !== true && ctx.model?.missing.has(name) === true) {
      throw new DlmError(`\`${name}\` is missing (latent) and has no value yet`, span, `give it a distribution with \`${name} ~ ...\` before using it`);
    }
    return v;
  }
  if (ctx.inFn !== true && ctx.model?.missing.has(name) === true) {
    throw new DlmError(`\`${name}\` is used before it is defined`, span, `\`${name}\` is a latent argument here: put its \`~\` statement before this use`);
  }
  const names: string[] = [];
  for (let e: Env | undefined = env; e !== undefined; e = e.parent) names.push(...e.vars.keys());
  const near = suggest(name, names);
  throw new DlmError(`unknown name \`${name}\``, span, near !== undefined ? `did you mean \`${near}\`?` : undefined);
}

interface Range { start: number; step: number; end: number }

function rangeOf(start: Expr, step: Expr | null, end: Expr, env: Env, ctx: EvalContext): Range {
  return {
    start: asNumber(evaluate(start, env, ctx), start.span, "a range bound"),
    step: step === null ? 1 : asNumber(evaluate(step, env, ctx), step.span, "a range step"),
    end: asNumber(evaluate(end, env, ctx), end.span, "a range bound"),
  };
}

/** Ranges longer than this are refused rather than left to exhaust memory or hang. */
const MAX_RANGE = 10_000_000;

function rangeValues(r: Range, span?: Span): number[] {
  const out: number[] = [];
  if (r.step === 0) return out;
  const count = Math.floor((r.end - r.start) / r.step) + 1;
  if (!Number.isFinite(count) || count > MAX_RANGE) {
    throw new DlmError(`the range ${r.start}:${r.step === 1 ? "" : `${r.step}:`}${r.end} has ${Number.isFinite(count) ? count : "infinitely many"} elements; at most ${MAX_RANGE} are allowed`, span);
  }
  for (let i = r.start; r.step > 0 ? i <= r.end + 1e-9 : i >= r.end - 1e-9; i += r.step) out.push(i);
  return out;
}

export function indexSpecs(indices: readonly IndexArg[], env: Env, ctx: EvalContext): IndexSpec[] {
  return indices.map((a): IndexSpec => {
    if (a.kind === "Colon") return { kind: "all" };
    if (a.kind === "Range") return { kind: "range", ...rangeOf(a.start, a.step, a.end, env, ctx) };
    const v = evaluate(a, env, ctx);
    if (v.kind === "num") return { kind: "scalar", i: v.v };
    if (v.kind === "tensor") {
      if (v.batched) fail(a.span, "an index must not depend on a latent variable", "shapes and positions are fixed; use `ifelse` or arithmetic instead");
      if (v.t.rank === 0) return { kind: "scalar", i: v.t.dataSync()[0]! };
      return { kind: "gather", idx: v.t };
    }
    return fail(a.span, `an index should be an integer, a range or an integer array, but this is ${describeValue(v)}`);
  });
}

function evalIndex(e: IndexExpr, env: Env, ctx: EvalContext): Value {
  const target = evaluate(e.target, env, ctx);
  if (target.kind === "net") {
    if (e.indices.length !== 1) fail(e.span, "a network takes one index: `net[i]` is its i-th layer");
    return subNet(target, asInt(evaluate(e.indices[0] as Expr, env, ctx), e.span, "a layer index"), e.span);
  }
  if (target.kind === "list") {
    if (e.indices.length !== 1) fail(e.span, "a list takes one index");
    const i = asInt(evaluate(e.indices[0] as Expr, env, ctx), e.span, "a list index");
    const item = target.items[i - 1];
    if (item === undefined) fail(e.span, `index ${i} is out of bounds for a list of ${target.items.length}`);
    return item;
  }
  if (target.kind === "record" && target.fields.has("__matrix")) {
    return index(target.fields.get("__matrix") as TensorValue, indexSpecs(e.indices, env, ctx), e.span);
  }
  const t = asTensorValue(target, e.target.span, "the indexed value");
  return index(t, indexSpecs(e.indices, env, ctx), e.span);
}

export function field(v: Value, name: string, span: Span): Value {
  if (v.kind === "record") {
    const f = v.fields.get(name);
    if (f === undefined || name.startsWith("__")) {
      const names = [...v.fields.keys()].filter((k) => !k.startsWith("__"));
      const near = suggest(name, names);
      throw new DlmError(`this ${v.tag} has no field \`${name}\``, span, near !== undefined ? `did you mean \`${near}\`?` : `fields: ${names.join(", ")}`);
    }
    return f;
  }
  if (v.kind === "net") return netField(v, name, span);
  return fail(span, `${describeValue(v)} has no field \`${name}\``);
}

const ARITH: Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  "+": (a, b) => tf.add(a, b),
  "-": (a, b) => tf.sub(a, b),
  "*": (a, b) => tf.mul(a, b),
  "/": (a, b) => tf.div(a, b),
  "^": (a, b) => tf.pow(a, b),
  "%": (a, b) => tf.mod(a, b),
  // comparisons and logic have derivative 0 (core/steps.ts: tfjs has no gradient for them)
  "==": steps.eq,
  "!=": steps.ne,
  "<": steps.lt,
  "<=": steps.le,
  ">": steps.gt,
  ">=": steps.ge,
  "&&": steps.and,
  "||": steps.or,
};

const HOST: Record<string, (a: number, b: number) => number | boolean> = {
  "+": (a, b) => a + b, "-": (a, b) => a - b, "*": (a, b) => a * b, "/": (a, b) => a / b,
  "^": (a, b) => a ** b, "%": (a, b) => a - b * Math.floor(a / b),
  "==": (a, b) => a === b, "!=": (a, b) => a !== b, "<": (a, b) => a < b, "<=": (a, b) => a <= b,
  ">": (a, b) => a > b, ">=": (a, b) => a >= b,
};

function binary(e: BinaryExpr, env: Env, ctx: EvalContext): Value {
  if (e.op === "&&" || e.op === "||") {
    const l = evaluate(e.left, env, ctx);
    if (l.kind === "bool") {
      if (e.op === "&&" ? !l.v : l.v) return l;
      return evaluate(e.right, env, ctx);
    }
    const r = evaluate(e.right, env, ctx);
    return elementwise([asTensorValue(l, e.left.span), asTensorValue(r, e.right.span)], ARITH[e.op]!, e.span);
  }
  const l = evaluate(e.left, env, ctx);
  const r = evaluate(e.right, env, ctx);
  return binaryValues(e.op, l, r, e, ctx);
}

/** `l op r` on values (also used by `x += e`). */
export function binaryValues(op: BinaryExpr["op"], l: Value, r: Value, e: { span: Span; left: { span: Span }; right: { span: Span } }, ctx: EvalContext): Value {
  if (op === "+" && l.kind === "str" && (r.kind === "str" || r.kind === "num")) return { kind: "str", v: l.v + String(r.v) };
  if ((l.kind === "num" || l.kind === "bool") && (r.kind === "num" || r.kind === "bool")) {
    const f = HOST[op];
    if (f !== undefined) {
      const out = f(Number(l.v), Number(r.v));
      return typeof out === "boolean" ? { kind: "bool", v: out } : num(out);
    }
  }
  const a = asTensorValue(l, e.left.span, `the left operand of \`${op}\``);
  const b = asTensorValue(r, e.right.span, `the right operand of \`${op}\``);
  if (op === "@") return matmul(a, b, e.span);
  const f = ARITH[op];
  if (f === undefined) return fail(e.span, `unsupported operator \`${op}\``);
  return elementwise([a, b], f, e.span, `\`${text(ctx, e.left.span)}\` and \`${text(ctx, e.right.span)}\``);
}

// ---------------------------------------------------------------------------------------------
// Calls

function call(e: CallExpr, env: Env, ctx: EvalContext): Value {
  const callee = evaluate(e.callee, env, ctx);
  const args = e.args.map((a) => evaluate(a, env, ctx));
  const kwargs = new Map<string, Value>();
  for (const k of e.kwargs) {
    if (kwargs.has(k.name)) fail(k.span, `the keyword argument \`${k.name}\` is given twice`);
    kwargs.set(k.name, evaluate(k.value, env, ctx));
  }
  return applyValue(callee, args, kwargs, e.span, ctx);
}

/** Call any callable value. */
export function applyValue(callee: Value, args: readonly Value[], kwargs: ReadonlyMap<string, Value>, span: Span, ctx: EvalContext): Value {
  switch (callee.kind) {
    case "builtin":
      try {
        return callee.call(args, kwargs, span);
      } catch (err) {
        // Control signals of the script runner (not Errors) pass through untouched.
        if (!(err instanceof Error)) throw err;
        throw locate(err, span, err instanceof DlmError ? "" : `${callee.name}: `);
      }
    case "fn": return callUser(callee.def.name, callee.def.params, callee.def.keywords, callee.def.body, callee.env, args, kwargs, span, ctx);
    case "network": {
      if (callee.def.body.kind === "NetworkBlock") {
        const def = callee.def;
        const env = bindArgs(def.name, def.params, def.keywords, ctx.globals, args, kwargs, span, ctx);
        return { kind: "layer", layer: buildBlockNetwork(def, env, ctx, span) };
      }
      const v = callUser(callee.def.name, callee.def.params, callee.def.keywords, callee.def.body, ctx.globals, args, kwargs, span, ctx);
      if (v.kind !== "layer") fail(span, `the network \`${callee.def.name}\` should build layers (Chain, Dense, ...), but gives ${describeValue(v)}`);
      return v;
    }
    case "model":
      if (ctx.callModel === undefined) return fail(span, "a model instance cannot be created here");
      return ctx.callModel(callee, args, kwargs, span);
    case "net":
      if (args.length !== 1 || kwargs.size > 0) fail(span, "a network takes one argument: the input array");
      return callNet(callee, asTensorValue(args[0]!, span, "the network input"), span);
    case "layer":
      return fail(span, "this layer has no parameters yet", "bind it to a name inside a model first: `net = Chain(...)`, then call `net(x)`");
    default:
      return fail(span, `${describeValue(callee)} cannot be called`);
  }
}

function callUser(
  name: string,
  params: readonly { name: string }[],
  keywords: readonly { name: string; default: Expr }[],
  body: Expr | Block,
  closure: Env,
  args: readonly Value[],
  kwargs: ReadonlyMap<string, Value>,
  span: Span,
  ctx: EvalContext,
): Value {
  if (ctx.depth > MAX_DEPTH) throw new DlmError(`calls nested more than ${MAX_DEPTH} deep (runaway recursion in \`${name}\`?)`, span);
  const env = bindArgs(name, params, keywords, closure, args, kwargs, span, ctx);
  const inner: EvalContext = { ...ctx, depth: ctx.depth + 1, inFn: true };
  if (body.kind !== "Block") return evaluate(body, env, inner);
  try {
    runBlock(body.body, env, inner);
  } catch (sig) {
    if (sig instanceof ReturnSignal) return sig.value;
    throw sig;
  }
  return MISSING;
}

function bindArgs(
  name: string,
  params: readonly { name: string }[],
  keywords: readonly { name: string; default: Expr }[],
  closure: Env,
  args: readonly Value[],
  kwargs: ReadonlyMap<string, Value>,
  span: Span,
  ctx: EvalContext,
): Env {
  checkArgsAt(userSignature(name, params, keywords), args, kwargs, span);
  const env = childEnv(closure, true);
  params.forEach((p, i) => env.vars.set(p.name, args[i]!));
  for (const kw of keywords) env.vars.set(kw.name, kwargs.get(kw.name) ?? evaluate(kw.default, env, ctx));
  return env;
}

// ---------------------------------------------------------------------------------------------
// Statements

export function runBlock(body: readonly Stmt[], env: Env, ctx: EvalContext): void {
  const { cache, model } = ctx;
  if (cache !== undefined && model !== undefined && ctx.depth === 0 && ctx.inFn !== true) {
    // The model body's top level: data-only statements run once per instance, then replay.
    const isLatent = (name: string): boolean => model.latents.has(name) || model.missing.has(name);
    for (const s of body) {
      runCached(cache, s, env, ctx.handler, isLatent, ctx.globals, (handler) => runStmt(s, env, handler === ctx.handler ? ctx : { ...ctx, handler }));
    }
    return;
  }
  for (const s of body) runStmt(s, env, ctx);
}

export function runStmt(s: Stmt, env: Env, ctx: EvalContext): void {
  switch (s.kind) {
    case "Assign": {
      let v = evaluate(s.value, env, ctx);
      if (s.op !== "=") {
        const cur = evaluate(s.target, env, ctx);
        const op = s.op.slice(0, 1) as "+" | "-" | "*" | "/";
        v = binaryValues(op, cur, v, { span: s.span, left: s.target, right: s.value }, ctx);
      }
      if (s.target.kind === "Name" && v.kind === "layer" && ctx.model !== undefined) {
        v = bindNetwork(s.target.name, v, s.span, ctx.handler);
      }
      // A function's locals live in its own frame, whatever the calling model's names are.
      if (s.target.kind === "Name" && ctx.model !== undefined && ctx.inFn !== true) {
        const name = s.target.name;
        if (ctx.model.latents.has(name)) fail(s.target.span, `\`${name}\` is a random variable (it has a \`~\` statement) and cannot be assigned`);
        if (ctx.model.data.has(name)) fail(s.target.span, `\`${name}\` is a data argument of the model and cannot be reassigned`, "use a new name for the derived value");
      }
      assignTo(s.target, v, env, ctx);
      if (s.target.kind === "Name" && ctx.depth === 0 && ctx.model !== undefined) ctx.handler.record(s.target.name, v, s.span);
      return;
    }
    case "Tilde": return tilde(s, env, ctx);
    case "ExprStmt": {
      const ex = s.expr;
      if (ex.kind === "Call" && ex.callee.kind === "Name" && ex.callee.name === "factor" && lookup(env, "factor") === undefined) {
        if (ctx.model === undefined) fail(s.span, "`factor` can only be used inside a model");
        if (ex.args.length !== 1 || ex.kwargs.length > 0) fail(s.span, "`factor` takes one argument: the term to add to the log density");
        const lp = asTensorValue(evaluate(ex.args[0]!, env, ctx), ex.span, "the argument of `factor`");
        ctx.handler.factor(lp, s.span);
        return;
      }
      evaluate(ex, env, ctx);
      return;
    }
    case "If": {
      const inner = { ...ctx, depth: ctx.depth + 1 };
      if (asBool(evaluate(s.cond, env, ctx), s.cond.span)) runBlock(s.then.body, childEnv(env), inner);
      else if (s.otherwise?.kind === "Block") runBlock(s.otherwise.body, childEnv(env), inner);
      else if (s.otherwise !== null) runStmt(s.otherwise, env, inner);
      return;
    }
    case "For": {
      const inner = { ...ctx, depth: ctx.depth + 1 };
      for (const item of iterate(s.iterable, env, ctx)) {
        const scope = childEnv(env);
        scope.vars.set(s.variable, item);
        runBlock(s.body.body, scope, inner);
      }
      return;
    }
    case "Return": throw new ReturnSignal(s.value === null ? MISSING : evaluate(s.value, env, ctx));
    case "Fn": env.vars.set(s.name, { kind: "fn", def: s, env }); return;
    case "Network": env.vars.set(s.name, { kind: "network", def: s }); return;
    case "Model": env.vars.set(s.name, { kind: "model", def: s }); return;
    case "Include": fail(s.span, "`include` is not supported yet");
    default: return assertNever(s);
  }
}

function* iterate(it: Expr, env: Env, ctx: EvalContext): Generator<Value> {
  if (it.kind === "Range") {
    for (const i of rangeValues(rangeOf(it.start, it.step, it.end, env, ctx), it.span)) yield num(i);
    return;
  }
  const v = evaluate(it, env, ctx);
  if (v.kind === "list") { yield* v.items; return; }
  if (v.kind === "tensor" && !v.batched && v.t.rank === 1) {
    for (const x of v.t.dataSync()) yield num(x);
    return;
  }
  fail(it.span, `a for loop runs over a range (\`1:N\`), a vector of data or a list, not ${describeValue(v)}`);
}

// ---------------------------------------------------------------------------------------------
// Tilde

function tilde(s: TildeStmt, env: Env, ctx: EvalContext): void {
  const frame = ctx.model;
  if (frame === undefined) fail(s.span, "`~` statements belong inside a model", "define a `model name(args) { ... }` and put the statement there");
  const dv = evaluate(s.dist, env, ctx);
  if (dv.kind !== "dist") {
    fail(s.dist.span, `the right side of \`~\` should be a distribution, but it is ${describeValue(dv)}`);
  }
  const t = s.target;
  switch (t.kind) {
    case "Params": {
      const net = evaluate(t.network, env, ctx);
      if (net.kind !== "net") fail(t.network.span, `\`params(...)\` needs a network built in this model, but this is ${describeValue(net)}`);
      tildeParams(net, dv, s, ctx.handler);
      return;
    }
    case "Field": {
      const base = evaluate(t.target, env, ctx);
      if (base.kind === "net") { tildeParamLeaf(base, t.field, dv, s, ctx.handler); return; }
      fail(t.span, "only a network parameter (`net[1].weight`) or a name can stand left of `~`");
      return;
    }
    case "Index": {
      if (t.target.kind !== "Name") fail(t.span, "left of `~`, index a data argument directly: `y[i] ~ ...`");
      const name = t.target.name;
      if (!frame.data.has(name)) {
        fail(t.span, `\`${name}[...]\` cannot stand left of \`~\`: \`${name}\` is not data`,
          frame.missing.has(name) || lookup(env, name) === undefined
            ? `declare the whole vector at once: \`${name} ~ Dist(..., size = n)\``
            : `\`${name}\` is a computed value; only data arguments and new names can be random`);
      }
      const value = evalIndex(t, env, ctx);
      const specs = t.indices.map((a) => (a.kind === "Colon" ? ":" : text(ctx, a.span)));
      ctx.handler.observe({ name: `${name}[${specs.join(",")}]`, argument: name, dist: dv, value: asTensorValue(value, t.span), stmt: s, depth: ctx.depth });
      return;
    }
    case "Name": {
      const name = t.name;
      if (frame.data.has(name)) {
        const value = lookup(env, name);
        if (value === undefined) return fail(t.span, `internal: data \`${name}\` is unbound`);
        ctx.handler.observe({ name, argument: name, dist: dv, value: asTensorValue(value, t.span, `the data \`${name}\``), stmt: s, depth: ctx.depth });
        return;
      }
      if (frame.latents.has(name)) fail(t.span, `\`${name}\` already has a \`~\` statement`, ctx.depth > 0 ? "a latent inside a loop is declared once per iteration; declare it as a vector with `size = n` outside the loop" : "each random variable gets exactly one distribution");
      const existing = lookup(env, name);
      if (existing !== undefined && !frame.missing.has(name)) {
        fail(t.span, `\`${name}\` is already defined as a computed value and cannot also be random`, "use a new name for the random variable");
      }
      const v = ctx.handler.latent({ name, dist: dv, stmt: s });
      frame.latents.add(name);
      assignVar(env, name, v);
      if (ctx.depth === 0) return;
      return;
    }
    default: return assertNever(t);
  }
}

/** Read a value as a JS string (for print/paths). */
export const str = asString;
