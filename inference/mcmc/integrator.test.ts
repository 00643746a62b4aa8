import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { key, fold, stream } from "../../core/random.js";
import { logDensityModel } from "../../core/model.js";
import { evaluate, hostGradient } from "./gradient.js";
import { integrator, leapfrog, type PhasePoint } from "./integrator.js";
import { denseMetric, diagMetric, drawMomentum, kinetic, unitMetric, velocity } from "./metric.js";

// log π(q) = −½ Σ a_i q_i², per row
const quadratic = (a: number[]) =>
  logDensityModel(a.length, (q) => tf.tidy(() => tf.mul(-0.5, tf.sum(tf.mul(tf.tensor1d(a), tf.square(q)), 1)) as tf.Tensor1D));

function point(model: ReturnType<typeof quadratic>, q: number[][], p: number[][]): PhasePoint {
  const qh = Float64Array.from(q.flat(), Math.fround);
  return { q: qh, p: Float64Array.from(p.flat()), ...evaluate(model, qh) };
}

describe("leapfrog", () => {
  it("one step matches hand-computed values (diag and dense inverse metric)", () => {
    // a = (1, 4), q = (1, −0.5), p = (0.3, 0.2), ε = 0.1, so G(q) = −a∘q = (−1, 2)
    // diag m = (2, 0.5):  p½ = (0.25, 0.3); q' = q + ε m∘p½ = (1.05, −0.485); G' = (−1.05, 1.94)
    //                     p' = p½ + ε/2 G' = (0.1975, 0.397); lp' = −½(1.05² + 4·0.485²) = −1.0217
    // dense Σ = [[2, .3], [.3, .5]]: Σp½ = (0.59, 0.225); q' = (1.059, −0.4775); G' = (−1.059, 1.91)
    //                     p' = (0.19705, 0.3955); lp' = −½(1.121481 + 0.912025) = −1.016753
    const model = quadratic([1, 4]);
    const cases = [
      { m: diagMetric([Float64Array.of(2, 0.5)], 2), q: [1.05, -0.485], p: [0.1975, 0.397], lp: -1.0217 },
      { m: denseMetric([Float64Array.of(2, 0.3, 0.3, 0.5)], 2), q: [1.059, -0.4775], p: [0.19705, 0.3955], lp: -1.016753 },
    ];
    for (const c of cases) {
      const z = point(model, [[1, -0.5]], [[0.3, 0.2]]);
      const z1 = leapfrog(hostGradient(model, z.lp.length), c.m, z, [0.1]);
      c.q.forEach((v, i) => expect(z1.q[i]).toBeCloseTo(v, 6));
      c.p.forEach((v, i) => expect(z1.p[i]).toBeCloseTo(v, 6));
      expect(z1.lp[0]).toBeCloseTo(c.lp, 5);
      // the input point is untouched, and the new position is exactly where lp and G were evaluated
      expect(Array.from(z.p)).toEqual([0.3, 0.2]);
      expect(Array.from(z1.q, Math.fround)).toEqual(Array.from(z1.q));
      expect(Array.from(evaluate(model, z1.q).grad)).toEqual(Array.from(z1.grad));
    }
  });

  it("conserves the energy of a harmonic oscillator to O(ε²), bounded over 1,000 steps", () => {
    // Two chains in one batch, ε = 0.1 and 0.05, from q = 1, p = 1 (H0 = 1). Leapfrog exactly
    // conserves a shadow Hamiltonian of the oscillator, so |H − H0| stays bounded and shrinks
    // with ε² (ratio 4 for halving ε) instead of drifting.
    const model = quadratic([1]);
    const metric = unitMetric("diag", 2, 1);
    const z = point(model, [[1], [1]], [[1], [1]]);
    const h = Float64Array.of(0.1, 0.05);
    const step = integrator(hostGradient(model, 2), metric);
    const maxErr = [0, 0];
    const before = tf.memory().numTensors;
    for (let n = 0; n < 1000; n++) {
      step.step(z, h);
      kinetic(metric, z.p).forEach((k, c) => (maxErr[c] = Math.max(maxErr[c]!, Math.abs(k - z.lp[c]! - 1))));
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(maxErr[0]).toBeLessThan(0.1 ** 2); // bounded: no drift over 1,000 steps (≈ ε²/4 here)
    expect(maxErr[0]).toBeGreaterThan(0.1 ** 2 / 20);
    const ratio = maxErr[0]! / maxErr[1]!;
    expect(ratio).toBeGreaterThan(3.5);
    expect(ratio).toBeLessThan(4.5);
  });

  it("is reversible: L steps with +ε then L steps with −ε return to the start", () => {
    const model = quadratic([1, 3, 0.5]);
    const metric = diagMetric([Float64Array.of(1, 0.5, 2)], 3);
    const start = point(model, [[0.4, -1.2, 2]], [[1, 0.3, -0.7]]);
    let z = start;
    for (const eps of [0.07, -0.07]) {
      for (let n = 0; n < 100; n++) z = leapfrog(hostGradient(model, 1), metric, z, [eps]);
    }
    [0.4, -1.2, 2].forEach((v, i) => expect(z.q[i]).toBeCloseTo(v, 4));
    [1, 0.3, -0.7].forEach((v, i) => expect(z.p[i]).toBeCloseTo(v, 4));
  });
});

describe("metric", () => {
  it("draws momenta with covariance M = Minv⁻¹ and gives K(p) = ½ pᵀMinv p, v = Minv p", () => {
    // Minv = [[2, .6], [.6, .5]], det = 0.64, so M = [[.78125, −.9375], [−.9375, 3.125]]
    const minv = Float64Array.of(2, 0.6, 0.6, 0.5);
    const M = [0.78125, -0.9375, -0.9375, 3.125];
    const n = 20_000;
    const dense = denseMetric(Array.from({ length: n }, () => minv), 2);
    const diag = diagMetric(Array.from({ length: n }, () => Float64Array.of(2, 0.5)), 2);
    const k = key(3);
    for (const [m, want] of [[dense, M], [diag, [0.5, 0, 0, 2]]] as const) {
      const x = drawMomentum(m, Array.from({ length: n }, (_, c) => stream(fold(k, c))));
      const cov = [0, 0, 0, 0];
      for (let c = 0; c < n; c++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) cov[i * 2 + j]! += (x[c * 2 + i]! * x[c * 2 + j]!) / n;
      // sampling sd of a covariance entry ≈ sqrt((M_ii M_jj + M_ij²)/n) ≤ 0.025 here
      cov.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(0.1));
    }
    // kinetic energy and velocity at one point, by hand: p = (1, −2)
    const one = denseMetric([minv], 2);
    const p = Float64Array.of(1, -2);
    expect(Array.from(velocity(one, p))).toEqual([expect.closeTo(0.8, 12), expect.closeTo(-0.4, 12)]);
    expect(kinetic(one, p)[0]).toBeCloseTo(0.5 * (1 * 0.8 + -2 * -0.4), 12);
  });
});
