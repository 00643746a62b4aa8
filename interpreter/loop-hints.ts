/**
 * Warnings for slow loops in a model: a scalar `~` on data inside a loop (found by the trace),
 * or a loop that sets a vector one element at a time (`for i in 1:N { mu[i] = ... }`, found in
 * the model's text), costs one pass through the arithmetic per element. A warning spells out
 * the vectorised statement only when it is the same model: the loop is `for v in 1:E` at the
 * model's top level, covers the whole vector (as many iterations as the data has elements, or
 * a vector made by `zeros(E)`/`ones(E)` just for the loop), reads `v` only as `x[v]` under
 * elementwise operators and builtins, reads nothing the loop itself changes, and every data
 * vector it reads has one element per iteration. Otherwise it says what to do without code: a
 * rewrite that is not faithful (`y ~ Normal(a + b * i, s)` with `i` outside its loop) would be
 * a different model. Recurrences (`mu[t] = phi * mu[t - 1]`) get no warning.
 */
import type { Expr, ForStmt, IndexArg, ModelDef, Span, Stmt, TildeStmt } from "../grammar/ast.js";
import type { TraceResult } from "./handlers.js";
import type { Value } from "./value.js";

/** Builtins that act element by element: `f(x[i])` in a loop equals `f(x)[i]`. */
const ELEMENTWISE = new Set([
  "exp", "log", "log1p", "expm1", "sqrt", "abs", "square", "sin", "cos", "tanh", "floor", "ceil", "round", "sigmoid",
  "logistic", "inv_logit", "logit", "softplus", "relu", "elu", "gelu", "swish", "identity", "lgamma", "digamma",
]);

/** Whether `name` occurs in `e`. */
function mentions(e: Expr | IndexArg, name: string): boolean {
  switch (e.kind) {
    case "Name": return e.name === name;
    case "Number": case "String": case "Bool": case "Missing": case "Colon": return false;
    case "Array": case "Tuple": return e.elements.some((x) => mentions(x, name));
    case "Range": return mentions(e.start, name) || (e.step !== null && mentions(e.step, name)) || mentions(e.end, name);
    case "Index": return mentions(e.target, name) || e.indices.some((x) => mentions(x, name));
    case "Field": return mentions(e.target, name);
    case "Call": return mentions(e.callee, name) || e.args.some((x) => mentions(x, name)) || e.kwargs.some((k) => mentions(k.value, name));
    case "Pair": case "Binary": return mentions(e.left, name) || mentions(e.right, name);
    case "Unary": return mentions(e.operand, name);
    case "IfExpr": return mentions(e.cond, name) || mentions(e.then, name) || mentions(e.otherwise, name);
  }
}

/** Names a loop body assigns or draws (its values may change from one iteration to the next). */
function assignedIn(body: readonly Stmt[], out = new Set<string>()): Set<string> {
  const base = (e: Expr): string | undefined => (e.kind === "Name" ? e.name : e.kind === "Index" || e.kind === "Field" ? base(e.target) : undefined);
  for (const s of body) {
    if (s.kind === "Assign" || (s.kind === "Tilde" && s.target.kind !== "Params")) {
      const n = base(s.target as Expr);
      if (n !== undefined) out.add(n);
    } else if (s.kind === "For") {
      out.add(s.variable);
      assignedIn(s.body.body, out);
    } else if (s.kind === "If") {
      assignedIn(s.then.body, out);
      if (s.otherwise !== null) assignedIn(s.otherwise.kind === "Block" ? s.otherwise.body : [s.otherwise], out);
    }
  }
  return out;
}

/**
 * Whether `e`, evaluated for each `v` of a loop, equals element `v` of `e` with every `x[v]`
 * read as `x`: true when `v` occurs only as the single index of a name (`x[v]`), under
 * elementwise operators and builtins, and `e` reads nothing the loop changes. The indexed
 * names are collected in `indexed`.
 */
function elementwise(e: Expr, v: string, changing: ReadonlySet<string>, indexed: Set<string>): boolean {
  if ([...changing].some((n) => mentions(e, n))) return false;
  if (!mentions(e, v)) return true; // the same in every iteration
  switch (e.kind) {
    case "Index": {
      const [only, ...more] = e.indices;
      if (e.target.kind !== "Name" || e.target.name === v || more.length > 0 || only?.kind !== "Name" || only.name !== v) return false;
      indexed.add(e.target.name);
      return true;
    }
    case "Binary": return e.op !== "@" && elementwise(e.left, v, changing, indexed) && elementwise(e.right, v, changing, indexed);
    case "Unary": return elementwise(e.operand, v, changing, indexed);
    case "Call":
      return e.callee.kind === "Name" && ELEMENTWISE.has(e.callee.name) && e.args.length === 1 && e.kwargs.length === 0 && elementwise(e.args[0]!, v, changing, indexed);
    default: return false;
  }
}

