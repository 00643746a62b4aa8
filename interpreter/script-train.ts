/**
 * The script side of training: the optimiser constructors (`Adam(0.01)`, ... from nn's
 * registry), `train(inst, optimiser; epochs, batchsize, seed, validation, patience, monitor,
 * schedule, checkpoint, resume)`, and what scripts do with a fit: `summary`, `predict`
 * (posterior.ts's prediction at the fit's point), `save(fit, "fit.json")` and `load`.
 *
 * A fit file is JSON with the model's names: `{"format": "dlm-fit", "model", "latents":
 * {"sigma": 0.5, "beta": [...]}, "params": {"net[1].weight": [[...]]}, "state": {"net":
 * {"[2].mean": [...]}} (BatchNorm's running statistics), "history": [...], "info": {...}}`. A checkpoint (`checkpoint = "run.ckpt.json"`, written atomically after every
 * epoch) holds the trained tree, the optimiser's state and the history, and `resume =` that
 * file continues the run: with the same seed it ends where the uninterrupted run ends.
 */
import { readFileSync } from "node:fs";
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/ast.js";
import { writeFileAtomic } from "../inference/draws/index.js";
import type { TrainCheckpoint, TrainProgress } from "../inference/train.js";
import { disposeCheckpoint, readCheckpoint, writeCheckpoint } from "../inference/checkpoint.js";
import { BindError } from "../core/bind.js";
import { ArgumentError, OPTIMISERS, type Optimiser } from "../nn/index.js";
import { defined } from "../core/defined.js";
import { builtin } from "./builtins-math.js";
import { toHost } from "./builtins.js";
import { resolvePath } from "./data-readers.js";
import { DlmError } from "./errors.js";
import type { ModelInstance } from "./instance.js";
import { trainInstance, type Fit, type FitInfo } from "./train.js";
import { asInt, asString, describeValue, type Value } from "./value.js";

/** The size of a `train` run, for progress reporting. */
export interface TrainRun {
  readonly epochs: number;
}

export interface TrainReporter {
  update(p: TrainProgress): void;
  /** After each epoch: its 1-based number and metrics. */
  epoch(epoch: number, metrics: Readonly<Record<string, number>>): void;
  stop(end: { readonly interrupted: boolean }): void;
}

export interface TrainHost {
  readonly file: string;
  readonly seed: number;
  readonly signal?: AbortSignal | undefined;
  readonly progress?: ((run: TrainRun) => TrainReporter) | undefined;
  readonly err: (line: string) => void;
  readonly instanceOf: (v: Value, span: Span, what: string) => ModelInstance;
}

const opaque = (tag: string, payload: unknown, show: string): Value => ({ kind: "opaque", tag, payload, show });

export function fitValue(fit: Fit): Value {
  const { info } = fit;
  const how = info.interrupted ? `interrupted after ${info.epochs} epoch${info.epochs === 1 ? "" : "s"}` : info.stoppedEarly ? `stopped early at epoch ${info.epochs} (best ${info.bestEpoch})` : `${info.epochs} epoch${info.epochs === 1 ? "" : "s"}`;
  return opaque("fit", fit, `a trained fit of \`${fit.model}\`: ${how} of ${info.optimiser}`);
}

export function asFit(v: Value): Fit | undefined {
  return v.kind === "opaque" && v.tag === "fit" ? (v.payload as Fit) : undefined;
}

function optimiserOf(v: Value | undefined, span: Span): Optimiser {
  if (v === undefined) return OPTIMISERS["Adam"]!.make({ positional: [], keywords: {} });
  if (v.kind === "opaque" && v.tag === "optimiser") return v.payload as Optimiser;
  throw new DlmError(`the second argument of \`train\` should be an optimiser such as Adam(0.001), but it is ${describeValue(v)}`, span, `the optimisers: ${Object.keys(OPTIMISERS).join(", ")}`);
}

