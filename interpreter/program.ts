/**
 * Programs: parse, check, and run the definitions of a `.dlm` file, giving the global
 * environment in which models are instantiated. `modelInstance` is the entry point for
 * code (tests, the CLI) that binds data from JS values.
 */
import { tf } from "../core/engine.js";
import type { PosteriorModel } from "../core/model.js";
import { parse, renderDiagnostic, type Diagnostic, type Program } from "../grammar/index.js";
import { globalEnv } from "./builtins.js";
import { check } from "./check.js";
import { DlmError } from "./errors.js";
import { runStmt, type EvalContext } from "./evaluate.js";
import type { Handler } from "./handler.js";
import { instantiate, posteriorModel, type ModelInstance } from "./instance.js";
import { MISSING, tensor, type Env, type Value } from "./value.js";

/** A failure with every diagnostic rendered (file:line:col, caret, hint). */
export class DlmProgramError extends Error {
  override readonly name = "DlmProgramError";
  constructor(readonly diagnostics: readonly Diagnostic[], rendered: string) {
    super(rendered);
  }
}

export interface CompiledProgram {
  readonly program: Program;
  readonly globals: Env;
  readonly source: string;
  readonly file: string;
  readonly warnings: readonly Diagnostic[];
}

/** Render a DlmError like a syntax error. */
export function renderError(e: DlmError, source: string, file: string): string {
  if (e.span === undefined) return `${file}: error: ${e.message}${e.hint !== undefined ? `\n  = hint: ${e.hint}` : ""}`;
  return renderDiagnostic(toDiagnostic(e, file), source);
}

export function toDiagnostic(e: DlmError, file: string): Diagnostic {
  return { severity: "error", message: e.message, span: e.span ?? { start: 0, end: 0 }, file: e.file ?? file, ...(e.hint !== undefined ? { hint: e.hint } : {}) };
}

/** A handler for code outside models: `~` and networks are errors there. */
export const scriptHandler: Handler = {
  latent: (site) => { throw new DlmError("`~` statements belong inside a model", site.stmt.span); },
  observe: (site) => { throw new DlmError("`~` statements belong inside a model", site.stmt.span); },
  factor: (_lp, span) => { throw new DlmError("`factor` can only be used inside a model", span); },
  network: (_n, _l, span) => { throw new DlmError("networks get parameters only inside a model", span); },
  record: () => {},
};

/** Parse and statically check; throws DlmProgramError listing every problem. */
export function parseChecked(source: string, file: string, known: Iterable<string> = []): { program: Program; warnings: Diagnostic[] } {
  const parsed = parse(source, file);
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  const checked = errors.length > 0 ? [] : check(parsed.program, file, source, known);
  const all = [...parsed.diagnostics, ...checked];
  const fatal = all.filter((d) => d.severity === "error");
  if (fatal.length > 0) throw new DlmProgramError(fatal, fatal.map((d) => renderDiagnostic(d, source)).join("\n\n"));
  return { program: parsed.program, warnings: all.filter((d) => d.severity === "warning") };
}

/** Parse, check and define every fn, network and model of a model file (no script statements run). */
export function compile(source: string, file = "<input>"): CompiledProgram {
  const { program, warnings } = parseChecked(source, file);
  const globals = globalEnv();
  const ctx: EvalContext = { handler: scriptHandler, globals, source, depth: 0 };
  for (const s of program.body) {
    if (s.kind === "Fn" || s.kind === "Network" || s.kind === "Model") runStmt(s, globals, ctx);
  }
  return { program, globals, source, file, warnings };
}

/** JS data for a model argument. */
export type DataValue = number | readonly number[] | readonly (readonly number[])[] | tf.Tensor | "missing";

function toValue(v: DataValue): Value {
  if (v === "missing") return MISSING;
  if (typeof v === "number") return { kind: "num", v };
  if (v instanceof tf.Tensor) return tensor(v, false);
  return tensor(tf.tensor(v as number[]), false);
}


/** Bind data to a model of a compiled program: `modelInstance(prog, "linreg", { x, y })`. */
export function modelInstance(prog: CompiledProgram, name: string, data: Readonly<Record<string, DataValue>>, keywords: Readonly<Record<string, DataValue>> = {}): ModelInstance {
  const m = prog.globals.vars.get(name);
  if (m?.kind !== "model") throw new DlmError(`no model named \`${name}\``, undefined);
  const args = m.def.params.map((p) => (p.name in data ? toValue(data[p.name]!) : MISSING));
  for (const k of Object.keys(data)) {
    if (!m.def.params.some((p) => p.name === k)) throw new DlmError(`the model \`${name}\` has no argument \`${k}\``, m.def.nameSpan);
  }
  const kw = new Map(Object.entries(keywords).map(([k, v]) => [k, toValue(v)]));
  return instantiate(m.def, args, kw, m.def.nameSpan, { globals: prog.globals, source: prog.source, file: prog.file });
}

/** One call from source text and data to the batched PosteriorModel. */
export function compileModel(source: string, name: string, data: Readonly<Record<string, DataValue>>, file = "<input>"): PosteriorModel {
  return posteriorModel(modelInstance(compile(source, file), name, data));
}
