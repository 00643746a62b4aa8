/**
 * `sample(model, options)`: HMC or NUTS on a model (run.ts drives the chains; see
 * `SampleOptions` for the defaults, which are Stan's). A model compiled by the host engine
 * runs its chains on worker threads, one per core (workers.ts), when the run is long enough
 * to pay for them: a worker takes a few hundred milliseconds to start and runs the sampler
 * with cold (unoptimised) code at first, while this thread's is warm after one run, so a
 * small model's whole run (eight schools: ~0.2 s) is faster here. Every other model, and a
 * run of one chain or on one core, runs in this thread with all chains in lockstep.
 * `DLM_WORKERS=n` forces n threads (0: none).
 */
import type { HostProgram } from "../../core/exec/host/compile-link.js";
import type { LogDensityModel, PosteriorModel } from "../../core/model.js";
import { hostGradient } from "./gradient.js";
import { runChains, type SampleOptions, type SampleResult } from "./run.js";
import { sampleInWorkers, WorkerFailure, workerCount } from "./workers.js";

/** Runs estimated shorter than this (in one thread) stay in this thread. */
const WORKER_MIN_SECONDS = 1;
/** Leapfrogs per transition assumed by the estimate (tree depth 3–4, typical after warm-up). */
const LEAPFROGS = 15;
/** The sampler's own work per leapfrog and chain, µs (cold code; bench/RESULTS.md). */
const SAMPLER_US = 2;
/**
 * µs per gradient: a fixed part and a part per element of the generated code's arrays (2–8 ns
 * per element over the 20 posteriordb models, 4 typical; bench/RESULTS.md). A static estimate:
 * timing a few calls is unreliable while the code is cold and the machine shared.
 */
const GRADIENT_US = 0.2;
const ELEMENT_US = 0.004;

/** Seconds the whole run would take in one thread, from the size of the model's generated code. */
function estimatedSeconds(program: HostProgram, o: SampleOptions): number {
  let elements = 0;
  for (const v of program.closed) if (v instanceof Float64Array || v instanceof Int32Array) elements += v.length;
  const us = GRADIENT_US + ELEMENT_US * elements;
  const transitions = (o.chains ?? 4) * ((o.warmup ?? 1000) + (o.draws ?? 1000));
  return ((us + SAMPLER_US) * LEAPFROGS * transitions) / 1e6;
}

export async function sample(model: LogDensityModel, options: SampleOptions = {}): Promise<SampleResult> {
  const explain = (model as Partial<PosteriorModel>).explainNonFinite;
  const local = (): Promise<SampleResult> =>
    runChains(
      {
        dim: model.dim,
        gradient: (chains) => hostGradient(model, chains),
        ...(typeof explain === "function" ? { explain: (row: Float32Array) => explain.call(model, row) } : {}),
      },
      options,
    );
  const workers = workerCount(options.chains ?? 4);
  if (model.hostProgram === undefined || workers === 0 || options.kCheck !== undefined || options.signal?.aborted) return local();
  const forced = (process.env.DLM_WORKERS ?? "") !== "";
  if (!forced && estimatedSeconds(model.hostProgram, options) < WORKER_MIN_SECONDS) return local();
  try {
    return await sampleInWorkers(model.hostProgram, options, workers);
  } catch (e) {
    // a start that fails (no finite initial point, an improper posterior) fails the same way
    // in this thread, where the message can name the model statement responsible; and where
    // worker threads cannot run at all, the chains run here
    if (e instanceof WorkerFailure || (e instanceof Error && (e.name === "InitializationError" || e.name === "StepSizeError"))) return local();
    throw e;
  }
}
