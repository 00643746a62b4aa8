/**
 * ADVI against Gaussian targets whose posterior is known exactly: the mean-field family
 * recovers the means and standard deviations of an independent Gaussian, the full-rank family
 * the means, standard deviations and correlation of a correlated one; draws, ELBO and Pareto
 * k̂ behave as the reference describes.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { logDensityModel } from "../../core/model.js";
import { advi, ViError } from "./advi.js";

/** log N(q | m, Σ) up to a constant, batched, for Σ⁻¹ given. */
function gaussian(m: number[], precision: number[][]) {
  const d = m.length;
  const mt = tf.keep(tf.tensor1d(m));
  const pt = tf.keep(tf.tensor2d(precision));
  return logDensityModel(d, (q) => tf.tidy(() => {
    const z = tf.sub(q, mt);
    return tf.mul(-0.5, tf.sum(tf.mul(tf.matMul(z, pt), z), 1)) as tf.Tensor1D;
  }));
}

const colMeanSd = (draws: Float32Array, d: number, j: number): { mean: number; sd: number } => {
  const n = draws.length / d;
  let m = 0;
  for (let i = 0; i < n; i++) m += draws[i * d + j]! / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (draws[i * d + j]! - m) ** 2 / (n - 1);
  return { mean: m, sd: Math.sqrt(v) };
};

describe("ADVI", () => {
  it("mean-field recovers the means and sds of an independent Gaussian", async () => {
    const m = [1, -2, 0.5];
    const sd = [0.5, 2, 1];
    const r = await advi(gaussian(m, sd.map((s, i) => sd.map((_, j) => (i === j ? 1 / s ** 2 : 0)))), { seed: 1, gradDraws: 10, tolRelObj: 0.001 });
    m.forEach((mi, i) => expect(Math.abs(r.mean[i]! - mi)).toBeLessThan(0.1 * sd[i]!));
    sd.forEach((si, i) => expect(Math.abs(r.scale[i]! / si - 1)).toBeLessThan(0.1));
    // The draws are from q: their moments agree with μ and σ to Monte Carlo precision (1,000 draws).
    sd.forEach((_, i) => {
      const c = colMeanSd(r.draws, 3, i);
      expect(Math.abs(c.mean - r.mean[i]!)).toBeLessThan(4 * r.scale[i]! / Math.sqrt(1000));
      expect(Math.abs(c.sd / r.scale[i]! - 1)).toBeLessThan(0.1);
    });
    // q ≈ p: the ELBO approaches log Z = log √((2π)³ Π σ²) for this unnormalised density (its
    // 100-draw estimate has sd √(1.5)/10 ≈ 0.12 when q = p), and k̂ is small.
    const logZ = 0.5 * 3 * Math.log(2 * Math.PI) + sd.reduce((a, s) => a + Math.log(s), 0);
    expect(Math.abs(r.elbo[r.elbo.length - 1]!.value - logZ)).toBeLessThan(0.4);
    expect(r.paretoK).toBeLessThan(0.5);
  }, 60_000);

  it("full-rank recovers a correlation that mean-field cannot, and mean-field's sds shrink to the conditional ones", async () => {
    // Σ = [[1, 0.8·2], [0.8·2, 4]]: sds 1 and 2, correlation 0.8.
    const rho = 0.8;
    const cov = [[1, rho * 2], [rho * 2, 4]];
    const det = cov[0]![0]! * cov[1]![1]! - cov[0]![1]! ** 2;
    const precision = [[cov[1]![1]! / det, -cov[0]![1]! / det], [-cov[1]![0]! / det, cov[0]![0]! / det]];
    const model = gaussian([0.5, -1], precision);
    const full = await advi(model, { seed: 2, method: "fullrank", gradDraws: 10, tolRelObj: 0.001 });
    const L = full.scale;
    const s11 = L[0]! ** 2;
    const s21 = L[2]! * L[0]!;
    const s22 = L[2]! ** 2 + L[3]! ** 2;
    expect(Math.abs(full.mean[0]! - 0.5)).toBeLessThan(0.1);
    expect(Math.abs(full.mean[1]! + 1)).toBeLessThan(0.2);
    expect(Math.abs(Math.sqrt(s11) - 1)).toBeLessThan(0.1);
    expect(Math.abs(Math.sqrt(s22) - 2)).toBeLessThan(0.2);
    expect(Math.abs(s21 / Math.sqrt(s11 * s22) - rho)).toBeLessThan(0.05);
    // Mean-field minimises KL(q‖p): its sds are the conditional ones, 1/√(Σ⁻¹)ᵢᵢ = σᵢ√(1 − ρ²).
    const mf = await advi(model, { seed: 2, gradDraws: 10, tolRelObj: 0.001 });
    expect(Math.abs(mf.scale[0]! / Math.sqrt(1 - rho ** 2) - 1)).toBeLessThan(0.1);
    expect(Math.abs(mf.scale[1]! / (2 * Math.sqrt(1 - rho ** 2)) - 1)).toBeLessThan(0.1);
  }, 60_000);

  it("Adam and a fixed eta reach the same answer; bad settings are errors in words", async () => {
    const model = gaussian([3], [[4]]);
    const a = await advi(model, { seed: 3, optimizer: "adam", lr: 0.05, gradDraws: 5, tolRelObj: 0.001 });
    expect(Math.abs(a.mean[0]! - 3)).toBeLessThan(0.05);
    expect(Math.abs(a.scale[0]! - 0.5)).toBeLessThan(0.05);
    const f = await advi(model, { seed: 3, eta: 0.1, gradDraws: 5, tolRelObj: 0.001 });
    expect(f.eta).toBe(0.1);
    expect(Math.abs(f.mean[0]! - 3)).toBeLessThan(0.05);
    await expect(advi(model, { seed: 1, iterations: 0 })).rejects.toThrow(ViError);
    await expect(advi(logDensityModel(0, (q) => tf.zeros([q.shape[0]])), { seed: 1 })).rejects.toThrow(/no latent variables/);
  }, 60_000);

  it("leaves the number of tensors flat over 1,000 iterations", async () => {
    const model = gaussian([1, 2], [[1, 0], [0, 1]]);
    await advi(model, { seed: 5, eta: 0.1, iterations: 10, evalElbo: 5 });
    const before = tf.memory().numTensors;
    const r = await advi(model, { seed: 5, eta: 0.1, iterations: 1000, tolRelObj: 1e-12, gradDraws: 2 });
    expect(r.iterations).toBe(1000);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it("stops after the current iteration when interrupted, keeping the approximation so far", async () => {
    const controller = new AbortController();
    let seen = 0;
    const r = await advi(gaussian([0], [[1]]), {
      seed: 4, eta: 0.1, tolRelObj: 1e-9,
      onProgress: (p) => { if (p.phase === "optimisation" && ++seen === 30) controller.abort(); },
      signal: controller.signal,
    });
    expect(r.interrupted).toBe(true);
    expect(r.iterations).toBe(30);
    expect(r.draws.length).toBe(1000);
  });
});
