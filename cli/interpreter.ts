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

/**
 * Static diagnostics beyond parsing (name resolution, arity, definitions), each with the text of
 * the file it is in: the file's own, checked with the names its included files define, then
 * those of every file it includes, followed as `dlm run` follows them (interpreter/includes.ts).
 */
export async function staticDiagnostics(program: Program, source: string, file: string): Promise<{ diagnostic: Diagnostic; source: string }[]> {
  const { check } = await import("../interpreter/index.js");
  const { includedNames, includeDiagnostics } = await import("../interpreter/includes.js");
  // The file's own definitions are its own, whatever an included file defines (as in a run).
  const own = new Set(program.body.flatMap((s) => (s.kind === "Fn" || s.kind === "Network" || s.kind === "Model" ? [s.name] : [])));
  const known = includedNames(source, file).filter((n) => !own.has(n));
  const mine = check(program, file, source, known).map((diagnostic) => ({ diagnostic, source }));
  return [...mine, ...includeDiagnostics(program, source, file)];
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
  /** Hears each of the instance's warnings (slow loops), rendered with its place in the file. */
  readonly warn?: (line: string) => void;
  /** Which engine computes gradients (interpreter/record-model.ts); default auto. */
  readonly engine?: "auto" | "host" | "tfjs";
  /** Hears the line saying which engine runs. */
  readonly note?: (line: string) => void;
  /** How many chains will run (the auto engine's choice of executor depends on it). */
  readonly chains?: number;
}

/**
 * The posterior of `model` given `data`: positional arguments and keyword parameters are
 * bound from the data keys of the same name; other keys are ignored (as Stan does).
 */
export async function posteriorFromData(request: PosteriorRequest): Promise<PosteriorModel> {
  const { posteriorModel } = await import("../interpreter/index.js");
  const instance = await instanceFromData(request);
  try {
    return posteriorModel(instance, { ...(request.chains !== undefined ? { chains: request.chains } : {}), ...(request.engine !== undefined ? { engine: request.engine } : {}), ...(request.note !== undefined ? { note: request.note } : {}) });
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
    const instance = modelInstance(prog, request.model, pick(def.params.map((p) => p.name)), pick(def.keywords.map((k) => k.name)));
    if (request.warn !== undefined) {
      const { DlmError, renderError } = await import("../interpreter/index.js");
      for (const w of instance.warnings) request.warn(renderError(new DlmError(w.message, w.span), source, file).replace(": error:", ": warning:"));
    }
    return instance;
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
  /** Progress of each `vi` (see the interpreter's ScriptOptions.viProgress). */
  readonly viProgress?: (run: { readonly iterations: number }) => {
    update(p: import("../inference/vi/advi.js").AdviProgress): void;
    stop(end: { readonly interrupted: boolean }): void;
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

export interface ViFromDataRequest extends PosteriorRequest {
  /** ADVI's or Bayes by Backprop's settings, with their progress callbacks and signal. */
  readonly options: import("../interpreter/vi.js").ViOptions | import("../interpreter/vi.js").BbbOptions;
  /** Files PREFIX-1.csv (CmdStan layout). */
  readonly output: string;
}

/** `dlm vi`: ADVI or Bayes by Backprop on the instance from data; its draws written as CmdStan-layout CSV. */
export async function viFromData(r: ViFromDataRequest): Promise<TrainOutcome & { readonly files: readonly string[] }> {
  const { viPosterior } = await import("../interpreter/vi.js");
  const { summaryLines } = await import("../interpreter/posterior.js");
  const { savePosterior } = await import("../interpreter/script-io.js");
  const { summarize } = await import("../inference/diagnostics/index.js");
  const instance = await instanceFromData(r);
  try {
    const post = await viPosterior(instance, r.options, undefined);
    const files = savePosterior(post, r.output, r.output, { start: 0, end: 0 });
    const v = post.vi!;
    const chains = post.outputs.map((rows) => post.names.map((_, j) => Float64Array.from(rows, (row) => row[j]!)));
    const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
    const parameters = Object.fromEntries(summarize({ names: post.names, chains }).rows.map((row) => [row.name, {
      mean: finite(row.mean), sd: finite(row.sd), mcse: finite(row.mcse), q5: finite(row.q5), q50: finite(row.q50), q95: finite(row.q95),
    }]));
    const json = {
      parameters, method: v.method, iterations: v.iterations, converged: v.converged, eta: finite(v.eta), pareto_k: finite(v.paretoK),
      ...(v.bbb !== undefined ? { covariance: v.bbb.covariance, ...(v.bbb.rank !== undefined ? { rank: v.bbb.rank } : {}), epochs: v.bbb.epochs, best_epoch: v.bbb.bestEpoch, stopped_early: v.bbb.stoppedEarly, optimiser: v.bbb.optimiser, history: v.bbb.history } : {}),
      elbo: v.elbo, warnings: v.warnings, seconds: post.result.seconds.sampling, draws: post.result.nDraws, interrupted: post.result.interrupted, files,
    };
    return { lines: summaryLines(post), json, interrupted: post.result.interrupted, files };
  } catch (e) {
    throw await asUserError(e, r.source, r.file);
  }
}
