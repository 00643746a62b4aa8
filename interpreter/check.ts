/**
 * Static checks, before anything runs, reported like syntax errors: unknown names (with a
 * "did you mean"), use before definition, wrong arity or unknown keywords for distributions,
 * layers and user functions/models/networks, `~` targets that cannot be random, and
 * redefinitions. Shapes and discrete latents are checked at instantiation (instance.ts).
 */
import { bind, BindError, type Signature } from "../core/bind.js";
import { DISTRIBUTIONS } from "../distributions/index.js";
import type { Block, CallExpr, Diagnostic, Expr, FnDef, ModelDef, NetworkDef, Program, Span, Stmt } from "../grammar/index.js";
import { suggest } from "../grammar/index.js";
import { LAYERS } from "../nn/index.js";
import { builtinValues } from "./builtins.js";
import { builtinNames, builtinSignature } from "./builtin-signatures.js";
import { userSignature } from "./bind-call.js";

interface Scope {
  readonly names: Set<string>;
  readonly parent: Scope | undefined;
  /** Names defined later in this body (for "used before it is defined"). */
  readonly later: Set<string>;
}

type Callable = { kind: "user"; signature: Signature } | { kind: "dist" } | { kind: "layer" } | { kind: "other" };

interface State {
  readonly file: string;
  readonly out: Diagnostic[];
  readonly callables: Map<string, Callable>;
  readonly builtins: ReadonlySet<string>;
}

const err = (st: State, span: Span, message: string, hint?: string): void => {
  st.out.push({ severity: "error", message, span, file: st.file, ...(hint !== undefined ? { hint } : {}) });
};

function has(scope: Scope | undefined, name: string): boolean {
  for (let s = scope; s !== undefined; s = s.parent) if (s.names.has(name)) return true;
  return false;
}

function laterIn(scope: Scope | undefined, name: string): boolean {
  for (let s = scope; s !== undefined; s = s.parent) if (s.later.has(name)) return true;
  return false;
}

function allNames(scope: Scope | undefined, st: State): string[] {
  const out: string[] = [];
  for (let s = scope; s !== undefined; s = s.parent) out.push(...s.names);
  return [...out, ...st.builtins];
}

function definedNames(body: readonly Stmt[]): Set<string> {
  const out = new Set<string>();
  for (const s of body) {
    if (s.kind === "Assign" && s.target.kind === "Name") out.add(s.target.name);
    if (s.kind === "Tilde" && s.target.kind === "Name") out.add(s.target.name);
    if (s.kind === "Fn" || s.kind === "Network" || s.kind === "Model") out.add(s.name);
  }
  return out;
}

function name(st: State, scope: Scope, n: string, span: Span): void {
  if (has(scope, n) || st.builtins.has(n)) return;
  if (laterIn(scope, n)) {
    err(st, span, `\`${n}\` is used before it is defined`, "move its definition above this line");
    return;
  }
  const near = suggest(n, allNames(scope, st));
  err(st, span, `unknown name \`${n}\``, near !== undefined ? `did you mean \`${near}\`?` : undefined);
}

/**
 * Bind the call's arguments (their number and keyword names; values do not matter here) to
 * `sig`, as the call will be bound when it runs, and report what does not fit: at the keyword
 * when one is to blame, else at the call.
 */
function checkCall(st: State, e: CallExpr, sig: Signature): void {
  try {
    bind<unknown>(sig, e.args, new Map(e.kwargs.map((k) => [k.name, k])));
  } catch (x) {
    if (!(x instanceof BindError)) throw x;
    err(st, e.kwargs.find((k) => k.name === x.keyword)?.span ?? e.span, x.message, x.hint);
  }
}

function builtinArity(st: State, e: CallExpr, name: string): void {
  const sig = builtinSignature(name);
  if (sig !== undefined) checkCall(st, e, sig);
}

