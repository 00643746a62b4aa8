/**
 * `sample(model, options)`: HMC or NUTS on a model (run.ts drives the chains; see
 * `SampleOptions` for the defaults, which are Stan's). A model compiled by the host engine
 * runs its chains on worker threads, one per core (workers.ts); every other model, and a run
 * of one chain or on one core, runs in this thread with all chains in lockstep.
 */
import type { LogDensityModel, PosteriorModel } from "../../core/model.js";
import { hostGradient } from "./gradient.js";
import { runChains, type SampleOptions, type SampleResult } from "./run.js";
import { sampleInWorkers, workerCount } from "./workers.js";

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
  try {
    return await sampleInWorkers(model.hostProgram, options, workers);
  } catch (e) {
    // a start that fails (no finite initial point, an improper posterior) fails the same way
    // in this thread, where the message can name the model statement responsible
    if (e instanceof Error && (e.name === "InitializationError" || e.name === "StepSizeError")) return local();
    throw e;
  }
}
