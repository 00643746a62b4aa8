/**
 * The posteriordb verdict (bench/posteriordb/check.ts) on hand-made summaries, and the reading
 * of reference.json / Stan's results file.
 */
import { describe, expect, it } from "vitest";
import type { SummaryRow } from "../../inference/diagnostics/index.js";
import { checkPosterior, differenceSe, referenceEss } from "../../bench/posteriordb/check.js";
import { dataAvailable, loadPosterior, parseReference, type Reference } from "../../bench/posteriordb/posteriors.js";
import { stanAnchors } from "../../bench/posteriordb/stan.js";

const row = (name: string, mean: number, mcse: number, rhat = 1.001, ess = 800): SummaryRow => ({
  name, mean, sd: 1, mcse, q5: NaN, q50: NaN, q95: NaN, ess_bulk: ess, ess_tail: ess, rhat,
});

const ref: Reference = {
  nDraws: 10000,
  essBulkMin: 2500,
  params: new Map([["a", { mean: 0, sd: 2 }], ["b[1]", { mean: 10, sd: 1 }]]),
};

describe("checkPosterior", () => {
  it("uses sqrt(mcse² + sd²/ess) with the reference's min bulk ESS, else its draw count", () => {
    // 0.03² + 2²/2500 = 0.0009 + 0.0016 = 0.0025 → 0.05
    expect(differenceSe(0.03, 2, 2500)).toBeCloseTo(0.05, 12);
    expect(referenceEss(ref)).toBe(2500);
    expect(referenceEss({ nDraws: 4000, params: new Map() })).toBe(4000);
  });

  it("passes means within 4 SE and fails one just beyond", () => {
    // a: se = sqrt(0.03² + 4/2500) = 0.05; b[1]: se = sqrt(0.04² + 1/2500) = sqrt(0.002)
    const seB = Math.sqrt(0.002);
    const ok = checkPosterior([row("a", 0.199, 0.03), row("b[1]", 10 - 3.99 * seB, 0.04)], ref, ["a", "b[1]"], 0, false);
    expect(ok.pass).toBe(true);
    expect(ok.worst?.name).toBe("b[1]");
    expect(ok.worst?.z).toBeCloseTo(-3.99, 9);
    const bad = checkPosterior([row("a", 0.201, 0.03), row("b[1]", 10, 0.04)], ref, ["a", "b[1]"], 0, false);
    expect(bad.pass).toBe(false);
    expect(bad.worst?.name).toBe("a");
    expect(bad.failures.join()).toMatch(/1 mean beyond 4 SE/);
  });

  it("fails on R-hat at the limit, on missing outputs, on NaN, and on divergences Stan does not have", () => {
    const rows = [row("a", 0, 0.03), row("b[1]", 10, 0.04)];
    expect(checkPosterior([row("a", 0, 0.03, 1.01), rows[1]!], ref, ["a", "b[1]"], 0, false).failures.join()).toMatch(/R-hat/);
    expect(checkPosterior([rows[0]!], ref, ["a", "b[1]"], 0, false).missing).toEqual(["b[1]"]);
    expect(checkPosterior([row("a", NaN, 0.03), rows[1]!], ref, ["a", "b[1]"], 0, false).pass).toBe(false);
    expect(checkPosterior(rows, ref, ["a", "b[1]"], 3, false).pass).toBe(false);
    expect(checkPosterior(rows, ref, ["a", "b[1]"], 3, true).pass).toBe(true);
    expect(checkPosterior(rows, ref, [], 0, false).pass).toBe(false);
  });
});

describe("reference and Stan files", () => {
  it("parses reference.json's params, n_draws and reference_ess_bulk_min", () => {
    const r = parseReference({ n_draws: 10000, reference_ess_bulk_min: 9533.2, params: { mu: { mean: 4.4, sd: 3.3, q05: 0 } } });
    expect(r.nDraws).toBe(10000);
    expect(r.essBulkMin).toBe(9533.2);
    expect(r.params.get("mu")).toEqual({ mean: 4.4, sd: 3.3 });
    expect(parseReference({ n_draws: 20000, params: {} }).essBulkMin).toBeUndefined();
  });

  it.skipIf(!dataAvailable())("reads the eight-schools reference and Stan's divergences", () => {
    // values from reference.json and stan_rstan221_results*.csv in the benchmark folder
    const p = loadPosterior("eight_schools-eight_schools_centered");
    expect(p.modelName).toBe("eight_schools_centered");
    expect(p.reference.params.get("theta[1]")?.mean).toBeCloseTo(6.150502293344254, 12);
    expect(p.reference.essBulkMin).toBeCloseTo(9533.22696994086, 8);
    const stan = stanAnchors();
    expect(stan.get("eight_schools-eight_schools_centered")?.maxDivergences).toBe(71);
    expect(stan.get("sblrc-blr")?.maxDivergences).toBe(0);
    expect(stan.get("sblrc-blr")?.essPerSecond1).toBeCloseTo(2962.1, 6);
  });
});
