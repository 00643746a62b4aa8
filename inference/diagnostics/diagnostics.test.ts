import { describe, expect, it } from "vitest";
import { fold, key, stream } from "../../core/random.js";
import {
  autocovariance, ebfmi, ebfmiPerChain, essBulk, essMean, essQuantile, essTail, mcseMean, mcseQuantile, mcseSd,
  quantile, rankNormalize, rhat, rhatBulk, rhatTail, splitChains,
} from "./index.js";

/** `chains` AR(1) chains x_{n+1} = ρ x_n + sqrt(1−ρ²) ε_n started in stationarity (unit variance). */
function ar1(seed: number, chains: number, n: number, rho: number, shift: (m: number) => number = () => 0, scale: (m: number) => number = () => 1): Float64Array[] {
  return Array.from({ length: chains }, (_, m) => {
    const s = stream(fold(key(seed), m));
    const x = new Float64Array(n);
    const sd = Math.sqrt(1 - rho * rho);
    let v = s.normal();
    for (let i = 0; i < n; i++) {
      x[i] = shift(m) + scale(m) * v;
      v = rho * v + sd * s.normal();
    }
    return x;
  });
}

describe("elementary operations", () => {
  it("type-7 quantile equals hand values", () => {
    const x = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    // h = (S − 1)p on the sorted 1..10: h = 0.45 → 1.45, h = 4.5 → 5.5, h = 8.55 → 9.55.
    expect(quantile(x, 0.05)).toBeCloseTo(1.45, 12);
    expect(quantile(x, 0.5)).toBeCloseTo(5.5, 12);
    expect(quantile(x, 0.95)).toBeCloseTo(9.55, 12);
    expect(quantile(x, 0)).toBe(1);
    expect(quantile(x, 1)).toBe(10);
    expect(quantile([3, 1, 2], 0.25)).toBeCloseTo(1.5, 12);
    expect(quantile([[1, 4], [2, 3]], 0.5)).toBeCloseTo(2.5, 12);
    expect(quantile([1, NaN, 3], 0.5)).toBeNaN();
  });
  it("splitting drops the middle draw of odd-length chains", () => {
    const s = splitChains([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
    expect(s.map((c) => Array.from(c))).toEqual([[1, 2], [4, 5], [6, 7], [9, 10]]);
  });
  it("rank normalisation uses average ranks and Blom's offset", () => {
    // S = 4 draws with ranks 1, 2.5, 2.5, 4: z = Φ⁻¹((r − 3/8)/(4 + 1/4)); Φ⁻¹(0.625/4.25) from scipy.
    const z = rankNormalize([[1, 2], [2, 3]]);
    expect(z[0]![0]).toBeCloseTo(-1.0491313979639707, 13);
    expect(z[0]![1]).toBe(0);
    expect(z[1]![0]).toBe(0);
    expect(z[1]![1]).toBeCloseTo(1.0491313979639707, 13);
  });
  it("FFT autocovariance equals the direct O(N²) sum", () => {
    const s = stream(key(3));
    for (const n of [1, 2, 7, 37, 64, 100]) {
      const y = Array.from({ length: n }, () => s.normal() + 5);
      const m = y.reduce((a, b) => a + b, 0) / n;
      const g = autocovariance(y);
      for (let t = 0; t < n; t++) {
        let direct = 0;
        for (let i = 0; i + t < n; i++) direct += (y[i]! - m) * (y[i + t]! - m);
        expect(g[t]).toBeCloseTo(direct / n, 12);
      }
    }
  });
});

describe("NaN for undefined diagnostics", () => {
  const constant = [[2, 2, 2, 2, 2, 2], [2, 2, 2, 2, 2, 2]];
  const withNaN = [[1, 2, 3, 4, 5, NaN], [1, 3, 2, 5, 4, 6]];
  const withInf = [[1, 2, 3, 4, 5, Infinity], [1, 3, 2, 5, 4, 6]];
  for (const [label, chains] of [["constant", constant], ["NaN", withNaN], ["infinite", withInf]] as const) {
    it(`${label} input`, () => {
      for (const f of [rhat, rhatBulk, rhatTail, essBulk, essTail, essMean, mcseMean, (c: typeof chains) => mcseSd(c), (c: typeof chains) => mcseQuantile(c, 0.5), (c: typeof chains) => essQuantile(c, 0.05)]) {
        expect(f(chains)).toBeNaN();
      }
    });
  }
  it("E-BFMI of constant, non-finite or too short energies", () => {
    expect(ebfmi([3, 3, 3])).toBeNaN();
    expect(ebfmi([1, NaN, 3])).toBeNaN();
    expect(ebfmi([1])).toBeNaN();
  });
});

describe("E-BFMI", () => {
  it("equals the direct computation on a hand example", () => {
    // E = 1, 3, 2, 5: Σ ΔE² = 4 + 1 + 9 = 14; Ē = 2.75, Σ (E − Ē)² = 8.75; E-BFMI = 1.6.
    expect(ebfmi([1, 3, 2, 5])).toBeCloseTo(1.6, 14);
    expect(ebfmiPerChain([[1, 3, 2, 5], new Float64Array([0, 1, 0, 1])])).toEqual([expect.closeTo(1.6, 14), expect.closeTo(3, 14)]);
  });
  it("is about 2 for independent energies and small for a slow random walk", () => {
    const [iid] = ar1(11, 1, 20_000, 0);
    expect(ebfmi(iid!)).toBeGreaterThan(1.9);
    expect(ebfmi(iid!)).toBeLessThan(2.1);
    const [slow] = ar1(12, 1, 20_000, 0.95);
    // E[ΔE²]/Var(E) = 2(1 − ρ) = 0.1 for an AR(1) series.
    expect(ebfmi(slow!)).toBeGreaterThan(0.07);
    expect(ebfmi(slow!)).toBeLessThan(0.13);
  });
});

describe("ESS against the known answer (sd of the estimates over seeds ≈ 4%; tolerance 15%)", () => {
  it("iid normal draws: ESS ≈ number of draws", () => {
    const c = ar1(1, 4, 1000, 0);
    for (const e of [essBulk(c), essMean(c), essTail(c)]) expect(Math.abs(e / 4000 - 1)).toBeLessThan(0.15);
  });
  it("AR(1) with ρ = 0.9: ESS ≈ N(1 − ρ)/(1 + ρ)", () => {
    const c = ar1(2, 4, 40_000, 0.9);
    const target = (160_000 * 0.1) / 1.9;
    expect(Math.abs(essBulk(c) / target - 1)).toBeLessThan(0.15);
    expect(Math.abs(essMean(c) / target - 1)).toBeLessThan(0.15);
  });
  it("antithetic AR(1) with ρ = −0.3: ESS > N, ≈ N(1 − ρ)/(1 + ρ)", () => {
    const c = ar1(3, 4, 2000, -0.3);
    const target = (8000 * 1.3) / 0.7;
    expect(Math.abs(essMean(c) / target - 1)).toBeLessThan(0.15);
  });
  it("handles 100,000 draws per chain (FFT path)", () => {
    const c = ar1(4, 2, 100_000, 0.5);
    expect(Math.abs(essBulk(c) / ((200_000 * 0.5) / 1.5) - 1)).toBeLessThan(0.1);
  });
});

describe("R-hat", () => {
  it("is ≈ 1 for well-mixed chains", () => {
    const r = rhat(ar1(5, 4, 2000, 0.3));
    expect(r).toBeGreaterThanOrEqual(0.999);
    expect(r).toBeLessThan(1.01);
  });
  it("flags chains with different locations (bulk)", () => {
    const c = ar1(6, 4, 1000, 0.3, (m) => (m === 0 ? 1 : 0));
    expect(rhatBulk(c)).toBeGreaterThan(1.05);
    expect(rhat(c)).toBeGreaterThan(1.05);
  });
  it("flags chains with different scales through the folded (tail) R-hat", () => {
    const c = ar1(7, 4, 2000, 0, () => 0, (m) => (m === 0 ? 3 : 1));
    expect(rhatBulk(c)).toBeLessThan(1.02);
    expect(rhatTail(c)).toBeGreaterThan(1.05);
    expect(rhat(c)).toBe(rhatTail(c));
  });
  it("flags a trend inside chains (splitting)", () => {
    const c = [0, 1, 2, 3].map(() => Float64Array.from({ length: 1000 }, (_, i) => i / 1000));
    expect(rhat(c)).toBeGreaterThan(1.5);
  });
});