/** `e` as source text with every `x[v]` written `x`. */
function dropIndex(e: Expr, v: string, source: string): string {
  const cuts: { start: number; end: number; name: string }[] = [];
  const walk = (x: Expr | IndexArg): void => {
    if (x.kind === "Index" && x.target.kind === "Name" && x.indices.length === 1 && x.indices[0]!.kind === "Name" && (x.indices[0] as { name: string }).name === v) {
      cuts.push({ start: x.span.start, end: x.span.end, name: x.target.name });
      return;
    }
    switch (x.kind) {
      case "Binary": walk(x.left); walk(x.right); return;
      case "Unary": walk(x.operand); return;
      case "Call": x.args.forEach(walk); x.kwargs.forEach((k) => walk(k.value)); return;
      default: return;
    }
  };
  walk(e);
  let text = source.slice(e.span.start, e.span.end);
  for (const c of cuts.sort((a, b) => b.start - a.start)) text = text.slice(0, c.start - e.span.start) + c.name + text.slice(c.end - e.span.start);
  return text;
}

/** The number of iterations of `for v in 1:E` when E is known from the data (a number, a scalar argument, `length(x)`, `nrows(x)`). */
function loopCount(loop: ForStmt, bindings: ReadonlyMap<string, Value>): number | undefined {
  const r = loop.iterable;
  if (r.kind !== "Range" || r.step !== null || r.start.kind !== "Number" || r.start.value !== 1) return undefined;
  const e = r.end;
  const scalar = (x: Value | undefined): number | undefined =>
    x?.kind === "num" ? x.v : x?.kind === "tensor" && !x.batched && x.t.rank === 0 ? x.t.dataSync()[0] : undefined;
  if (e.kind === "Number") return e.value;
  if (e.kind === "Name") return scalar(bindings.get(e.name));
  if (e.kind === "Call" && e.callee.kind === "Name" && (e.callee.name === "length" || e.callee.name === "nrows") && e.args.length === 1 && e.args[0]!.kind === "Name") {
    const x = bindings.get(e.args[0].name);
    return x?.kind === "tensor" && !x.batched && x.t.rank >= 1 ? x.t.shape[0] : undefined;
  }
  return undefined;
}

/** Whether every name in `indexed` that is data is a vector of length `n` (the loop reads all of it, in order). */
function dataOfLength(indexed: ReadonlySet<string>, bindings: ReadonlyMap<string, Value>, n: number | undefined): boolean {
  for (const name of indexed) {
    const x = bindings.get(name);
    if (x === undefined) continue; // a value of the model: its shape is checked when the vectorised form runs
    if (n === undefined || x.kind !== "tensor" || x.batched || x.t.rank !== 1 || x.t.shape[0] !== n) return false;
  }
  return true;
}

/** The model-level `for` loops of a model body, and every loop inside them or inside `if`s. */
function loopsOf(body: readonly Stmt[], top: boolean, out: { loop: ForStmt; top: boolean }[] = []): { loop: ForStmt; top: boolean }[] {
  for (const s of body) {
    if (s.kind === "For") {
      out.push({ loop: s, top });
      loopsOf(s.body.body, false, out);
    } else if (s.kind === "If") {
      loopsOf(s.then.body, false, out);
      if (s.otherwise !== null) loopsOf(s.otherwise.kind === "Block" ? s.otherwise.body : [s.otherwise], false, out);
    }
  }
  return out;
}

/** The `zeros(E)`/`ones(E)` that made `name` before `loop` in the model body, when E reads as the loop's end. */
function madeWhole(body: readonly Stmt[], loop: ForStmt, name: string, source: string): boolean {
  if (loop.iterable.kind !== "Range") return false;
  const text = (e: Expr): string => source.slice(e.span.start, e.span.end).replace(/\s+/g, "");
  const end = text(loop.iterable.end);
  let made = false;
  for (const s of body) {
    if (s === loop) return made;
    if (s.kind === "Assign" && s.target.kind === "Name" && s.target.name === name) {
      const e = s.value;
      made = s.op === "=" && e.kind === "Call" && e.callee.kind === "Name" && (e.callee.name === "zeros" || e.callee.name === "ones") && e.args.length === 1 && text(e.args[0]!) === end;
    }
  }
  return false;
}

