/**
 * A REPL session: statements run one input at a time in one persistent environment, through
 * the interpreter's evaluator. Inference runs asynchronously so that Ctrl-C can stop it:
 * a top-level `sample(instance, ...)` call (alone or assigned, `post = sample(...)`) is run
 * here by the MCMC driver with an AbortSignal, keeping the draws completed when it is stopped.
 * (This stands in until the interpreter's script layer offers an incremental async session.)
 */
import type { Diagnostic, Expr, Stmt } from "../grammar/index.js";
import { parse, renderDiagnostics } from "../grammar/index.js";
import { globalEnv } from "../interpreter/builtins.js";
import { DlmError } from "../interpreter/errors.js";
import { evaluate, runStmt, type EvalContext } from "../interpreter/evaluate.js";
import { instantiate, posteriorModel, type ModelInstance } from "../interpreter/instance.js";
import { renderError, scriptHandler } from "../interpreter/program.js";
import { describeValue, shapeOf, type Env, type Value } from "../interpreter/value.js";
import type { Draws } from "../inference/draws/index.js";
import { formatArray, formatNumber } from "./format.js";

/** A user mistake in REPL input, already rendered (file:line:col, caret, hint). */
export class ReplError extends Error {
  override readonly name = "ReplError";
}

export interface RunControl {
  readonly signal?: AbortSignal;
  /** Progress lines of a running inference. */
  readonly progress?: (line: string) => void;
}

export interface ReplSession {
  /** Runs one complete input; resolves with the text to show (the value of a final expression), if any. */
  run(source: string, file?: string, control?: RunControl): Promise<string | undefined>;
  /** `name: description` of every variable the user defined. */
  vars(): string[];
  /** Shape and dtype of an expression. */
  typeOf(source: string): string;
  /** Every name in scope (user and builtin), for completion. */
  names(): string[];
}

const instances = new WeakMap<object, ModelInstance>();

/** The interpreter's value for a posterior sampled in the REPL. */
function posteriorValue(draws: Draws, note: string): Value {
  return { kind: "opaque", tag: "posterior", payload: draws, show: `posterior: ${draws.chains.length} chains × ${draws.chains[0]?.values[0]?.length ?? 0} draws of ${draws.names.join(", ")}${note}` };
}

/** Formats a value compactly (arrays NumPy style, truncated past 1000 elements). */
export function showValue(v: Value): string {
  switch (v.kind) {
    case "num":
      return formatNumber(v.v);
    case "bool":
      return String(v.v);
    case "str":
      return JSON.stringify(v.v);
    case "missing":
      return "missing";
    case "list":
      return `[${v.items.map(showValue).join(", ")}]`;
    case "tensor":
      if (v.batched) return describeValue(v);
      return formatArray(v.t.dataSync(), v.t.shape);
    case "opaque":
      return v.show;
    case "record":
      return `${v.tag}(${[...v.fields.keys()].join(", ")})`;
    case "dist":
      return `distribution ${v.text}`;
    default:
      return describeValue(v);
  }
}