function callArity(st: State, scope: Scope, e: CallExpr): void {
  if (e.callee.kind !== "Name") return;
  const c = st.callables.get(e.callee.name);
  if (c === undefined) {
    if (!has(scope, e.callee.name)) builtinArity(st, e, e.callee.name);
    return;
  }
  switch (c.kind) {
    case "dist": checkCall(st, e, DISTRIBUTIONS[e.callee.name]!.signature); return;
    case "layer": checkCall(st, e, LAYERS[e.callee.name]!.signature); return;
    case "user": checkCall(st, e, c.signature); return;
    case "other": return;
  }
}

function expr(st: State, scope: Scope, e: Expr): void {
  switch (e.kind) {
    case "Number": case "String": case "Bool": case "Missing": return;
    case "Name": name(st, scope, e.name, e.span); return;
    case "Array": case "Tuple": e.elements.forEach((x) => expr(st, scope, x)); return;
    case "Range": expr(st, scope, e.start); if (e.step) expr(st, scope, e.step); expr(st, scope, e.end); return;
    case "Index": expr(st, scope, e.target); e.indices.forEach((i) => { if (i.kind !== "Colon") expr(st, scope, i); }); return;
    case "Field": expr(st, scope, e.target); return;
    case "Call":
      if (!(e.callee.kind === "Name" && e.callee.name === "factor")) expr(st, scope, e.callee);
      e.args.forEach((a) => expr(st, scope, a));
      e.kwargs.forEach((k) => expr(st, scope, k.value));
      callArity(st, scope, e);
      return;
    case "Pair": case "Binary": expr(st, scope, e.left); expr(st, scope, e.right); return;
    case "Unary": expr(st, scope, e.operand); return;
    case "IfExpr": expr(st, scope, e.cond); expr(st, scope, e.then); expr(st, scope, e.otherwise); return;
  }
}

interface BodyKind { readonly inModel: boolean; readonly params: ReadonlySet<string>; readonly tildes: Map<string, Span>; readonly assigned: Map<string, Span> }

function block(st: State, parent: Scope, body: readonly Stmt[], kind: BodyKind): void {
  const scope: Scope = { names: new Set(), parent, later: definedNames(body) };
  for (const s of body) stmt(st, scope, s, kind);
}

function stmt(st: State, scope: Scope, s: Stmt, kind: BodyKind): void {
  switch (s.kind) {
    case "Assign":
      expr(st, scope, s.value);
      if (s.target.kind === "Name") {
        const n = s.target.name;
        if (kind.inModel && kind.tildes.has(n)) err(st, s.target.span, `\`${n}\` is a random variable (it has a \`~\` statement) and cannot be assigned`);
        if (s.op !== "=") name(st, scope, n, s.target.span);
        kind.assigned.set(n, s.target.span);
        scope.names.add(n);
      } else expr(st, scope, s.target);
      return;
    case "Tilde": {
      expr(st, scope, s.dist);
      if (!kind.inModel) {
        err(st, s.span, "`~` statements belong inside a model", "define `model name(args) { ... }` and put the statement there");
        return;
      }
      const t = s.target;
      if (t.kind === "Name") {
        const prev = kind.tildes.get(t.name);
        if (prev !== undefined) err(st, t.span, `\`${t.name}\` already has a \`~\` statement`, "each random variable gets exactly one distribution");
        else if (kind.assigned.has(t.name) && !kind.params.has(t.name)) err(st, t.span, `\`${t.name}\` is a computed value and cannot also be random`, "use a new name for the random variable");
        else if (st.builtins.has(t.name) || st.callables.has(t.name)) {
          if (!kind.params.has(t.name) && !has(scope, t.name)) err(st, t.span, `\`${t.name}\` is a function, distribution or layer name and cannot be a random variable`, "choose another name");
        }
        kind.tildes.set(t.name, t.span);
        scope.names.add(t.name);
      } else if (t.kind === "Index") {
        expr(st, scope, t);
        if (t.target.kind !== "Name" || !kind.params.has(t.target.name)) {
          err(st, t.span, "only an element of a data argument (`y[i] ~ ...`) can stand indexed left of `~`",
            t.target.kind === "Name" ? `declare \`${t.target.name}\` whole: \`${t.target.name} ~ Dist(..., size = n)\`` : undefined);
        }
      } else if (t.kind === "Field") {
        expr(st, scope, t.target);
      } else expr(st, scope, t.network);
      return;
    }
    case "ExprStmt": expr(st, scope, s.expr); return;
    case "If":
      expr(st, scope, s.cond);
      block(st, scope, s.then.body, kind);
      if (s.otherwise?.kind === "Block") block(st, scope, s.otherwise.body, kind);
      else if (s.otherwise !== null) stmt(st, scope, s.otherwise, kind);
      return;
    case "For": {
      expr(st, scope, s.iterable);
      const inner: Scope = { names: new Set([s.variable]), parent: scope, later: new Set() };
      block(st, inner, s.body.body, kind);
      return;
    }
    case "Return": if (s.value) expr(st, scope, s.value); return;
    case "Fn": scope.names.add(s.name); fnLike(st, scope, s); return;
    case "Network": networkDef(st, scope, s); return;
    case "Model": modelDef(st, scope, s); return;
    case "Include": return;
  }
}

