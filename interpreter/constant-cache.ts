/**
 * Statement-level caching of data-only work in scored evaluations (logDensityOf, outputsOf,
 * constrainedLatents): a log density is evaluated once per leapfrog step, and work that depends
 * only on data (`Xc = X .- mean(X, dims = 1)`, a `for` loop filling a lag matrix) need not be
 * redone on every call.
 *
 * The rule. A statement of the model body's top level (depth 0, not inside a function) is
 * cached when its first execution
 *   1. is an Assign, If, For or expression statement (never `~`, `fn`, `model`, `network`);
 *   2. mentions no name that is a latent, a latent-dependent (batched) array, a distribution,
 *      a network, or a function defined inside the model (which may read latents), and no name
 *      that an earlier re-run statement may assign (its value may come from a network's point
 *      parameters, which training changes, or from anything else that is not data);
 *   3. makes no handler call other than `record` (no `~`, `factor`, network binding, `params`,
 *      also not through a user function);
 *   4. leaves every variable it wrote in the model's frame with a value that does not depend on
 *      the latents: an unbatched array, a number, a boolean, a string, or a list of those;
 *   5. completes (a statement that throws gets no entry and runs, and throws, again).
 * A cached statement is afterwards REPLAYED: its written variables are bound to the values of
 * the first execution and `record` is called again for the names it recorded (generated
 * quantities still appear). Values are immutable (tensors are never updated in place; `x[i] = e`
 * builds a new array), so a later statement that reassigns a cached variable cannot change
 * the cached value. Side effects of the statement (`print`) happen on the first execution only.
 * A statement that fails the rule is remembered as such and always re-run.
 *
 * Cached tensors are kept (tf.keep) and owned by the cache, which lives as long as the data
 * bindings it was filled from (instance.ts keys it on them, and gives minibatched instances none,
 * since those are made afresh for every batch). Simulation (simulate.ts) and the tracer use no
 * cache: their latents are drawn, not scored.
 */
import { tf } from "../core/engine.js";
import type { Stmt } from "../grammar/ast.js";
import type { Handler } from "./handler.js";
import type { Env, Value } from "./value.js";

/** What a cached statement left behind: the variables it wrote and the values it recorded, in order. */
interface Entry {
  readonly writes: readonly (readonly [string, Value])[];
  readonly records: readonly (readonly [string, Value, Stmt["span"]])[];
}

/** The statement cache of one instance's data bindings. */
export interface ConstantCache {
  /** Per statement: its entry, or "rerun" when it does not meet the rule. */
  readonly entries: Map<Stmt, Entry | "rerun">;
  /** Names that re-run statements may assign (rule 2). */
  readonly tainted: Set<string>;
}

export const constantCache = (): ConstantCache => ({ entries: new Map(), tainted: new Set() });

/** Whether a value does not depend on the latents (rule 4). */
export function isConstantValue(v: Value): boolean {
  switch (v.kind) {
    case "num": case "bool": case "str": return true;
    case "tensor": return !v.batched;
    case "list": return v.items.every(isConstantValue);
    default: return false;
  }
}

const CACHEABLE_KINDS: ReadonlySet<Stmt["kind"]> = new Set(["Assign", "If", "For", "ExprStmt"]);

/** Every identifier a statement's AST mentions (targets, loop variables and names in nested blocks included): over-complete on purpose. */
const namesOf = new WeakMap<Stmt, readonly string[]>();

function mentionedNames(s: Stmt): readonly string[] {
  let out = namesOf.get(s);
  if (out !== undefined) return out;
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node)) { for (const x of node) walk(x); return; }
    const rec = node as Record<string, unknown>;
    if (rec["kind"] === "Name" && typeof rec["name"] === "string") found.add(rec["name"]);
    for (const [k, v] of Object.entries(rec)) if (k !== "span") walk(v);
  };
  walk(s);
  out = [...found];
  namesOf.set(s, out);
  return out;
}

/** Names a statement may assign or declare (`x = `, `x[i] = `, `x ~ `, `fn x`, in nested blocks too). */
const writesOf = new WeakMap<Stmt, readonly string[]>();

