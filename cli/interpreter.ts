/**
 * The CLI's one doorway into the interpreter: static checks, model instances from data files,
 * script runs. Kept in one file so that the commands stay independent of how the interpreter
 * spells its API. The interpreter (and with it tfjs) is imported lazily, so `dlm check` on a
 * file with syntax errors and `dlm summary` never start a tensor backend.
 */
import type { PosteriorModel } from "../core/model.js";
import type { Diagnostic, Program } from "../grammar/index.js";
import type { DataArray, DataRecord } from "./data.js";
import { UserError } from "./errors.js";

/** Static diagnostics beyond parsing: name resolution, arity, definitions. */
export async function staticDiagnostics(program: Program, source: string, file: string): Promise<Diagnostic[]> {
  const { check } = await import("../interpreter/index.js");
  return check(program, file, source);
}

/** A located interpreter error as a UserError: first rendered line as the message, the rest as detail. */
export async function asUserError(e: unknown, source: string, file: string): Promise<unknown> {
  const { DlmError, DlmProgramError, renderError } = await import("../interpreter/index.js");
  let rendered: string | undefined;
  if (e instanceof DlmProgramError) rendered = e.message;
  else if (e instanceof DlmError) rendered = renderError(e, source, file);
  if (rendered === undefined) return e;
  const [first, ...rest] = rendered.split("\n");
  return new UserError(first ?? "error", rest.join("\n"));
}

export interface PosteriorRequest {
  readonly program: Program;
  readonly source: string;
  readonly file: string;
  readonly model: string;
  readonly data: DataRecord;
}

/**
 * The posterior of `model` given `data`: positional arguments and keyword parameters are
 * bound from the data keys of the same name; other keys are ignored (as Stan does).
 */
export async function posteriorFromData(request: PosteriorRequest): Promise<PosteriorModel> {
  const { tf } = await import("../core/engine.js");
  const { compile, modelInstance, posteriorModel } = await import("../interpreter/index.js");
  const { source, file } = request;
  const def = request.program.body.find((s) => s.kind === "Model" && s.name === request.model);
  if (def?.kind !== "Model") throw new UserError(`${file}: no model named '${request.model}'`);
  const toValue = (d: DataArray): number | import("@tensorflow/tfjs").Tensor =>
    d.shape.length === 0 ? d.values[0]! : tf.tensor(Float32Array.from(d.values), [...d.shape], "float32");
  const pick = (names: readonly string[]): Record<string, number | import("@tensorflow/tfjs").Tensor> =>
    Object.fromEntries(names.filter((n) => request.data.has(n)).map((n) => [n, toValue(request.data.get(n)!)]));
  try {
    const prog = compile(source, file);
    const instance = modelInstance(prog, request.model, pick(def.params.map((p) => p.name)), pick(def.keywords.map((k) => k.name)));
    return posteriorModel(instance);
  } catch (e) {
    throw await asUserError(e, source, file);
  }
}

export interface ScriptOptions {
  readonly file: string;
  readonly seed?: number;
  /** One line of `print` output (no newline). */
  readonly out: (line: string) => void;
  /** One line of warnings or error messages (no newline). */
  readonly err: (line: string) => void;
  /** Aborting it stops a running `sample` after the current iteration (the script goes on). */
  readonly signal?: AbortSignal;
  /** Progress of each `sample` (see the interpreter's ScriptOptions.progress). */
  readonly progress?: (run: { readonly chains: number; readonly warmup: number; readonly draws: number }) => {
    update(info: import("./progress.js").ProgressEvent): void;
    stop(end: { readonly interrupted: boolean; readonly kept: number }): void;
  };
}

/** Runs a script top to bottom through the interpreter; resolves to its exit status (0 or 1). */
export async function runScriptSource(source: string, options: ScriptOptions): Promise<number> {
  const { runScript } = await import("../interpreter/index.js");
  return runScript(source, options);
}
