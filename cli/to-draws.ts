/**
 * From a sampler result to the `Draws` record that the CSV writer and the summaries take: every
 * saved unconstrained draw goes through `model.outputs` (constrained parameters and generated
 * quantities, Stan-style names) in batches, so memory stays bounded for long runs.
 */
import { tf } from "../core/engine.js";
import type { PosteriorModel } from "../core/model.js";
import type { ChainDraws, Draws, SamplerSettings } from "../inference/draws/index.js";
import type { SampleResult } from "../inference/mcmc/index.js";

const BATCH = 256;

/** The outputs of one chain's draws, column-major: `values[j][n]` for scalar j, draw n. */
export function chainOutputs(model: PosteriorModel, q: Float32Array, nDraws: number): Float64Array[] {
  const names = model.outputNames;
  const values = names.map(() => new Float64Array(nDraws));
  for (let start = 0; start < nDraws; start += BATCH) {
    const rows = Math.min(BATCH, nDraws - start);
    const block = tf.tensor2d(q.subarray(start * model.dim, (start + rows) * model.dim), [rows, model.dim]);
    try {
      const out = model.outputs(block);
      out.forEach((row, i) => row.forEach((x, j) => (values[j]![start + i] = x)));
    } finally {
      block.dispose();
    }
  }
  return values;
}

/** The `Draws` of a run (per chain: outputs, sampler statistics, adaptation, elapsed seconds). */
export function toDraws(model: PosteriorModel, result: SampleResult, settings: SamplerSettings): Draws {
  const chains: ChainDraws[] = result.draws.map((q, c) => ({
    values: chainOutputs(model, q, result.nDraws),
    stats: result.stats[c]!,
    adaptation: {
      stepSize: result.stepSize[c]!,
      inverseMetric:
        result.metric === "dense"
          ? {
              kind: "dense",
              matrix: Array.from({ length: result.dim }, (_, i) => Array.from(result.inverseMetric[c]!.subarray(i * result.dim, (i + 1) * result.dim))),
            }
          : { kind: "diag", diagonal: Array.from(result.inverseMetric[c]!) },
    },
    elapsed: result.seconds,
  }));
  return { names: model.outputNames, chains, settings };
}