/** Learning-rate schedules by name: the factor for each 0-based epoch of `epochs`. */
export function scheduleOf(name: string, epochs: number, span: Span | undefined): (epoch: number) => number {
  switch (name) {
    case "constant": return () => 1;
    case "cosine": return (e) => 0.5 * (1 + Math.cos((Math.PI * e) / epochs));
    case "linear": return (e) => 1 - e / epochs;
    case "exponential": return (e) => 0.01 ** (e / Math.max(1, epochs - 1));
    case "step": return (e) => 0.1 ** Math.floor((3 * e) / epochs);
    default: throw new DlmError(`unknown schedule "${name}"`, span, 'the schedules: "constant", "cosine", "linear", "exponential" (to 1/100 at the end), "step" (÷10 at each third)');
  }
}


/** The optimiser constructors, as script builtins whose values `train` takes. */
export function trainBuiltins(): Value[] {
  return Object.entries(OPTIMISERS).map(([name, entry]) =>
    builtin(name, (args, kwargs, span) => {
      try {
        const o = entry.make({ positional: args.map((a) => toHost(a, span)), keywords: Object.fromEntries([...kwargs].map(([k, x]) => [k, toHost(x, span)])) });
        return opaque("optimiser", o, o.describe());
      } catch (e) {
        // The binder's errors carry their own hint (a near keyword, or the usage line).
        if (e instanceof BindError) throw new DlmError(e.message, span, e.hint);
        if (e instanceof ArgumentError || e instanceof Error) throw new DlmError(e.message, span, `usage: ${entry.doc}`);
        throw e;
      }
    }),
  );
}

/** A training run as scripts and `dlm train` describe it: numbers, names and absolute paths. */
export interface TrainRequest {
  readonly epochs: number;
  readonly batchSize?: number;
  readonly seed: number;
  readonly validation?: ModelInstance | number;
  readonly patience?: number;
  readonly monitor?: string;
  /** A schedule's name (see scheduleOf) and linear warm-up epochs. */
  readonly schedule?: string;
  readonly warmup?: number;
  /** Written atomically after every epoch. */
  readonly checkpoint?: string;
  readonly resume?: string;
}

/** Learning-rate factor per epoch: linear warm-up over `warmup` epochs, then the named schedule over the rest. */
function scheduleFor(r: TrainRequest, span: Span | undefined): ((epoch: number) => number) | undefined {
  const warmup = r.warmup ?? 0;
  if (warmup < 0 || warmup >= r.epochs) throw new DlmError(`warmup must lie in 0..${r.epochs - 1} (below epochs), got ${warmup}`, span);
  const base = r.schedule !== undefined ? scheduleOf(r.schedule, r.epochs - warmup, span) : undefined;
  if (warmup === 0 && base === undefined) return undefined;
  return (e) => (e < warmup ? (e + 1) / (warmup + 1) : base?.(e - warmup) ?? 1);
}

