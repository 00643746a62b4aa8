import { describe, expect, it } from "vitest";
import { key } from "../core/random.js";
import { fans, glorotNormal, glorotUniform, kaimingNormal, kaimingUniform, normalInit, onesInit, zerosInit, type Initialiser } from "./init.js";

function moments(init: Initialiser, shape: number[], seed = 1): { mean: number; variance: number; maxAbs: number; values: Float32Array } {
  const values = init(key(seed), shape).dataSync() as Float32Array;
  let s = 0;
  let ss = 0;
  let maxAbs = 0;
  for (const v of values) {
    s += v;
    ss += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = s / values.length;
  return { mean, variance: ss / values.length - mean * mean, maxAbs, values };
}

// Tolerance: the sample variance of n iid draws has relative sd √((κ − 1)/n), κ the kurtosis
// (1.8 uniform, 3 normal); with n ≥ 51,200 that is ≤ 0.0063, and 5 sd gives 0.032.
const REL = 0.032;

describe("initialisers", () => {
  it("computes fans for our [in, out] and [kh, kw, cin, cout] layouts", () => {
    expect(fans([784, 128])).toEqual({ fanIn: 784, fanOut: 128 });
    expect(fans([5, 5, 32, 64])).toEqual({ fanIn: 800, fanOut: 1600 });
    expect(fans([10])).toEqual({ fanIn: 1, fanOut: 10 });
  });

  const cases: { name: string; init: Initialiser; shape: number[]; variance: number; bound?: number }[] = [
    // Glorot & Bengio 2010: variance 2 / (fanIn + fanOut); the uniform bound is √(6 / (fanIn + fanOut)).
    { name: "glorot_uniform dense", init: glorotUniform(), shape: [200, 300], variance: 2 / 500, bound: Math.sqrt(6 / 500) },
    { name: "glorot_normal dense", init: glorotNormal(), shape: [200, 300], variance: 2 / 500 },
    { name: "glorot_uniform conv", init: glorotUniform(), shape: [5, 5, 32, 64], variance: 2 / 2400, bound: Math.sqrt(6 / 2400) },
    // He et al. 2015: variance 2 / fanIn; the uniform bound is √(6 / fanIn).
    { name: "kaiming_uniform dense", init: kaimingUniform(), shape: [200, 300], variance: 2 / 200, bound: Math.sqrt(6 / 200) },
    { name: "kaiming_normal conv", init: kaimingNormal(), shape: [5, 5, 32, 64], variance: 2 / 800 },
    { name: "normal(0.05)", init: normalInit(0.05), shape: [200, 300], variance: 0.0025 },
  ];
  for (const c of cases) {
    it(`${c.name}: empirical variance matches the formula`, () => {
      const m = moments(c.init, c.shape);
      expect(Math.abs(m.variance / c.variance - 1)).toBeLessThan(REL);
      // The mean's sd is √(variance / n); allow 5 of them.
      const n = m.values.length;
      expect(Math.abs(m.mean)).toBeLessThan(5 * Math.sqrt(c.variance / n));
      if (c.bound !== undefined) {
        expect(m.maxAbs).toBeLessThanOrEqual(c.bound * (1 + 1e-6));
        expect(m.maxAbs).toBeGreaterThan(0.99 * c.bound);
      }
    });
  }

  it("is reproducible from the key, different across keys", () => {
    const a = glorotUniform()(key(4), [10, 10]).dataSync();
    const b = glorotUniform()(key(4), [10, 10]).dataSync();
    const c = glorotUniform()(key(5), [10, 10]).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it("zeros and ones", () => {
    expect(Array.from(zerosInit(key(1), [2, 3]).dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(onesInit(key(1), [3]).dataSync())).toEqual([1, 1, 1]);
  });
});
