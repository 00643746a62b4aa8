/**
 * The short-run posteriordb check the sampling tests share: NUTS with 4 chains on a model of a
 * posterior, then every reference mean within 4 standard errors, R̂ < 1.05 (a few hundred
 * draws make split-R̂ itself fluctuate by about 0.01) and no divergences where Stan has none.
 */
import { expect } from "vitest";
import { summarize } from "../../inference/diagnostics/index.js";
import { sample } from "../../inference/mcmc/index.js";
import type { PosteriorModel } from "../../core/model.js";
import { chainOutputs } from "../../cli/to-draws.js";
import { checkPosterior } from "../../bench/posteriordb/check.js";
import type { loadPosterior } from "../../bench/posteriordb/posteriors.js";

export async function expectReferencePosterior(model: PosteriorModel, p: ReturnType<typeof loadPosterior>, run: { warmup: number; draws: number; seed: number }): Promise<void> {
  const result = await sample(model, { chains: 4, ...run });
  const chains = result.draws.map((q) => chainOutputs(model, q, result.nDraws));
  const summary = summarize({ names: model.outputNames, chains, sampler: result.stats }, { includeLp: false });
  const check = checkPosterior(summary.rows, p.reference, p.referenceNames, summary.sampler?.divergences ?? 0, false, { zMax: 4, rhatMax: 1.05 });
  expect(check.missing).toEqual([]);
  expect(check.params.length).toBe(p.referenceNames.length);
  expect(check.failures).toEqual([]);
}
