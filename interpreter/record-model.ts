/**
 * Which engine computes a model's gradients. An instance is recorded once into the IR
 * (record.ts), and the graph runs on one of two executors: `host` (one float64 JavaScript
 * function, core/exec/host/) or `tfjs` (tfjs ops in float32, batched over chains,
 * core/exec/tfjs/). `auto` takes the one core/exec/choose.ts finds cheaper (the host unless a
 * model is dominated by large dense products). An instance that does not record runs on the
 * interpreter's own tfjs log density (interpreter/instance.ts) under every engine, with a note
 * saying why.
 */
import { compileHost, type CompiledHost, type HostValueAndGrad } from "../core/exec/host/compile.js";
import { compileTfjs, type TfjsLogDensity } from "../core/exec/tfjs/execute.js";
import { chooseExecutor, type Executor, type ExecutorChoice } from "../core/exec/choose.js";
import type { Graph } from "../core/ir/graph.js";
import { tf } from "../core/engine.js";
import { workerCount } from "../inference/mcmc/workers.js";
import { portableProgram, type HostProgram } from "../core/exec/host/compile-link.js";
import { logDensityOf, type ModelInstance } from "./instance.js";
import { CannotRecord, recordInstance } from "./record.js";

export type Engine = "host" | "tfjs" | "auto";
export const ENGINES: readonly Engine[] = ["auto", "host", "tfjs"];

/** The engine called `name`, or undefined for another name. */
export function engineNamed(name: string | undefined): Engine | undefined {
  return ENGINES.find((e) => e === name);
}

/** The engine of posteriorModel calls that name none (`--engine` and the REPL's `:engine` set it). */
let defaultEngine: Engine = "auto";

export function setDefaultEngine(e: Engine): void {
  defaultEngine = e;
}

export function getDefaultEngine(): Engine {
  return defaultEngine;
}

export interface EngineOptions {
  /** Which engine to use; undefined means the default (getDefaultEngine, auto unless set). */
  readonly engine?: Engine;
  /** How many chains will run (the auto engine's choice depends on it); 4 where not given. */
  readonly chains?: number;
  /** Hears one line saying which engine runs (and, on a fallback, why). */
  readonly note?: (line: string) => void;
}

/** A model compiled by the host engine. */
export interface HostCompiled {
  readonly valueAndGrad: HostValueAndGrad;
  /** The same as data a worker thread can link (undefined where it closes over something else). */
  readonly program: HostProgram | undefined;
}

/** An instance recorded once, with its host executor compiled and its tfjs executor made on demand. */
interface Recorded {
  readonly graph: Graph;
  readonly compiled: CompiledHost;
  readonly host: HostCompiled;
  readonly tfjs: () => TfjsLogDensity;
  /** The auto engine's choice, by chain count (it depends on how many run at once). */
  readonly choices: Map<number, ExecutorChoice>;
}

/** Recorded instances by instance bindings (copies of an instance share them). */
const recordings = new WeakMap<ModelInstance["bindings"], Map<ModelInstance["def"], Recorded>>();

/** `inst` recorded and compiled, or the reason it does not record. */
function recorded(inst: ModelInstance): Recorded | { readonly why: string } {
  let byDef = recordings.get(inst.bindings);
  const cached = byDef?.get(inst.def);
  if (cached !== undefined) return cached;
  try {
    const rec = recordInstance(inst);
    const c = compileHost(rec.graph, rec.output);
    let tfjs: TfjsLogDensity | undefined;
    const r: Recorded = {
      graph: rec.graph,
      compiled: c,
      host: { valueAndGrad: c.valueAndGrad, program: portableProgram(c.dim, c.source, c.closed) },
      tfjs: () => {
        if (tfjs === undefined) {
          // recorded again without the sufficient statistics of linear regressions, which pay on the host only
          const plain = recordInstance(inst, { sufficientStatistics: false });
          tfjs = compileTfjs(plain.graph, plain.output);
        }
        return tfjs;
      },
      choices: new Map(),
    };
    if (byDef === undefined) recordings.set(inst.bindings, (byDef = new Map()));
    byDef.set(inst.def, r);
    return r;
  } catch (e) {
    // a model the recorder does not cover, or a defect of the recorder: never a crash, the interpreter's tfjs path runs
    return { why: e instanceof CannotRecord ? e.message : `cannot record: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** How an instance's gradients are computed. */
export type Executed =
  | { readonly kind: "host"; readonly host: HostCompiled }
  /** The recorded graph on tfjs, batched over chains (core/exec/tfjs/). */
  | { readonly kind: "tfjs-ir"; readonly logDensity: TfjsLogDensity }
  /** The interpreter's own tfjs log density (interpreter/instance.ts). */
  | { readonly kind: "interpreter" };

/**
 * The executor of `inst` under `engine`: `host` and `tfjs` take that executor of the recorded
 * graph, `auto` the one chooseExecutor finds cheaper for `chains` chains; an instance that
 * does not record runs on the interpreter, the note saying why.
 */
export function executorFor(inst: ModelInstance, engine: Engine, note?: (line: string) => void, chains = 4): Executed {
  const r = recorded(inst);
  if ("why" in r) {
    note?.(`engine: tfjs (${r.why})`);
    return { kind: "interpreter" };
  }
  let executor: Executor = engine === "tfjs" ? "tfjs" : "host";
  let why = "";
  if (engine === "auto") {
    let choice = r.choices.get(chains);
    if (choice === undefined) r.choices.set(chains, (choice = chooseExecutor(r.graph, r.compiled, r.tfjs, chains, Math.max(1, workerCount(chains)), (q) => logDensityOf(inst, q))));
    executor = choice.executor;
    why = `, ${choice.why}`;
  }
  if (executor === "interpreter") {
    note?.(`engine: tfjs (the interpreter's${why})`);
    return { kind: "interpreter" };
  }
  if (executor === "host") {
    note?.(`engine: host (float64, compiled${why})`);
    return { kind: "host", host: r.host };
  }
  const logDensity = r.tfjs();
  try {
    // one evaluation now, so that a graph the tfjs executor cannot run falls back here, not mid-run
    tf.tidy(() => logDensity(tf.zeros([1, r.graph.dim]) as tf.Tensor2D).dataSync());
  } catch (e) {
    note?.(`engine: tfjs (the tfjs executor cannot run the recorded model: ${e instanceof Error ? e.message : String(e)})`);
    return { kind: "interpreter" };
  }
  note?.(`engine: tfjs (float32, recorded${why})`);
  return { kind: "tfjs-ir", logDensity };
}
