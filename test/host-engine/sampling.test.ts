/**
 * NUTS on the host engine against posteriordb's reference posteriors (the check of
 * test/posteriordb/sampling.test.ts: every reference mean within 4 standard errors, R̂ < 1.05,
 * no divergences where Stan has none), on posteriors the recorder covers. The host engine's
 * gradients are float64, so these runs also check the samplers with exact gradients.
 */
import { describe, expect, it } from "vitest";
import { posteriorModel } from "../../interpreter/instance.js";
import { expectReferencePosterior } from "../posteriordb/sample-check.js";
import { dataAvailable, instantiatePosterior, loadPosterior } from "../../bench/posteriordb/posteriors.js";

const SUBSET = [
  { name: "eight_schools-eight_schools_noncentered", warmup: 300, draws: 300 },
  { name: "GLM_Poisson_Data-GLM_Poisson_model", warmup: 300, draws: 300 },
  { name: "kidiq-kidscore_interaction", warmup: 300, draws: 300 },
  { name: "radon_mn-radon_hierarchical_intercept_noncentered", warmup: 200, draws: 200 },
];

describe.skipIf(!dataAvailable())("posteriordb on the host engine: NUTS against the reference posteriors", () => {
  it.each(SUBSET)("$name ($warmup warm-up + $draws draws, 4 chains)", async ({ name, warmup, draws }) => {
    const p = loadPosterior(name);
    const model = posteriorModel(instantiatePosterior(p), { engine: "host" });
    expect(model.hostValueAndGrad).toBeDefined();
    await expectReferencePosterior(model, p, { warmup, draws, seed: 20261206 });
  }, 240_000);
});