/** Train `inst` as `r` says, with its files (checkpoint, resume), progress and interruption note. */
export async function trainWithFiles(inst: ModelInstance, optimiser: Optimiser, r: TrainRequest, host: Omit<TrainHost, "instanceOf" | "file">, span: Span | undefined): Promise<Fit> {
  if (r.epochs < 1) throw new DlmError(`epochs must be at least 1, got ${r.epochs}`, span);
  if (r.batchSize !== undefined && r.batchSize < 1) throw new DlmError(`batchsize must be at least 1, got ${r.batchSize}`, span);
  if (r.patience !== undefined && r.patience < 1) throw new DlmError(`patience must be at least 1, got ${r.patience}`, span);
  const schedule = scheduleFor(r, span);
  let resume: TrainCheckpoint | undefined;
  if (r.resume !== undefined) {
    let text: string;
    try {
      text = readFileSync(r.resume, "utf8");
    } catch {
      throw new DlmError(`cannot read the checkpoint ${r.resume}`, span, "paths are relative to the script's folder");
    }
    try {
      resume = readCheckpoint(text, inst.def.name);
    } catch (e) {
      throw new DlmError(`${r.resume}: ${e instanceof Error ? e.message : String(e)}`, span);
    }
  }
  const { checkpoint } = r;
  const reporter = host.progress?.({ epochs: r.epochs });
  let fit: Fit;
  try {
    fit = await trainInstance(inst, optimiser, {
      epochs: r.epochs, seed: r.seed,
      ...(r.batchSize !== undefined ? { batchSize: r.batchSize } : {}), ...(r.validation !== undefined ? { validation: r.validation } : {}),
      ...(r.patience !== undefined ? { patience: r.patience } : {}), ...(r.monitor !== undefined ? { monitor: r.monitor } : {}),
      ...(schedule !== undefined ? { schedule } : {}), ...(resume !== undefined ? { resume } : {}),
      ...(host.signal !== undefined ? { signal: host.signal } : {}),
      ...(reporter !== undefined ? { onProgress: (p: TrainProgress) => reporter.update(p) } : {}),
      onEpoch: async (c) => {
        reporter?.epoch(c.epoch, c.history[c.history.length - 1]!);
        if (checkpoint === undefined) return;
        try {
          await writeFileAtomic(checkpoint, writeCheckpoint(c, inst.def.name));
        } catch (e) {
          throw new DlmError(`cannot write the checkpoint ${checkpoint}: ${e instanceof Error ? e.message : String(e)}`, span);
        }
      },
    }, span);
  } catch (e) {
    reporter?.stop({ interrupted: host.signal?.aborted ?? false });
    throw e;
  } finally {
    if (resume !== undefined) disposeCheckpoint(resume);
  }
  reporter?.stop({ interrupted: fit.info.interrupted });
  if (fit.info.interrupted) {
    host.err(`interrupted: \`train\` stopped after ${fit.info.steps} steps${checkpoint !== undefined && fit.info.epochs > 0 ? `; ${checkpoint} holds epoch ${fit.info.epochs}` : ""}; the fit has the parameters so far`);
  }
  return fit;
}

/** Run `train(...)` of a script: the promise of the fit value. */
export async function runTrain(host: TrainHost, args: readonly Value[], kwargs: ReadonlyMap<string, Value>, span: Span): Promise<Value> {
  const inst = host.instanceOf(args[0]!, span, "the first argument of `train`");
  const optimiser = optimiserOf(args[1], span);
  const int = (k: string): number | undefined => (kwargs.has(k) ? asInt(kwargs.get(k)!, span, k) : undefined);
  const str = (k: string): string | undefined => (kwargs.has(k) ? asString(kwargs.get(k)!, span, k) : undefined);
  const path = (k: string): string | undefined => { const p = str(k); return p === undefined ? undefined : resolvePath(p, host.file); };
  const v = kwargs.get("validation");
  const request: TrainRequest = {
    epochs: int("epochs") ?? 10, seed: int("seed") ?? host.seed,
    ...defined({
      batchSize: int("batchsize"), patience: int("patience"), monitor: str("monitor"), schedule: str("schedule"), warmup: int("warmup"),
      checkpoint: path("checkpoint"), resume: path("resume"),
      validation: v === undefined ? undefined : v.kind === "num" ? v.v : host.instanceOf(v, span, "`validation`"),
    }),
  };
  return fitValue(await trainWithFiles(inst, optimiser, request, host, span));
}


