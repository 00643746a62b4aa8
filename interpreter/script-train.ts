/**
 * The script side of training: the optimiser constructors (`Adam(0.01)`, ... from nn's
 * registry), `train(inst, optimiser; epochs, batchsize, seed, validation, patience, monitor,
 * schedule, checkpoint, resume)`, and what scripts do with a fit: `summary`, `predict`
 * (posterior.ts's prediction at the fit's point), `save(fit, "fit.json")` and `load`.
 *
 * A fit file is JSON with the model's names: `{"format": "dlm-fit", "model", "latents":
 * {"sigma": 0.5, "beta": [...]}, "params": {"net[1].weight": [[...]]}, "history": [...],
 * "info": {...}}`. A checkpoint (`checkpoint = "run.ckpt.json"`, written atomically after every
 * epoch) holds the trained tree, the optimiser's state and the history, and `resume =` that
 * file continues the run: with the same seed it ends where the uninterrupted run ends.
 */
import { readFileSync } from "node:fs";
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/ast.js";
import { writeFileAtomic } from "../inference/draws/index.js";
import type { TrainCheckpoint, TrainProgress } from "../inference/train.js";
import { readCheckpoint, writeCheckpoint } from "../inference/checkpoint.js";
import { ArgumentError, OPTIMISERS, type Optimiser } from "../nn/index.js";
import { arity, builtin, noKeywords } from "./builtins-math.js";
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
function scheduleOf(v: Value, epochs: number, span: Span): (epoch: number) => number {
  const name = asString(v, span, "schedule");
  switch (name) {
    case "constant": return () => 1;
    case "cosine": return (e) => 0.5 * (1 + Math.cos((Math.PI * e) / epochs));
    case "linear": return (e) => 1 - e / epochs;
    case "exponential": return (e) => 0.01 ** (e / Math.max(1, epochs - 1));
    case "step": return (e) => 0.1 ** Math.floor((3 * e) / epochs);
    default: throw new DlmError(`unknown schedule "${name}"`, span, 'the schedules: "constant", "cosine", "linear", "exponential" (to 1/100 at the end), "step" (÷10 at each third)');
  }
}

const TRAIN_KEYWORDS = ["epochs", "batchsize", "seed", "validation", "patience", "monitor", "schedule", "warmup", "checkpoint", "resume"];

/** The optimiser constructors, as script builtins whose values `train` takes. */
export function trainBuiltins(): Value[] {
  return Object.entries(OPTIMISERS).map(([name, entry]) =>
    builtin(name, (args, kwargs, span) => {
      try {
        const o = entry.make({ positional: args.map((a) => toHost(a, span)), keywords: Object.fromEntries([...kwargs].map(([k, x]) => [k, toHost(x, span)])) });
        return opaque("optimiser", o, o.describe());
      } catch (e) {
        if (e instanceof ArgumentError || e instanceof Error) throw new DlmError(e.message, span, `usage: ${entry.doc}`);
        throw e;
      }
    }),
  );
}

/** Run `train(...)`: the promise of the fit value. */
export async function runTrain(host: TrainHost, args: readonly Value[], kwargs: ReadonlyMap<string, Value>, span: Span): Promise<Value> {
  arity("train", args, 1, 2, span);
  noKeywords("train", kwargs, TRAIN_KEYWORDS, span);
  const inst = host.instanceOf(args[0]!, span, "the first argument of `train`");
  const optimiser = optimiserOf(args[1], span);
  const int = (k: string): number | undefined => (kwargs.has(k) ? asInt(kwargs.get(k)!, span, k) : undefined);
  const epochs = int("epochs") ?? 10;
  if (epochs < 1) throw new DlmError(`epochs must be at least 1, got ${epochs}`, span);
  const batchSize = int("batchsize");
  if (batchSize !== undefined && batchSize < 1) throw new DlmError(`batchsize must be at least 1, got ${batchSize}`, span);
  const patience = int("patience");
  if (patience !== undefined && patience < 1) throw new DlmError(`patience must be at least 1, got ${patience}`, span);
  const v = kwargs.get("validation");
  const validation = v === undefined ? undefined : v.kind === "num" ? v.v : host.instanceOf(v, span, "`validation`");
  const warmup = int("warmup") ?? 0;
  const base = kwargs.has("schedule") ? scheduleOf(kwargs.get("schedule")!, epochs - warmup, span) : undefined;
  // Linear warm-up over the first `warmup` epochs, then the schedule over the rest.
  const schedule = warmup > 0 || base !== undefined ? (e: number) => (e < warmup ? (e + 1) / (warmup + 1) : base?.(e - warmup) ?? 1) : undefined;
  const checkpoint = kwargs.has("checkpoint") ? resolvePath(asString(kwargs.get("checkpoint")!, span, "checkpoint"), host.file) : undefined;
  let resume: TrainCheckpoint | undefined;
  if (kwargs.has("resume")) {
    const path = resolvePath(asString(kwargs.get("resume")!, span, "resume"), host.file);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new DlmError(`cannot read the checkpoint ${path}`, span, "paths are relative to the script's folder");
    }
    try {
      resume = readCheckpoint(text, inst.def.name);
    } catch (e) {
      throw new DlmError(`${path}: ${e instanceof Error ? e.message : String(e)}`, span);
    }
  }
  const monitor = kwargs.has("monitor") ? asString(kwargs.get("monitor")!, span, "monitor") : undefined;
  const reporter = host.progress?.({ epochs });
  let fit: Fit;
  try {
    fit = await trainInstance(inst, optimiser, {
      epochs, seed: kwargs.has("seed") ? asInt(kwargs.get("seed")!, span, "seed") : host.seed,
      ...(batchSize !== undefined ? { batchSize } : {}), ...(validation !== undefined ? { validation } : {}),
      ...(patience !== undefined ? { patience } : {}), ...(monitor !== undefined ? { monitor } : {}),
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
  return fitValue(fit);
}

function disposeCheckpoint(c: TrainCheckpoint): void {
  const trees = [c.params, ...Object.values(c.optimiser.slots), ...(c.best !== undefined ? [c.best.params] : [])];
  for (const t of trees) tf.dispose(t instanceof tf.Tensor ? t : flatLeaves(t));
}

const flatLeaves = (t: object): tf.Tensor[] => Object.values(t).flatMap((v: unknown) => (v instanceof tf.Tensor ? [v] : flatLeaves(v as object)));

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
export async function saveFit(fit: Fit, path: string, scriptFile: string, span: Span): Promise<void> {
  const full = resolvePath(path, scriptFile);
  const json = {
    format: "dlm-fit", version: 1, model: fit.model,
    latents: Object.fromEntries([...fit.latents].map(([k, t]) => [k, nested(t)])),
    params: Object.fromEntries([...fit.params].map(([k, t]) => [k, nested(t)])),
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
  const outputs = r.outputs !== null && typeof r.outputs === "object" ? Object.entries(r.outputs as Record<string, unknown>).map(([name, value]) => ({ name, value: Number(value) })) : [];
  const history = Array.isArray(r.history) ? (r.history as Record<string, number>[]) : [];
  return { model: r.model, latents, params, outputs, history, info: r.info as FitInfo };
}
