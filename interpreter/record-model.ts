/**
 * Which engine computes a model's gradients: `tfjs` (interpreter/instance.ts's log density,
 * batched over chains, float32) or `host` (the instance recorded into the IR by record.ts
 * and compiled to one float64 JavaScript function, core/exec/host/). `auto` takes the host
 * engine where the instance records and tfjs otherwise; `host` asks for it and also falls
 * back, with the note saying why.
 */
import { compileHost, type HostValueAndGrad } from "../core/exec/host/compile.js";
import { portableProgram, type HostProgram } from "../core/exec/host/compile-link.js";
import type { ModelInstance } from "./instance.js";
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
  /** Hears one line saying which engine runs (and, on a fallback, why). */
  readonly note?: (line: string) => void;
}

/** A model compiled by the host engine. */
export interface HostCompiled {
  readonly valueAndGrad: HostValueAndGrad;
  /** The same as data a worker thread can link (undefined where it closes over something else). */
  readonly program: HostProgram | undefined;
}

/** Compiled host functions by instance bindings (copies of an instance share them). */
const compiled = new WeakMap<ModelInstance["bindings"], Map<ModelInstance["def"], HostCompiled>>();

/** The host engine's compiled form of `inst`, or undefined (with a note) where it does not record. */
export function hostEngine(inst: ModelInstance, note?: (line: string) => void): HostCompiled | undefined {
  let byDef = compiled.get(inst.bindings);
  const cached = byDef?.get(inst.def);
  if (cached !== undefined) {
    note?.("engine: host (float64, compiled)");
    return cached;
  }
  try {
    const rec = recordInstance(inst);
    const c = compileHost(rec.graph, rec.output);
    const host = { valueAndGrad: c.valueAndGrad, program: portableProgram(c.dim, c.source, c.closed) };
    if (byDef === undefined) compiled.set(inst.bindings, (byDef = new Map()));
    byDef.set(inst.def, host);
    note?.("engine: host (float64, compiled)");
    return host;
  } catch (e) {
    // a model the recorder does not cover, or a defect of the recorder: never a crash, the tfjs path runs
    const why = e instanceof CannotRecord ? e.message : `cannot record: ${e instanceof Error ? e.message : String(e)}`;
    note?.(`engine: tfjs (${why})`);
    return undefined;
  }
}