/** `summary(fit)`: how the run went, the fitted scalars and the last epoch's metrics. */
export function fitSummaryLines(fit: Fit): string[] {
  const { info } = fit;
  const lines = [
    `${fit.model}: trained by ${info.optimiser}, ${info.epochs} epoch${info.epochs === 1 ? "" : "s"} of ${info.rows} rows in batches of ${info.batchSize} (${info.steps} steps, ${info.seconds.toFixed(1)} s)` +
      (info.stoppedEarly ? `; stopped early, parameters of epoch ${info.bestEpoch}` : "") + (info.interrupted ? "; interrupted" : ""),
  ];
  if (fit.outputs.length > 0) {
    const width = Math.max(8, ...fit.outputs.map((o) => o.name.length));
    lines.push(`${"name".padEnd(width)}  value`);
    const shown = fit.outputs.slice(0, 50);
    for (const o of shown) lines.push(`${o.name.padEnd(width)}  ${formatNumber(o.value)}`);
    if (fit.outputs.length > shown.length) lines.push(`... and ${fit.outputs.length - shown.length} more (save(fit, "fit.json") writes them all)`);
  }
  if (fit.params.size > 0) {
    const count = [...fit.params.values()].reduce((a, t) => a + t.size, 0);
    const nets = [...new Set([...fit.params.keys()].map((k) => k.replace(/[[.].*$/, "")))];
    lines.push(`point parameters: ${count} in ${nets.join(", ")}`);
  }
  const last = fit.history[fit.history.length - 1];
  if (last !== undefined) lines.push(`epoch ${fit.history.length}: ${formatMetrics(last)}`);
  return lines;
}

const formatNumber = (x: number): string => (Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : x.toPrecision(4));

export const formatMetrics = (m: Readonly<Record<string, number>>): string => Object.entries(m).map(([k, v]) => `${k} ${formatNumber(v)}`).join("  ");

/** Nested arrays of a tensor in the language's layout (row-major, as `print` shows it). */
function nested(t: tf.Tensor): number | unknown[] {
  const a = t.arraySync();
  return a as number | unknown[];
}

/** `save(fit, path)`: the fit as JSON (see the module comment), written atomically. */
export async function saveFit(fit: Fit, path: string, scriptFile: string, span: Span | undefined): Promise<void> {
  const full = resolvePath(path, scriptFile);
  const json = {
    format: "dlm-fit", version: 1, model: fit.model,
    latents: Object.fromEntries([...fit.latents].map(([k, t]) => [k, nested(t)])),
    params: Object.fromEntries([...fit.params].map(([k, t]) => [k, nested(t)])),
    state: Object.fromEntries([...fit.state].map(([net, values]) => [net, Object.fromEntries([...values].map(([k, t]) => [k, nested(t)]))])),
    outputs: Object.fromEntries(fit.outputs.map((o) => [o.name, o.value])),
    history: fit.history,
    info: fit.info,
  };
  try {
    await writeFileAtomic(full, `${JSON.stringify(json)}\n`);
  } catch (e) {
    throw new DlmError(`cannot write ${full}: ${e instanceof Error ? e.message : String(e)}`, span);
  }
}

/** `load("fit.json")`: a fit written by `save`. */
export function loadFit(path: string, scriptFile: string, span: Span): Fit {
  const full = resolvePath(path, scriptFile);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(full, "utf8"));
  } catch (e) {
    throw new DlmError(`cannot read the fit ${full}: ${e instanceof Error ? e.message : String(e)}`, span, "paths are relative to the script's folder");
  }
  const r = raw as { format?: unknown; model?: unknown; latents?: unknown; params?: unknown; outputs?: unknown; history?: unknown; info?: unknown };
  if (r === null || typeof r !== "object" || r.format !== "dlm-fit" || typeof r.model !== "string") {
    throw new DlmError(`${full} is not a fit written by \`save(fit, ...)\``, span);
  }
  const tensors = (o: unknown, what: string): Map<string, tf.Tensor> => {
    const out = new Map<string, tf.Tensor>();
    if (o === null || typeof o !== "object") throw new DlmError(`${full}: "${what}" should be an object`, span);
    for (const [k, v] of Object.entries(o)) {
      try {
        out.set(k, tf.tensor(v as number[], undefined, "float32"));
      } catch {
        tf.dispose([...out.values()]);
        throw new DlmError(`${full}: "${what}.${k}" is not a rectangular array of numbers`, span);
      }
    }
    return out;
  };
  const latents = tensors(r.latents, "latents");
  const params = tensors(r.params, "params");
  const rawState = (r as { state?: unknown }).state ?? {};
  const state = new Map(Object.entries(rawState as Record<string, unknown>).map(([net, v]) => [net, tensors(v, `state.${net}`)]));
  const outputs = r.outputs !== null && typeof r.outputs === "object" ? Object.entries(r.outputs as Record<string, unknown>).map(([name, value]) => ({ name, value: Number(value) })) : [];
  const history = Array.isArray(r.history) ? (r.history as Record<string, number>[]) : [];
  return { model: r.model, latents, params, state, outputs, history, info: r.info as FitInfo };
}
