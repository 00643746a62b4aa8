/**
 * The statistical examples (examples/linreg_vi, eight_schools_centered, radon, poisson,
 * mixture, ppc) run in quick mode (fewer draws and chains, fixed seeds as written in each
 * script) and their key results are checked against independent references: the truth of the
 * simulated data, Stan's reference posteriors from posteriordb, and the known behaviour of the
 * centred eight schools model. `npm run examples` runs them at full size.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { POSTERIORDB_DIR } from "../../bench/paths.js";
import { numbersAfter, runExample, summaryTable } from "./quick.js";

const Q = { draws: 150, warmup: 150, chains: 2 };

function row(table: Map<string, Record<string, number>>, name: string): Record<string, number> {
  const r = table.get(name);
  if (r === undefined) throw new Error(`no row ${name} in [${[...table.keys()].join(", ")}]`);
  return r;
}

describe("examples/linreg_vi.dlm", () => {
  it("NUTS and mean-field ADVI agree on a near-Gaussian posterior", async () => {
    const r = await runExample("linreg_vi", { ...Q, draws: 200, warmup: 200 });
    expect(r.code, r.err.join("\n")).toBe(0);
    const nuts = summaryTable(r.out, "NUTS");
    const advi = summaryTable(r.out, "ADVI");
    for (const name of ["alpha", "beta[1]", "beta[2]", "sigma"]) {
      const n = row(nuts, name);
      const a = row(advi, name);
      // Means within a quarter of a posterior sd plus three Monte Carlo standard errors of the
      // difference, sds within 30% (mean-field on a posterior whose correlations are weak; a
      // poor approximation, such as ADVI stopped at the default tol, misses by a whole sd).
      const mc = 3 * Math.hypot(n["mcse"]!, a["mcse"]!);
      expect(Math.abs(n["mean"]! - a["mean"]!), name).toBeLessThan(0.25 * n["sd"]! + mc);
      expect(a["sd"]! / n["sd"]!, name).toBeGreaterThan(0.7);
      expect(a["sd"]! / n["sd"]!, name).toBeLessThan(1.3);
    }
    // The simulated truth (data/linreg.csv: 1 + 2 x1 - 0.5 x2, noise sd 0.7) within 3 sd.
    for (const [name, truth] of [["alpha", 1], ["beta[1]", 2], ["beta[2]", -0.5], ["sigma", 0.7]] as const) {
      expect(Math.abs(row(nuts, name)["mean"]! - truth), name).toBeLessThan(3 * row(nuts, name)["sd"]!);
    }
    expect(numbersAfter(r.out, "largest mean difference in predictive sds:")[0]).toBeLessThan(0.25);
    expect(readdirSync(r.plots).sort()).toEqual(["linreg_advi_density.svg", "linreg_nuts_density.svg"]);
  }, 300000);
});

describe("examples/eight_schools_centered.dlm", () => {
  it("the centred model diverges and the non-centred one does not", async () => {
    const r = await runExample("eight_schools_centered", Q);
    expect(r.code, r.err.join("\n")).toBe(0);
    const split = r.log.indexOf("non-centred:");
    expect(split).toBeGreaterThan(0);
    const divergences = (lines: string[]): number => {
      // "warning: 12 transitions of 600 after warm-up ended with a divergence (...)"
      const w = lines.find((l) => /^! warning: \d+ transitions? of \d+ after warm-up ended with a divergence/.test(l));
      return w === undefined ? 0 : Number(/^! warning: (\d+)/.exec(w)![1]);
    };
    expect(divergences(r.log.slice(0, split))).toBeGreaterThan(0);
    expect(divergences(r.log.slice(split))).toBe(0);
    // Both describe the same posterior: mu near Stan's reference 4.4 (sd 3.3).
    expect(Math.abs(row(summaryTable(r.out, "non-centred:"), "mu")["mean"]! - 4.4)).toBeLessThan(1.5);
    const pairs = readFileSync(join(r.plots, "eight_schools_centred_pairs.svg"), "utf8");
    expect(pairs).toContain("<svg");
  }, 300000);
});

describe("examples/radon.dlm", () => {
  it("more uranium, more radon; readings on the first floor lower than in the basement", async () => {
    const r = await runExample("radon", { draws: 100, warmup: 100, chains: 2 });
    expect(r.code, r.err.join("\n")).toBe(0);
    const t = summaryTable(r.out);
    expect(row(t, "b_uranium")["q5"]).toBeGreaterThan(0);
    expect(row(t, "b_floor")["q95"]).toBeLessThan(0);
    expect(row(t, "sigma")["mean"]).toBeGreaterThan(0);
    const [aitkinB, aitkinF, hennepinB, hennepinF] = numbersAfter(r.out, "P(above 4 pCi/L): Aitkin basement, first floor; Hennepin basement, first floor:");
    expect(aitkinB).toBeGreaterThan(aitkinF!);
    expect(hennepinB).toBeGreaterThan(hennepinF!);
  }, 300000);
});

describe("examples/poisson.dlm", () => {
  it("recovers the simulated rate, age effect and urban rate ratio through the offset", async () => {
    const r = await runExample("poisson", Q);
    expect(r.code, r.err.join("\n")).toBe(0);
    const t = summaryTable(r.out);
    // data/make_claims.py: log rate = -2.5 - 0.3 age + 0.5 urban per policy-year.
    for (const [name, truth] of [["rate_per_100", 100 * Math.exp(-2.5)], ["b_age", -0.3], ["urban_ratio", Math.exp(0.5)]] as const) {
      expect(Math.abs(row(t, name)["mean"]! - truth), name).toBeLessThan(3 * row(t, name)["sd"]!);
    }
    const [rural, urban] = numbersAfter(r.out, "expected claims per 1000 policy-years (rural, urban):");
    expect(rural).toBeCloseTo(10 * row(t, "rate_per_100")["mean"]!, 0);
    expect(urban! / rural!).toBeGreaterThan(1.5);
  }, 300000);
});

const MIX_REF = join(POSTERIORDB_DIR, "low_dim_gauss_mix-low_dim_gauss_mix", "reference.json");

describe.skipIf(!existsSync(MIX_REF))("examples/mixture.dlm", () => {
  it("matches Stan's reference posterior with ordered means", async () => {
    const r = await runExample("mixture", Q);
    expect(r.code, r.err.join("\n")).toBe(0);
    const t = summaryTable(r.out);
    const ref = (JSON.parse(readFileSync(MIX_REF, "utf8")) as { params: Record<string, { mean: number; sd: number }> }).params;
    for (const name of ["mu[1]", "mu[2]", "sigma[1]", "sigma[2]", "theta"]) {
      const ours = row(t, name);
      // 300 draws: the Monte Carlo error of a mean is about sd/12; allow half an sd.
      expect(Math.abs(ours["mean"]! - ref[name]!.mean), name).toBeLessThan(0.5 * ref[name]!.sd);
      expect(ours["rhat"], name).toBeLessThan(1.05);
    }
  }, 300000);
});

describe("examples/ppc.dlm", () => {
  it("the single normal fails the trough check, the mixture passes both", async () => {
    const r = await runExample("ppc", { draws: 100, warmup: 100, chains: 2 });
    expect(r.code, r.err.join("\n")).toBe(0);
    const [sdObs] = numbersAfter(r.out, "observed: sd(y) =");
    const [lo, , hi] = numbersAfter(r.out, "prior predictive sd(y), 5% 50% 95%:");
    expect(lo).toBeLessThan(sdObs!);
    expect(hi).toBeGreaterThan(sdObs!);
    const [pSd1, pTrough1] = numbersAfter(r.out, "one normal:  p(sd) =");
    const [pSd2, pTrough2] = numbersAfter(r.out, "mixture:     p(sd) =");
    expect(pSd1).toBeGreaterThan(0.02);
    expect(pSd1).toBeLessThan(0.98);
    expect(pTrough1).toBeGreaterThan(0.99);
    expect(pSd2).toBeGreaterThan(0.02);
    expect(pSd2).toBeLessThan(0.98);
    expect(pTrough2).toBeGreaterThan(0.02);
    expect(pTrough2).toBeLessThan(0.98);
  }, 300000);
});