/** A new session with the builtins in scope. */
export function createSession(): ReplSession {
  const env: Env = globalEnv();
  let counter = 0;

  const context = (source: string): EvalContext => ({
    handler: scriptHandler,
    globals: env,
    source,
    depth: 0,
    callModel: (model, args, kwargs, span) => {
      const inst = instantiate(model.def, args, kwargs, span, { globals: env, source, file: "<repl>" });
      const payload = { model: model.def.name };
      instances.set(payload, inst);
      return { kind: "opaque", tag: "model instance", payload, show: `model instance ${model.def.name}(…) with ${inst.layout.dim} unknowns` } as Value;
    },
  });

  const located = (e: unknown, source: string, file: string): unknown => {
    if (e instanceof DlmError) return new ReplError(renderError(e, source, file));
    return e;
  };

  /** `sample(inst; draws, chains, warmup, seed)` run asynchronously. */
  const sampleCall = async (call: Expr & { kind: "Call" }, ctx: EvalContext, control: RunControl | undefined): Promise<Value> => {
    const args = call.args.map((a) => evaluate(a, env, ctx));
    const inst = args[0]?.kind === "opaque" ? instances.get(args[0].payload as object) : undefined;
    if (!inst) throw new DlmError("`sample` needs a model instance as its first argument, e.g. sample(m(y), NUTS())", call.span);
    const kw = new Map(call.kwargs.map((k) => [k.name, evaluate(k.value, env, ctx)]));
    const int = (name: string, dflt: number): number => {
      const v = kw.get(name);
      if (v === undefined) return dflt;
      if (v.kind !== "num" || !Number.isInteger(v.v) || v.v < 0) throw new DlmError(`\`${name}\` must be a whole number`, call.span);
      return v.v;
    };
    for (const k of kw.keys()) if (!["draws", "chains", "warmup", "seed"].includes(k)) throw new DlmError(`\`sample\` has no keyword \`${k}\``, call.span, "keywords: draws, chains, warmup, seed");
    const draws = int("draws", 1000);
    const warmup = int("warmup", draws);
    const chains = int("chains", 4);
    const seed = int("seed", 1);
    const model = posteriorModel(inst);
    const { sample } = await import("../inference/mcmc/index.js");
    const { toDraws } = await import("../cli/to-draws.js");
    let lastPct = -1;
    const result = await sample(model, {
      chains, warmup, draws, seed,
      ...(control?.signal ? { signal: control.signal } : {}),
      onProgress: (p) => {
        const done = p.phase === "warmup" ? p.iteration : warmup + p.iteration;
        const pct = Math.floor((10 * done) / Math.max(warmup + draws, 1));
        if (pct !== lastPct) {
          lastPct = pct;
          control?.progress?.(`${p.phase === "warmup" ? "warm-up" : "sampling"} ${done}/${warmup + draws}`);
        }
      },
    });
    const note = result.interrupted ? ` (interrupted: kept ${result.nDraws} completed draws per chain)` : "";
    if (result.interrupted && result.nDraws === 0) throw new DlmError("interrupted during warm-up: no draws were kept", call.span);
    return posteriorValue(
      toDraws(model, result, { model: inst.def.name, numSamples: draws, numWarmup: warmup, adaptDelta: 0.8, maxDepth: 10, metric: "diag_e", seed: result.seed }),
      note,
    );
  };

  const summaryCall = async (call: Expr & { kind: "Call" }, ctx: EvalContext): Promise<string> => {
    const v = call.args[0] ? evaluate(call.args[0], env, ctx) : undefined;
    if (v?.kind !== "opaque" || v.tag !== "posterior") throw new DlmError("`summary` needs a posterior, e.g. summary(post)", call.span);
    const { summarizeDraws } = await import("../inference/draws/index.js");
    const { formatSummaryTable, warnings } = await import("../inference/diagnostics/index.js");
    const s = summarizeDraws(v.payload as Draws);
    return [formatSummaryTable(s.rows), ...warnings(s).map((w) => `warning: ${w}`)].join("\n");
  };

  const isCall = (e: Expr, name: string): e is Expr & { kind: "Call" } =>
    e.kind === "Call" && e.callee.kind === "Name" && e.callee.name === name && env.vars.get(name) === undefined;

  const runOne = async (s: Stmt, ctx: EvalContext, control: RunControl | undefined): Promise<string | undefined> => {
    if (s.kind === "ExprStmt") {
      if (isCall(s.expr, "sample")) return showValue(await sampleCall(s.expr, ctx, control));
      if (isCall(s.expr, "summary")) return summaryCall(s.expr, ctx);
      const v = evaluate(s.expr, env, ctx);
      env.vars.set("ans", v);
      return showValue(v);
    }
    if (s.kind === "Assign" && s.target.kind === "Name" && isCall(s.value, "sample")) {
      env.vars.set(s.target.name, await sampleCall(s.value, ctx, control));
      return undefined;
    }
    runStmt(s, env, ctx);
    return undefined;
  };

  return {
    async run(source, file = `<repl:${++counter}>`, control) {
      const { program, diagnostics } = parse(source, file);
      const errors: Diagnostic[] = diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0) throw new ReplError(renderDiagnostics(errors, source));
      const ctx = context(source);
      let shown: string | undefined;
      try {
        for (const s of program.body) shown = await runOne(s, ctx, control);
      } catch (e) {
        throw located(e, source, file);
      }
      return shown;
    },
    vars() {
      return [...env.vars.entries()].map(([name, v]) => `${name}: ${describeValue(v)}`);
    },
    typeOf(source) {
      const { program, diagnostics } = parse(source, "<type>");
      const errors = diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0) throw new ReplError(renderDiagnostics(errors, source));
      const s = program.body[0];
      if (program.body.length !== 1 || s?.kind !== "ExprStmt") throw new ReplError(":type takes one expression");
      try {
        const v = evaluate(s.expr, env, context(source));
        if (v.kind === "tensor") return `${v.t.dtype} array of shape [${shapeOf(v).join(", ")}]`;
        if (v.kind === "num") return "float32 scalar (shape [])";
        return describeValue(v);
      } catch (e) {
        throw located(e, source, "<type>");
      }
    },
    names() {
      const out: string[] = [];
      for (let e: Env | undefined = env; e; e = e.parent) out.push(...e.vars.keys());
      return out;
    },
  };
}
