import { describe, expect, it } from "vitest";
import { fold, key, normalArray, split, stream, uniformArray } from "./random.js";

describe("random", () => {
  it("is a pure function of the key", () => {
    expect(Array.from(normalArray(key(7), 5))).toEqual(Array.from(normalArray(key(7), 5)));
    expect(Array.from(normalArray(key(7), 5))).not.toEqual(Array.from(normalArray(key(8), 5)));
  });

  it("derives distinct keys by split and fold", () => {
    const k = key(1);
    const children = split(k, 4).map((c) => c.join(":"));
    expect(new Set(children).size).toBe(4);
    expect(fold(k, 0).join(":")).not.toBe(fold(k, 1).join(":"));
    expect(fold(k, 3)).toEqual(fold(k, 3));
  });

  it("draws uniforms and normals with the right first two moments", () => {
    const n = 200_000;
    const u = uniformArray(key(2), n);
    const z = normalArray(key(3), n);
    const mean = (x: Float32Array) => x.reduce((a, b) => a + b, 0) / x.length;
    const variance = (x: Float32Array) => { const m = mean(x); return x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1); };
    // 5 standard errors: sd(U)=0.289, sd(Z)=1, sd of the variance estimate of Z = sqrt(2/n).
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(5 * 0.289 / Math.sqrt(n));
    expect(Math.abs(variance(u) - 1 / 12)).toBeLessThan(5 * 0.0745 / Math.sqrt(n));
    expect(Math.abs(mean(z))).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance(z) - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it("draws gammas with mean a and variance a, including a < 1", () => {
    for (const a of [0.3, 1, 4.5]) {
      const s = stream(key(11));
      const n = 100_000;
      const x = Array.from({ length: n }, () => s.gamma(a));
      const m = x.reduce((p, q) => p + q, 0) / n;
      const v = x.reduce((p, q) => p + (q - m) ** 2, 0) / (n - 1);
      expect(Math.abs(m - a)).toBeLessThan(5 * Math.sqrt(a / n));
      // var of the sample variance of Gamma(a): (m4 - s^4)/n with m4 = 3a^2 + 6a.
      expect(Math.abs(v - a)).toBeLessThan(5 * Math.sqrt((3 * a * a + 6 * a - a * a) / n));
    }
  });

  it("rejects a non-finite seed", () => {
    expect(() => key(Number.NaN)).toThrow(/finite/);
  });
});
