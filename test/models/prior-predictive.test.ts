import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { key } from "../../core/random.js";
import { compile, modelInstance } from "../../interpreter/program.js";
import { disposeSimulated, mixtureMoments, priorPredictive } from "../../interpreter/simulate.js";

const N = 20000;

function moments(t: tf.Tensor): { mean: number; variance: number } {
  const x = t.dataSync();
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  return { mean: m, variance: s / (x.length - 1) };
}

describe("prior predictive", () => {
  it("normal-normal: mu ~ N(1, 2²), y | mu ~ N(mu, 0.5²) gives y ~ N(1, 4.25)", () => {
    const prog = compile(`model nn(y) {\n  mu ~ Normal(1, 2)\n  y ~ Normal(mu, 0.5)\n}`);
    const inst = modelInstance(prog, "nn", { y: [0.3, 1.4, 0.9] });
    const sims = priorPredictive(inst, N, key(11));
    const mu = moments(sims.get("mu")!.draws);
    const y = moments(tf.tidy(() => tf.slice(sims.get("y")!.draws, [0, 0], [N, 1])));
    // Standard errors: sqrt(4.25 / 2e4) ≈ 0.015 for the mean, 4.25·sqrt(2 / 2e4) ≈ 0.043 for the variance.
    expect(mu.mean).toBeCloseTo(1, 1);
    expect(Math.abs(mu.variance - 4)).toBeLessThan(0.2);
    expect(Math.abs(y.mean - 1)).toBeLessThan(0.07);
    expect(Math.abs(y.variance - 4.25)).toBeLessThan(0.2);
    // The exact mixture moments from the per-draw distributions agree with the analytic ones.
    const exact = mixtureMoments(sims.get("y")!);
    expect(Math.abs(exact.mean.dataSync()[0]! - 1)).toBeLessThan(0.07);
    expect(Math.abs(exact.variance.dataSync()[0]! - 4.25)).toBeLessThan(0.2);
    exact.mean.dispose();
    exact.variance.dispose();
    disposeSimulated(sims);
  });

  it("gamma-Poisson: λ ~ Gamma(3, 2), y | λ ~ Poisson(λ) gives E y = 1.5, Var y = 1.5 + 0.75", () => {
    const prog = compile(`model gp(y) {\n  lambda ~ Gamma(3, 2)\n  y ~ Poisson(lambda)\n}`);
    const inst = modelInstance(prog, "gp", { y: [1, 0, 2, 4] });
    const sims = priorPredictive(inst, N, key(5));
    const lam = moments(sims.get("lambda")!.draws);
    const y = moments(tf.tidy(() => tf.slice(sims.get("y")!.draws, [0, 2], [N, 1])));
    expect(Math.abs(lam.mean - 1.5)).toBeLessThan(0.03); // sd(λ) = 0.866, SE 0.006
    expect(Math.abs(lam.variance - 0.75)).toBeLessThan(0.05);
    expect(Math.abs(y.mean - 1.5)).toBeLessThan(0.05); // SE 0.011
    expect(Math.abs(y.variance - 2.25)).toBeLessThan(0.15);
    disposeSimulated(sims);
  });

  it("linear regression: y_i = alpha + x_i beta + e has prior variance 10² + |x_i|²·10² + E σ²", () => {
    const prog = compile(`model lr(x, y) {
  alpha ~ Normal(0, 10)
  beta ~ Normal(0, 10, size = ncols(x))
  sigma ~ HalfNormal(5)
  y ~ Normal(alpha + x @ beta, sigma)
}`);
    const x = [[1, 0.5], [-1, 2]];
    const inst = modelInstance(prog, "lr", { x, y: [0, 0] });
    const sims = priorPredictive(inst, N, key(3));
    const y2 = moments(tf.tidy(() => tf.slice(sims.get("y")!.draws, [0, 1], [N, 1])));
    // Var = 100 + (1 + 4)·100 + E σ² (= 25 for HalfNormal(5)) = 625; SE of the variance ≈ 625·0.01.
    expect(Math.abs(y2.mean)).toBeLessThan(0.6);
    expect(Math.abs(y2.variance - 625) / 625).toBeLessThan(0.05);
    disposeSimulated(sims);
  });
});
