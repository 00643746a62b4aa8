/**
 * The posteriordb check on a fast subset: small posteriors sampled with our NUTS (4 chains,
 * short runs) must give every reference mean within 4 standard errors, where the standard error
 * combines our MCSE with the reference's (sqrt(mcse² + sd²/ess_ref): short runs get a
 * correspondingly wider tolerance through their larger MCSE), with no divergences where Stan
 * has none. R̂ must stay below 1.05 here instead of the benchmark's 1.01: with a few hundred
 * draws split-R̂ itself fluctuates by about 0.01. The full check is bench/posteriordb/run.ts.
 */
import { describe, it } from "vitest";
import { posteriorModel } from "../../interpreter/instance.js";
import { expectReferencePosterior } from "./sample-check.js";
import { dataAvailable, instantiatePosterior, loadPosterior } from "../../bench/posteriordb/posteriors.js";

const SUBSET = [
  { name: "eight_schools-eight_schools_noncentered", warmup: 150, draws: 150 },
  { name: "mesquite-logmesquite", warmup: 150, draws: 150 },
];

describe.skipIf(!dataAvailable())("posteriordb fast subset: NUTS against the reference posteriors", () => {
  it.each(SUBSET)("$name ($warmup warm-up + $draws draws, 4 chains)", async ({ name, warmup, draws }) => {
    const p = loadPosterior(name);
    const model = posteriorModel(instantiatePosterior(p));
    await expectReferencePosterior(model, p, { warmup, draws, seed: 20261121 });
  }, 240_000);
});