function paramScope(st: State, parent: Scope, def: FnDef | NetworkDef | ModelDef): Scope {
  const names = new Set<string>();
  for (const p of [...def.params, ...def.keywords]) {
    if (names.has(p.name)) err(st, p.span, `the parameter \`${p.name}\` appears twice`);
    names.add(p.name);
  }
  for (const k of def.keywords) expr(st, { names, parent, later: new Set() }, k.default);
  return { names, parent, later: new Set() };
}

function fnLike(st: State, parent: Scope, def: FnDef): void {
  const scope = paramScope(st, parent, def);
  scope.names.add(def.name); // recursion
  const kind: BodyKind = { inModel: false, params: new Set(), tildes: new Map(), assigned: new Map() };
  if (def.body.kind === "Block") block(st, scope, (def.body as Block).body, kind);
  else expr(st, scope, def.body as Expr);
}

function networkDef(st: State, parent: Scope, def: NetworkDef): void {
  const scope = paramScope(st, parent, def);
  const kind: BodyKind = { inModel: false, params: new Set(), tildes: new Map(), assigned: new Map() };
  if (def.body.kind === "NetworkBlock") block(st, scope, def.body.body, kind);
  else expr(st, scope, def.body);
}

function modelDef(st: State, parent: Scope, def: ModelDef): void {
  const scope = paramScope(st, parent, def);
  const kind: BodyKind = { inModel: true, params: new Set(def.params.map((p) => p.name)), tildes: new Map(), assigned: new Map() };
  // Arguments may be `missing`: their `~` makes them latent, and uses before it are caught at run time.
  block(st, scope, def.body.body, kind);
}

/** Every static problem of a program, in source order; `known`: names defined earlier (REPL). */
export function check(program: Program, file: string, _source: string, known: Iterable<string> = []): Diagnostic[] {
  const builtins = new Set([...builtinValues().keys(), ...builtinNames(), "factor", ...known]);
  const callables = new Map<string, Callable>();
  for (const n of Object.keys(DISTRIBUTIONS)) callables.set(n, { kind: "dist" });
  for (const n of Object.keys(LAYERS)) callables.set(n, { kind: "layer" });
  const st: State = { file, out: [], callables, builtins };
  const seen = new Map<string, Span>();
  for (const s of program.body) {
    if (s.kind === "Fn" || s.kind === "Network" || s.kind === "Model") {
      const prev = seen.get(s.name);
      if (prev !== undefined) err(st, s.nameSpan, `\`${s.name}\` is defined twice`, "rename one of the definitions");
      if (builtins.has(s.name)) err(st, s.nameSpan, `\`${s.name}\` is the name of a builtin and cannot be redefined`, "choose another name");
      seen.set(s.name, s.nameSpan);
      callables.set(s.name, { kind: "user", signature: userSignature(s.name, s.params, s.keywords, s.kind === "Model" ? "model" : undefined) });
    }
  }
  const top: Scope = { names: new Set(seen.keys()), parent: undefined, later: definedNames(program.body) };
  const kind: BodyKind = { inModel: false, params: new Set(), tildes: new Map(), assigned: new Map() };
  for (const s of program.body) stmt(st, top, s, kind);
  return st.out.sort((a, b) => a.span.start - b.span.start);
}
