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
import { outputNamesOf, posteriorModel } from "../../interpreter/instance.js";
import { tf } from "../../core/engine.js";
import { valueAndGrad } from "../../core/autodiff.js";
import type { PosteriorModel } from "../../core/model.js";
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

/** The non-finite log densities and gradient components of `model` at the unconstrained `rows` (one chain each). */
function nonFiniteAt(model: PosteriorModel, rows: number[][]): { values: number[]; grads: number[] } {
  const q = tf.tensor2d(rows);
  const r = valueAndGrad((x: tf.Tensor2D) => model.logDensity(x), q);
  const bad = (t: tf.Tensor): number[] => Array.from(t.dataSync()).filter((v) => !Number.isFinite(v));
  const out = { values: bad(r.value), grads: bad(r.grad) };
  tf.dispose([q, r.value, r.grad]);
  return out;
}

describe.skipIf(!dataAvailable())("float32 hazards in the GP translations", () => {
  // accel_gp once took sqrt of a spectral density whose exp(-l² w² / 2) underflows to 0 in
  // float32 for l above about 0.33: sqrt's infinite derivative at 0 made the gradient NaN there,
  // a wall of divergences inside the support. The gradient must be finite at every length scale,
  // one chain per length scale, the other coordinates at the reference means.
  it("accel_gp has a finite gradient for length scales from 0.02 to 5", () => {
    const p = loadPosterior("mcycle_gp-accel_gp");
    const inst = instantiatePosterior(p);
    const model = posteriorModel(inst);
    const positive = new Set(["sdgp_1", "lscale_1", "sdgp_sigma_1", "lscale_sigma_1"]);
    const base = new Array<number>(model.dim).fill(0);
    for (const e of inst.layout.entries) {
      for (let k = 0; k < e.size; k++) {
        const ref = p.reference.params.get(e.size === 1 ? e.name : `${e.name}[${k + 1}]`)!;
        base[e.offset + k] = positive.has(e.name) ? Math.log(ref.mean) : ref.mean;
      }
    }
    const scales = [0.02, 0.1, 0.35, 0.7, 1, 5];
    const offsets = ["lscale_1", "lscale_sigma_1"].map((n) => inst.layout.entries.find((e) => e.name === n)!.offset);
    const rows = offsets.flatMap((o) => scales.map((l) => base.map((v, i) => (i === o ? Math.log(l) : v))));
    const { values, grads } = nonFiniteAt(model, rows);
    expect(values).toEqual([]);
    expect(grads).toEqual([]);
  });

  // gp_pois_regr's kernel matrix on 11 points 2 apart is singular to float32 precision for the
  // posterior's length scales (rho ≈ 4.6–6.8): posteriordb's absolute 1e-10 jitter left its
  // Cholesky factor NaN there; the float32 variant that tfjs runs take (models/float32/) has a
  // jitter that scales with alpha² (the translation itself, on the host engine:
  // test/host-engine/record-outputs.test.ts).
  it("gp_pois_regr's float32 variant has a finite tfjs log density and gradient for rho from 2 to 15", () => {
    const inst = instantiatePosterior(loadPosterior("gp_pois_regr-gp_pois_regr", "tfjs"));
    expect(inst.file).toMatch(/float32/);
    const model = posteriorModel(inst, { engine: "tfjs" });
    const at = (n: string): number => inst.layout.entries.find((e) => e.name === n)!.offset;
    const rows = [2, 4, 5, 6, 7, 10, 15].flatMap((rho) =>
      [0.5, 3, 8].map((alpha) => Array.from({ length: model.dim }, (_, i) => (i === at("rho") ? Math.log(rho) : i === at("alpha") ? Math.log(alpha) : 0.3 * Math.sin(i)))),
    );
    const { values, grads } = nonFiniteAt(model, rows);
    expect(values).toEqual([]);
    expect(grads).toEqual([]);
  });
});
