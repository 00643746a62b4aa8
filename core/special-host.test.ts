// Float64 host special functions against reference values computed offline with mpmath at
// 50 digits (core/testdata/make_special.py → core/testdata/special.json).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  betaQuantile64,
  chiSquareSf64,
  digamma64,
  erf64,
  erfc64,
  gammaP64,
  gammaQ64,
  incBeta64,
  lbeta64,
  lgamma64,
  normalCdf64,
  normalLogCdf64,
  normalLogCdfDerivative64,
  normalQuantile64,
  trigamma64,
} from "./special-host.js";

type Row = readonly (number | string)[];
const ref = JSON.parse(readFileSync(new URL("./testdata/special.json", import.meta.url), "utf8")) as Record<string, Row[]>;
const num = (v: number | string | undefined): number =>
  v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number);

/** Largest error |got − want| / max(floor, |want|) over a table whose last column is the reference. */
function worst(rows: Row[], f: (...args: number[]) => number, floor = 0): number {
  let w = 0;
  for (const row of rows) {
    const args = row.slice(0, -1).map(num);
    const want = num(row[row.length - 1]);
    const got = f(...args);
    const e = got === want ? 0 : Math.abs(got - want) / Math.max(floor, Math.abs(want));
    if (!(e <= w)) w = e;
  }
  return w;
}

describe("float64 gamma family", () => {
  it("lgamma64 to 1e-14 (absolute where |lgamma| < 1) over (1e-3, 1e6) and negative non-integers", () => {
    expect(worst(ref["lgamma"]!, lgamma64, 1)).toBeLessThan(1e-14);
  });
  it("digamma64 to 1e-13 (absolute where |ψ| < 1)", () => {
    expect(worst(ref["digamma"]!, digamma64, 1)).toBeLessThan(1e-13);
  });
  it("trigamma64 to 1e-13 relative", () => {
    expect(worst(ref["trigamma"]!, trigamma64)).toBeLessThan(1e-13);
  });
  it("lbeta64 to 1e-13 (absolute where |lbeta| < 1), including lbeta(1, 1e4) and lbeta(1e3, 1e6)", () => {
    expect(worst(ref["lbeta"]!, lbeta64, 1)).toBeLessThan(1e-13);
  });
  it("poles and special values", () => {
    expect(lgamma64(0)).toBe(Infinity);
    expect(lgamma64(-3)).toBe(Infinity);
    expect(Math.abs(lgamma64(1))).toBeLessThan(5e-15);
    expect(Math.abs(lgamma64(2))).toBeLessThan(5e-15);
    expect(lbeta64(0, 2)).toBe(Infinity);
  });
});

describe("float64 error function and normal distribution", () => {
  it("erf64 and erfc64 to 1e-14 relative (erfc out to x = 26.5, value 1e-307)", () => {
    expect(worst(ref["erf_host"]!, erf64)).toBeLessThan(1e-14);
    expect(worst(ref["erfc_host"]!, erfc64)).toBeLessThan(1e-14);
  });
  it("normalCdf64 to 1e-13 relative from z = −13 to 8", () => {
    expect(worst(ref["normal_cdf"]!, normalCdf64)).toBeLessThan(1e-13);
  });
  it("normalQuantile64 to 1e-14 relative for p from 1e-300 to 1 − 1e-12", () => {
    expect(worst(ref["normal_quantile"]!, normalQuantile64, 1e-3)).toBeLessThan(1e-14);
    expect(normalQuantile64(0.5)).toBe(0);
    expect(normalQuantile64(0)).toBe(-Infinity);
    expect(normalQuantile64(1)).toBe(Infinity);
    expect(normalQuantile64(1.5)).toBeNaN();
  });
  it("normalQuantile64 inverts normalCdf64", () => {
    // in the upper half Φ(z) = 1 − ε carries only ~16 digits of ε, so z comes back to ~1e-16/φ(z)
    for (const z of [-35, -20, -8, -3, -1e-3, 0.7, 5]) {
      expect(normalQuantile64(normalCdf64(z))).toBeCloseTo(z, z > 0 ? 9 : 12);
    }
  });
});

describe("float64 incomplete gamma and beta", () => {
  it("gammaP64 and gammaQ64 to 1e-12 relative, including a = 1e4", () => {
    expect(worst(ref["gamma_p"]!, gammaP64)).toBeLessThan(1e-12);
    expect(worst(ref["gamma_q"]!, gammaQ64)).toBeLessThan(1e-12);
  });
  it("chiSquareSf64 to 1e-12 relative (3.84 on 1 df is the 5% point)", () => {
    expect(worst(ref["chi2_sf"]!, chiSquareSf64)).toBeLessThan(1e-12);
  });
  it("incBeta64 to 1e-12 relative, including a = b = 1e3", () => {
    expect(worst(ref["inc_beta"]!, incBeta64)).toBeLessThan(1e-12);
  });
  it("betaQuantile64 to 1e-12 relative and inverts incBeta64", () => {
    expect(worst(ref["beta_quantile"]!, betaQuantile64)).toBeLessThan(1e-12);
    for (const [p, a, b] of [[0.1, 3, 4], [0.9, 0.5, 2], [1e-8, 1, 1]] as const) {
      expect(incBeta64(a, b, betaQuantile64(p, a, b)) / p).toBeCloseTo(1, 12);
    }
  });
});

describe("normalLogCdf64 and its derivative", () => {
  // references: mpmath at 40 digits, log(ncdf(z)) and npdf(z)/ncdf(z)
  it.each([
    [-60, -1805.013560680567138700666808059, 60.01665742024112492987093749185],
    [-40, -804.6084420137537881666068329186, 40.02496884720726372324487099537],
    [-10, -53.23128515051247057834702735413, 10.09809323396251196284364165371],
    [3, -0.001350809964748193798841110490517, 0.004437839042125663793302104310903],
  ])("at z = %d", (z, logCdf, mills) => {
    expect(Math.abs(normalLogCdf64(z) - logCdf)).toBeLessThan(1e-12 * Math.abs(logCdf));
    expect(Math.abs(normalLogCdfDerivative64(z) - mills)).toBeLessThan(1e-10 * mills);
  });
});
