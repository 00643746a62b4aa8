/**
 * The posteriordb translations (bench/posteriordb/models/*.dlm): every file parses with no
 * diagnostic at all, instantiates against its posteriordb data, has the unconstrained
 * dimension of the Stan program (the README table of the benchmark set, which lists Stan's
 * unconstrained dimension per posterior), and outputs every scalar the reference names.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "../../grammar/index.js";
import { outputNamesOf } from "../../interpreter/instance.js";
import { DATA_DIR, MODELS_DIR, dataAvailable, instantiatePosterior, loadPosterior, posteriorNames } from "../../bench/posteriordb/posteriors.js";

/**
 * Unconstrained dimension of each Stan program, from the table in the benchmark set's README
 * (posteriordb data folder); a simplex of K entries counts K − 1.
 */
const STAN_DIM: Readonly<Record<string, number>> = {
  "GLM_Poisson_Data-GLM_Poisson_model": 4,
  "arK-arK": 7,
  "bball_drive_event_0-hmm_drive_0": 6,
  "diamonds-diamonds": 26,
  "earnings-logearn_interaction": 5,
  "eight_schools-eight_schools_centered": 10,
  "eight_schools-eight_schools_noncentered": 10,
  "garch-garch11": 4,
  "gp_pois_regr-gp_pois_regr": 13,
  "hmm_example-hmm_example": 4,
  "irt_2pl-irt_2pl": 144,
  "kidiq-kidscore_interaction": 5,
  "kilpisjarvi_mod-kilpisjarvi": 3,
  "low_dim_gauss_mix-low_dim_gauss_mix": 5,
  "mcycle_gp-accel_gp": 66,
  "mesquite-logmesquite": 8,
  "nes2000-nes": 10,
  "radon_mn-radon_hierarchical_intercept_noncentered": 90,
  "sblrc-blr": 6,
  "wells_data-wells_dist": 2,
};

/**
 * Posteriors that cannot be instantiated yet, with what is missing. The test asserts that they
 * still fail, so an entry has to go when the missing piece lands.
 */
const KNOWN_MISSING: Readonly<Record<string, string>> = {};

const names = posteriorNames();

describe("posteriordb translations parse", () => {
  it("has one translation for each of the 20 posteriors", () => {
    expect(names).toEqual(Object.keys(STAN_DIM).sort());
  });

  it.each(names)("%s parses with no diagnostics", (name) => {
    const file = join(MODELS_DIR, `${name}.dlm`);
    const { program, diagnostics } = parse(readFileSync(file, "utf8"), file);
    expect(diagnostics.map((d) => d.message)).toEqual([]);
    expect(program.body.some((s) => s.kind === "Model")).toBe(true);
  });
});

describe.skipIf(!dataAvailable())(`posteriordb translations instantiate against ${DATA_DIR}`, () => {
  it.each(names.filter((n) => !(n in KNOWN_MISSING)))("%s: Stan's dimension and every reference name", (name) => {
    const p = loadPosterior(name);
    const inst = instantiatePosterior(p);
    expect(inst.layout.dim).toBe(STAN_DIM[name]);
    const outputs = new Set(outputNamesOf(inst));
    expect(p.referenceNames.length).toBeGreaterThan(0);
    expect(p.referenceNames.filter((n) => !outputs.has(n))).toEqual([]);
    expect(p.referenceNames.filter((n) => !p.reference.params.has(n))).toEqual([]);
  });

  it.skipIf(Object.keys(KNOWN_MISSING).length === 0).each(Object.entries(KNOWN_MISSING))("%s still lacks %s", (name, what) => {
    expect(() => instantiatePosterior(loadPosterior(name))).toThrow(what);
  });
});
