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
  const { posteriorModel } = await import("../interpreter/index.js");
  const instance = await instanceFromData(request);
  try {
    return posteriorModel(instance);
  } catch (e) {
    throw await asUserError(e, request.source, request.file);
  }
}

/** The instance of `model` given `data` (see posteriorFromData). */
async function instanceFromData(request: PosteriorRequest): Promise<import("../interpreter/index.js").ModelInstance> {
  const { tf } = await import("../core/engine.js");
  const { compile, modelInstance } = await import("../interpreter/index.js");
  const { source, file } = request;
  const def = request.program.body.find((s) => s.kind === "Model" && s.name === request.model);
  if (def?.kind !== "Model") throw new UserError(`${file}: no model named '${request.model}'`);
  const toValue = (d: DataArray): number | import("@tensorflow/tfjs").Tensor =>
    d.shape.length === 0 ? d.values[0]! : tf.tensor(Float32Array.from(d.values), [...d.shape], "float32");
  const pick = (names: readonly string[]): Record<string, number | import("@tensorflow/tfjs").Tensor> =>
    Object.fromEntries(names.filter((n) => request.data.has(n)).map((n) => [n, toValue(request.data.get(n)!)]));
  try {
    const prog = compile(source, file);
    return modelInstance(prog, request.model, pick(def.params.map((p) => p.name)), pick(def.keywords.map((k) => k.name)));
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
  /** Progress of each `train` (see the interpreter's ScriptOptions.trainProgress). */
  readonly trainProgress?: (run: { readonly epochs: number }) => {
    update(p: import("./progress.js").TrainEvent): void;
    epoch(epoch: number, metrics: Readonly<Record<string, number>>): void;
    stop(end: { readonly interrupted: boolean }): void;
  };
}

/** Runs a script top to bottom through the interpreter; resolves to its exit status (0 or 1). */
export async function runScriptSource(source: string, options: ScriptOptions): Promise<number> {
  const { runScript } = await import("../interpreter/index.js");
  return runScript(source, options);
}

export interface TrainFromDataRequest extends PosteriorRequest {
  /** An optimiser of nn's registry by name (any case) and its learning rate (default: the optimiser's). */
  readonly optimiser: string;
  readonly lr?: number;
  readonly train: import("../interpreter/script-train.js").TrainRequest;
  /** Where the fit is written (JSON, atomically). */
  readonly output: string;
  readonly signal?: AbortSignal;
  readonly progress?: ScriptOptions["trainProgress"];
  readonly err: (line: string) => void;
}

export interface TrainOutcome {
  /** `summary(fit)` as lines. */
  readonly lines: string[];
  readonly json: Record<string, unknown>;
  readonly interrupted: boolean;
}

/** `dlm train`: the instance from data, trained, its fit written to `output`. */
export async function trainFromData(r: TrainFromDataRequest): Promise<TrainOutcome> {
  const { OPTIMISERS } = await import("../nn/index.js");
  const { trainWithFiles, saveFit, fitSummaryLines } = await import("../interpreter/script-train.js");
  const { disposeFit } = await import("../interpreter/train.js");
  const name = Object.keys(OPTIMISERS).find((k) => k.toLowerCase() === r.optimiser.toLowerCase());
  if (name === undefined) throw new UserError(`unknown optimiser '${r.optimiser}'; the optimisers: ${Object.keys(OPTIMISERS).join(", ")}`);
  const optimiser = OPTIMISERS[name]!.make({ positional: r.lr !== undefined ? [r.lr] : [], keywords: {} });
  const instance = await instanceFromData(r);
  const span = undefined; // errors of a training run are not about a place in the file
  try {
    const fit = await trainWithFiles(instance, optimiser, r.train, {
      seed: r.train.seed, err: r.err, ...(r.signal !== undefined ? { signal: r.signal } : {}), ...(r.progress !== undefined ? { progress: r.progress } : {}),
    }, span);
    await saveFit(fit, r.output, r.output, span);
    const { info } = fit;
    const json = {
      model: fit.model, optimiser: info.optimiser, epochs: info.epochs, best_epoch: info.bestEpoch, stopped_early: info.stoppedEarly,
      interrupted: info.interrupted, steps: info.steps, seconds: info.seconds, rows: info.rows, batchsize: info.batchSize,
      metrics: fit.history[fit.history.length - 1] ?? {}, history: fit.history, values: Object.fromEntries(fit.outputs.map((o) => [o.name, o.value])), output: r.output,
    };
    const lines = fitSummaryLines(fit);
    disposeFit(fit);
    return { lines, json, interrupted: info.interrupted };
  } catch (e) {
    throw await asUserError(e, r.source, r.file);
  }
}
