import { it } from "vitest";
import { tf } from "../../core/engine.js";
import { compile, modelInstance } from "../../interpreter/program.js";
import { logDensityOf, outputNamesOf } from "../../interpreter/instance.js";
import { expect } from "vitest";
/**
 * Models from docs/language.md and the wrappers (Mixture, truncated, ordered, Flat,
 * parameter-dependent bounds): each instantiates with the expected dimension and has a finite
 * log density at random unconstrained points for 3 chains at once.
 */
const cases: [string, string, Record<string, number[] | number[][]>, number][] = [
  [`network mlp(nin, nhidden, nout) = Chain(Dense(nin => nhidden, tanh), Dense(nhidden => nout))
model bnn(x, y; nhidden = 16) {
  s ~ HalfNormal(1)
  net = mlp(ncols(x), nhidden, 3)
  params(net) ~ Normal(0, s)
  y ~ Categorical(logits = net(x))
}`, "bnn", { x: [[1, 2], [3, 4], [0, 1]], y: [1, 3, 2] }, 100],
  [`model eight_schools(y, sigma; J = 8) {
  mu    ~ Normal(0, 5)
  tau   ~ HalfCauchy(5)
  theta ~ Normal(mu, tau, size = J)
  for j in 1:J {
    y[j] ~ Normal(theta[j], sigma[j])
  }
}`, "eight_schools", { y: [28, 8, -3, 7, -1, 1, 18, 12], sigma: [15, 10, 16, 11, 9, 11, 10, 18] }, 10],
  [`model regression(x, y) {
  w ~ Normal(0, 1, size = ncols(x))
  s ~ HalfNormal(1)
  for i in 1:nrows(x) {
    y[i] ~ Normal(x[i, :] @ w, s)
  }
  factor(-0.5 * sum(w^2))
}`, "regression", { x: [[1, 2], [3, 4], [0, 1]], y: [1, 3, 2] }, 3],
  [`model coin(flips) {
  p ~ Beta(1, 1)
  flips ~ Bernoulli(p)
}`, "coin", { flips: [1, 0, 1, 1] }, 1],
  [`model mix(y) {
  w ~ Dirichlet([1.0, 1.0])
  m1 ~ Normal(0, 5)
  m2 ~ Normal(0, 5)
  y ~ Mixture(w, [Normal(m1, 1), Normal(m2, 1)])
}`, "mix", { y: [1, 2, -3, 4] }, 3],
  [`model tr(y) {
  mu ~ Normal(0, 1)
  y ~ truncated(Normal(mu, 1), 0, Inf)
}`, "tr", { y: [1, 2, 0.5] }, 1],
  [`model ord(y) {
  c ~ ordered(Normal(0, 3, size = 3))
  factor(sum(c))
}`, "ord", {}, 3],
  [`model u(y) {
  theta ~ Uniform(0, 10)
  y ~ Uniform(0, theta)
}`, "u", { y: [1, 2, 3] }, 1],
  [`model st(y) {
  nu ~ Gamma(2, 0.1)
  y ~ StudentT(nu, 0, 1)
  z ~ Flat()
  factor(-z^2)
}`, "st", { y: [1, 2, 3] }, 2],
];
it.each(cases)("model %#", (src, name, data, dim) => {
  const inst = modelInstance(compile(src, "s.dlm"), name, data);
  expect(inst.layout.dim).toBe(dim);
  expect(outputNamesOf(inst).length).toBeGreaterThanOrEqual(dim);
  const lp = tf.tidy(() => Array.from(logDensityOf(inst, tf.mul(0.5, tf.randomNormal([3, dim], 0, 1, "float32", 7)) as tf.Tensor2D).dataSync()));
  lp.forEach((v) => expect(Number.isFinite(v)).toBe(true));
});