function assignedNames(s: Stmt): readonly string[] {
  let out = writesOf.get(s);
  if (out !== undefined) return out;
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node)) { for (const x of node) walk(x); return; }
    const rec = node as Record<string, unknown>;
    const kind = rec["kind"];
    if (kind === "Assign" || kind === "Tilde") {
      const t = rec["target"] as { kind: string; name?: string; target?: { kind: string; name?: string } };
      if (t.kind === "Name" && t.name !== undefined) found.add(t.name);
      else if (t.target?.kind === "Name" && t.target.name !== undefined) found.add(t.target.name);
    }
    if ((kind === "Fn" || kind === "Network" || kind === "Model") && typeof rec["name"] === "string") found.add(rec["name"]);
    for (const [k, v] of Object.entries(rec)) if (k !== "span") walk(v);
  };
  walk(s);
  out = [...found];
  writesOf.set(s, out);
  return out;
}

/** Rule 2: names the statement reads that may carry latent values. */
function readsLatent(s: Stmt, env: Env, isLatent: (name: string) => boolean, globals: Env): boolean {
  for (const name of mentionedNames(s)) {
    if (isLatent(name)) return true;
    let v: Value | undefined;
    let owner: Env | undefined;
    for (let e: Env | undefined = env; e !== undefined; e = e.parent) {
      v = e.vars.get(name);
      if (v !== undefined) { owner = e; break; }
    }
    if (v === undefined) continue;
    if (v.kind === "tensor" && v.batched) return true;
    if (v.kind === "dist" || v.kind === "net" || v.kind === "layer") return true;
    // A function defined in the model closes over the model's scope (and its latents).
    if (v.kind === "fn" && v.env !== globals && owner !== globals) return true;
    if (v.kind === "list" && !isConstantValue(v)) return true;
  }
  return false;
}

/**
 * Run top-level statement `s` through the cache: replay it, or run it with `run` under a probe
 * of the handler and cache it if it meets the rule (see the module comment).
 */
export function runCached(
  cache: ConstantCache,
  s: Stmt,
  env: Env,
  handler: Handler,
  isLatent: (name: string) => boolean,
  globals: Env,
  run: (handler: Handler) => void,
): void {
  const entry = cache.entries.get(s);
  if (entry === "rerun") { run(handler); return; }
  const rerun = (): void => {
    cache.entries.set(s, "rerun");
    for (const name of assignedNames(s)) cache.tainted.add(name);
  };
  if (entry !== undefined) {
    for (const [name, v] of entry.writes) env.vars.set(name, v);
    for (const [name, v, span] of entry.records) handler.record(name, v, span);
    return;
  }
  if (!CACHEABLE_KINDS.has(s.kind) || mentionedNames(s).some((n) => cache.tainted.has(n)) || readsLatent(s, env, isLatent, globals)) {
    rerun();
    run(handler);
    return;
  }
  const before = new Map(env.vars);
  let called = false;
  const records: [string, Value, Stmt["span"]][] = [];
  const mark = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => { called = true; return f(...a); };
  const probe: Handler = {
    latent: mark((site) => handler.latent(site)),
    observe: mark((site) => handler.observe(site)),
    factor: mark((lp, span) => handler.factor(lp, span)),
    network: mark((name, layer, span) => handler.network(name, layer, span)),
    record: (name, value, span) => { records.push([name, value, span]); handler.record(name, value, span); },
  };
  const group = handler.latentGroup;
  if (group !== undefined) probe.latentGroup = mark((sites) => group.call(handler, sites));
  run(probe);
  const writes: [string, Value][] = [];
  for (const [name, v] of env.vars) if (before.get(name) !== v) writes.push([name, v]);
  if (called || !writes.every(([, v]) => isConstantValue(v)) || !records.every(([, v]) => isConstantValue(v))) {
    rerun();
    return;
  }
  const keep = (v: Value): void => {
    if (v.kind === "tensor") tf.keep(v.t);
    else if (v.kind === "list") v.items.forEach(keep);
  };
  for (const [, v] of writes) keep(v);
  for (const [, v] of records) keep(v);
  cache.entries.set(s, { writes, records });
}