/** The slow-loop warnings of an instance (see above), one per statement. */
export function loopWarnings(def: ModelDef, trace: TraceResult, bindings: ReadonlyMap<string, Value>, source: string): { message: string; span: Span }[] {
  const out: { message: string; span: Span }[] = [];
  const loops = loopsOf(def.body.body, true);
  const loopOf = (s: Stmt): { loop: ForStmt; top: boolean } | undefined => loops.find((l) => l.loop.body.body.includes(s));
  for (const stmt of trace.loopTildes) {
    const target = stmt.target.kind === "Index" && stmt.target.target.kind === "Name" ? stmt.target.target.name : undefined;
    const code = target === undefined ? undefined : vectorTilde(stmt, target, loopOf(stmt), trace, bindings, source);
    out.push({
      span: stmt.span,
      message: code !== undefined
        ? `this \`~\` runs once per loop iteration; one statement on the whole vector is the same model and much faster: write \`${code}\` once, before the loop, instead of this statement`
        : "this `~` runs once per loop iteration, one pass through the distribution per element; where the loop can be written as one `~` on the whole vector (the distribution's arguments as vectors), that is much faster",
    });
  }
  for (const { loop, top } of loops) {
    const changing = assignedIn(loop.body.body);
    for (const s of loop.body.body) {
      if (s.kind !== "Assign" || s.target.kind !== "Index" || s.target.target.kind !== "Name" || s.target.indices.length !== 1) continue;
      const index = s.target.indices[0]!;
      if (index.kind !== "Name" || index.name !== loop.variable) continue;
      const name = s.target.target.name;
      const indexed = new Set<string>();
      // The value must not read what the loop changes: `mu[t] = phi * mu[t - 1]` is a recurrence, not a slow vector.
      if (s.op !== "=" || !elementwise(s.value, loop.variable, changing, indexed) || !mentions(s.value, loop.variable)) continue;
      const faithful = top && madeWhole(def.body.body, loop, name, source) && dataOfLength(indexed, bindings, loopCount(loop, bindings));
      out.push({
        span: s.span,
        message: faithful
          ? `this loop sets \`${name}\` one element per iteration; one assignment of the whole vector is the same and much faster: write \`${name} = ${dropIndex(s.value, loop.variable, source)}\` once, before the loop, instead of this statement`
          : `this loop sets \`${name}\` one element per iteration; computing the whole vector in one expression (elementwise operators on whole vectors) is much faster`,
      });
    }
  }
  return out;
}

/** `y ~ D` for `y[v] ~ D(... x[v] ...)` when that is the same model, else undefined. */
function vectorTilde(stmt: TildeStmt, target: string, at: { loop: ForStmt; top: boolean } | undefined, trace: TraceResult, bindings: ReadonlyMap<string, Value>, source: string): string | undefined {
  if (at === undefined || !at.top || stmt.target.kind !== "Index") return undefined;
  const { loop } = at;
  const [only, ...more] = stmt.target.indices;
  if (more.length > 0 || only?.kind !== "Name" || only.name !== loop.variable) return undefined;
  const r = loop.iterable;
  if (r.kind !== "Range" || r.step !== null || r.start.kind !== "Number" || r.start.value !== 1) return undefined;
  // Every element of `y` observed once: as many iterations as `y` has elements.
  const sites = trace.observed.filter((o) => o.stmt === stmt);
  const y = bindings.get(target);
  if (y?.kind !== "tensor" || y.batched || y.t.rank !== 1 || sites.length !== y.t.shape[0] || sites.some((o) => o.argument !== target)) return undefined;
  const d = stmt.dist;
  if (d.kind !== "Call" || d.kwargs.some((k) => k.name === "size")) return undefined;
  const changing = assignedIn(loop.body.body);
  const indexed = new Set<string>();
  if (![...d.args, ...d.kwargs.map((k) => k.value)].every((a) => elementwise(a, loop.variable, changing, indexed))) return undefined;
  if (mentions(d.callee, loop.variable) || !dataOfLength(indexed, bindings, sites.length)) return undefined;
  return `${target} ~ ${dropIndex(d, loop.variable, source)}`;
}
