/**
 * The host engine (interpreter/record.ts → core/exec/host/) against the tfjs path it replaces:
 * at random unconstrained points the compiled float64 log density and gradient must equal
 * interpreter/instance.ts's (float32) to float32 tolerance, for every posteriordb translation
 * that records; the recorded likelihood alone must change between points as the Stan
 * program's does (test/posteriordb/stan-likelihoods.ts); models outside the recorded set fall
 * back to tfjs with a note saying why.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { compileHost } from "../../core/exec/host/compile.js";
import { compileTfjs } from "../../core/exec/tfjs/execute.js";
import { outputNamesOf, outputsOf, posteriorModel } from "../../interpreter/instance.js";
import type { DataValue } from "../../interpreter/program.js";
import { recordInstance } from "../../interpreter/record.js";
import { dataAvailable, instantiatePosterior, loadPosterior, posteriorNames } from "../../bench/posteriordb/posteriors.js";
import { FLOAT32_STAN_LIKELIHOODS, STAN_LIKELIHOODS } from "../posteriordb/stan-likelihoods.js";
import { expectSameDensity, instance, points } from "./helpers.js";

/**
 * posteriordb translations that do not record, each with the reason its fallback note must
 * give; every other translation must record.
 */
const NOT_RECORDED: ReadonlyMap<string, RegExp> = new Map();
const records = (name: string): boolean => !NOT_RECORDED.has(name);

describe.skipIf(!dataAvailable())("host engine on the posteriordb translations", () => {
  it("all 20 translations are checked below, each against its Stan program's likelihood too; the exceptions listed are among them", () => {
    expect(posteriorNames()).toHaveLength(20);
    expect(Object.keys(STAN_LIKELIHOODS).sort()).toEqual(posteriorNames());
    for (const name of NOT_RECORDED.keys()) expect(posteriorNames()).toContain(name);
  });

  it.each(dataAvailable() ? posteriorNames() : [])("%s: records as expected; value and gradient equal the tfjs path's", (name) => {
    const inst = instantiatePosterior(loadPosterior(name));
    const notes: string[] = [];
    const model = posteriorModel(inst, { engine: "auto", note: (l) => notes.push(l) });
    expect(model.hostValueAndGrad !== undefined).toBe(records(name));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(records(name) ? /^engine: host/ : /^engine: tfjs \(cannot record: /);
    if (records(name)) expectSameDensity(inst);
    else expect(notes[0]).toMatch(NOT_RECORDED.get(name)!);
  });

  // on both executors of the recorded graph; the tfjs executor (float32) scores a translation's
  // float32 variant where it has one, against that variant's transcription
  it.each(Object.keys(STAN_LIKELIHOODS).filter(records).flatMap((n) => [[n, "host"], [n, "tfjs"]] as const))("%s: the recorded likelihood changes between points as the Stan program's (%s executor)", (name, executor) => {
    const p = loadPosterior(name, executor);
    const inst = instantiatePosterior(p);
    const rec = recordInstance(inst, { likelihoodOnly: true });
    const qs = points(inst.layout.dim, 4, name.length * 7919 + 17);
    const q = tf.tensor2d(qs.map((x) => Array.from(x)));
    let ours: number[];
    if (executor === "host") {
      const { valueAndGrad: host } = compileHost(rec.graph, rec.output);
      const scratch = new Float64Array(inst.layout.dim);
      ours = qs.map((x) => host(x, scratch));
    } else {
      const run = compileTfjs(rec.graph, rec.output);
      ours = tf.tidy(() => Array.from(run(q).dataSync()));
    }
    const names = outputNamesOf(inst);
    const rows = tf.tidy(() => outputsOf(inst, q));
    q.dispose();
    const likelihood = executor === "tfjs" ? FLOAT32_STAN_LIKELIHOODS[name] ?? STAN_LIKELIHOODS[name]! : STAN_LIKELIHOODS[name]!;
    const reference = rows.map((row) => {
      const byName = new Map(names.map((n, j) => [n, row[j]!]));
      return likelihood((n) => byName.get(n)!, p.data);
    });
    for (let i = 1; i < qs.length; i++) {
      const tol = 3e-6 * (Math.abs(reference[i]!) + Math.abs(reference[0]!)) + 2e-3;
      expect(Math.abs(ours[i]! - ours[0]! - (reference[i]! - reference[0]!))).toBeLessThan(tol);
    }
  });
});

describe("host engine on written models", () => {
  it("every recorded family and support as a latent, with tfjs's value and gradient", () => {
    const src = `model m(y, k, k2, k3, k4, b, b2, kn) {
  a ~ Normal(0, 2)
  s ~ HalfNormal(1.5)
  c ~ HalfCauchy(2)
  t ~ StudentT(4, a, s)
  h ~ HalfStudentT(3, 2)
  e ~ Exponential(1.5)
  g ~ Gamma(2, 3)
  ig ~ InverseGamma(3, 2)
  p ~ Beta(2, 3)
  u ~ Uniform(-1, 3)
  ln ~ LogNormal(0.5, s)
  cy ~ Cauchy(a, 1)
  l ~ Laplace(a, 2)
  lg ~ Logistic(0, s)
  fl ~ Flat(size = 2)
  fp ~ FlatPos()
  wb ~ Weibull(1.5, 2)
  y ~ Normal(a + fl[1] * fl[2], s * exp(c) + e)
  kn ~ NegativeBinomial(g + wb, 2.5 + e)
  k ~ Poisson(log_rate = a + log(g))
  k2 ~ Poisson(g + ig)
  b ~ Bernoulli(p)
  b2 ~ Bernoulli(logit = t * u)
  k3 ~ Binomial(9, logit = lg - ln)
  k4 ~ Binomial(9, p)
  factor(-square(fp - 1) + log1p(h) - softplus(cy) + lgamma(1 + l^2))
}`;
    expectSameDensity(instance(src, "m", { y: [0.5, -1.2, 2.0], k: [0, 3, 7], k2: [1, 4, 2], k3: [9, 0, 5], k4: [2, 2, 8], b: [1, 0, 1], b2: [0, 0, 1], kn: [0, 3, 11] }), 4);
  });

  it("vector supports (simplex, ordered, positive ordered) and reductions over axes", () => {
    const src = `model m(y, M) {
  th ~ Dirichlet([2, 3, 1.5])
  o ~ ordered(Normal(0, 2, size = 3))
  po ~ ordered(FlatPos(size = 2))
  w ~ Normal(0, 1, size = 3)
  y ~ Normal(o + th * 2 + sum(po), 1.5)
  factor(-0.5 * sum(square(po - [1, 2])))
  factor(sum(logsumexp(M * reshape(w, 1, 3), dims = 2)) - logsumexp(w) + sum(sum(M * reshape(w, 1, 3), dims = 1)))
}`;
    expectSameDensity(instance(src, "m", { y: [0.2, 1.1, -0.4], M: [[1, 0.5, -1], [0.3, 2, 0.1]] }), 4);
  });

  it("linear algebra, MvNormal and the along-axis, shaping and elementwise builtins, with tfjs's value and gradient", () => {
    const src = `model m(y, X, Y, Y2) {
  a ~ Normal(0, 1, size = 3)
  s ~ HalfNormal(1)
  rho ~ Gamma(5, 5)
  K = square(s) * exp(-0.5 * square(reshape(a, 3, 1) - reshape(a, 1, 3)) / square(rho)) + 0.5 * eye(3)
  L = cholesky(K)
  y ~ Normal(L @ a + solve(K, a), 1)
  factor(-0.5 * logdet(K))
  Y ~ MvNormal(a, K)
  Y2 ~ MvNormal(zeros(3), cholesky = L)
  w ~ MvNormal(a, K)
  M = reshape(a, 1, 3) * X
  factor(sum(cumsum(a) * [1, 2, 3]) + sum(cumsum(M, dims = 2)) + sum(softmax(a) * [1, -1, 2]) + sum(logsoftmax(M, dims = 1) * X))
  factor(mean(M) + sum(mean(M, dims = 1)) + var(a) + sd(M) + sum(std(M, dims = 2) * [1, 2]))
  factor(dot(a, [1, 2, 3]) + sum(outer(a, [1, 2]) * [[1, 0], [0, 1], [1, 1]]) + sum(transpose(M) * [[1, 2], [3, 4], [5, 6]]) + sum(diag(a) * eye(3)) + sum(diag(K) * [1, 2, 3]))
  factor(sum(hcat(a, [1, 2, 3]) * [[1, 2], [3, 4], [5, 6]]) + sum(stack(a, 2 * a) * [[1, 2, 3], [4, 5, 6]]))
  factor(sum(sin(a) + cos(2 * a) + relu(a) + elu(a) + swish(a) + gelu(a) + identity(a)) + 0.5 * logit(sigmoid(s)))
}`;
    expectSameDensity(instance(src, "m", { y: [0.3, -0.5, 1.2], X: [[1, 0.5, -1], [0.3, 2, 0.1]], Y: [[0.2, -0.1, 0.4], [1, 0.5, -0.3]], Y2: [0.4, 0.1, -0.6] }), 4);
  });

  it("mixtures of elementwise families, observed and latent", () => {
    const src = `model m(y, k) {
  p ~ Beta(2, 2)
  mu ~ Normal(0, 1, size = 2)
  s ~ HalfNormal(1)
  z ~ Mixture([0.3, 0.7], [Normal(-1, 1), Normal(2, 0.5)])
  y ~ Mixture([p, 1 - p], [Normal(mu[1], s), StudentT(4, mu[2] + z, 2)])
  k ~ Mixture([p, 1 - p], [Poisson(log_rate = mu[1]), Poisson(3)])
}`;
    expectSameDensity(instance(src, "m", { y: [0.2, 1.1, -0.4, 2.5], k: [0, 2, 5, 1] }), 4);
  });

  it("loops and ifs on data, index assignment, user functions, matrix products, gathers", () => {
    const src = `fn lin(a, b, x) = a + b * x
model ar(T, y, X, g, flag) {
  c ~ Normal(0, 1)
  phi ~ Uniform(-1, 1)
  sigma ~ HalfNormal(1)
  w ~ Normal(0, 1, size = 2)
  z ~ Normal(0, 1, size = 3)
  mu = zeros(T)
  for t in 2:T {
    mu[t] = lin(c, phi, y[t - 1])
    if flag == 1 {
      y[t] ~ Normal(mu[t], sigma)
    }
  }
  y ~ Normal(X @ w + z[g], 3)
  v = [c, phi, sigma]
  factor(-sum(square(reshape(v, 3, 1) - 0.5)))
}`;
    const data = { T: 5, y: [0.1, 0.5, -0.3, 0.8, 0.2], X: [[1, 0.5], [1, -0.2], [1, 1.5], [1, 0.3], [1, -1]], g: [1, 2, 3, 1, 2], flag: 1 };
    expectSameDensity(instance(src, "ar", data), 4);
  });

  it("an AR(1) as a loop, as a mean vector built in a loop and in slice form records to one vector density", () => {
    const T = 30;
    const y = Array.from({ length: T }, (_, t) => Math.sin(t * 1.7) + 0.1 * t);
    const head = "model ar1(T, y) {\n  c ~ Normal(0, 1)\n  phi ~ Uniform(-1, 1)\n  sigma ~ HalfNormal(1)\n";
    const forms = [
      `${head}  for t in 2:T {\n    y[t] ~ Normal(c + phi * y[t - 1], sigma)\n  }\n}`,
      `${head}  mu = zeros(T)\n  for t in 2:T {\n    mu[t] = c + phi * y[t - 1]\n  }\n  y[2:T] ~ Normal(mu[2:T], sigma)\n}`,
      `${head}  y[2:T] ~ Normal(c + phi * y[1:T-1], sigma)\n}`,
    ];
    const q = Float64Array.from([0.3, -0.4, 0.2]);
    const results = forms.map((src) => {
      const inst = instance(src, "ar1", { T, y });
      expectSameDensity(inst, 2);
      const rec = recordInstance(inst);
      const { valueAndGrad: host, source } = compileHost(rec.graph, rec.output);
      const grad = new Float64Array(3);
      return { value: host(q, grad), grad, size: source.length };
    });
    for (const r of results.slice(0, 2)) {
      expect(r.value).toBeCloseTo(results[2]!.value, 10);
      for (let i = 0; i < 3; i++) expect(r.grad[i]).toBeCloseTo(results[2]!.grad[i]!, 10);
      // vectorised, not T − 1 copies of straight-line code
      expect(r.size).toBeLessThan(1.2 * results[2]!.size);
    }
  });

  it("truncated distributions of data as latents (half line, interval, one bound each) and of observed data, with tfjs's value and gradient", () => {
    const src = `model m(y) {
  s ~ truncated(Normal(0, 5), 0, Inf)
  a ~ truncated(Normal(1, 2), -0.5, 3)
  b ~ truncated(Laplace(0, 1), 2)
  c ~ truncated(Normal(0, 1), hi = -1)
  y ~ truncated(Normal(1, 1), -1, 4)
}`;
    const inst = instance(src, "m", { y: [0.5, 1.5, 3.9] });
    expect(posteriorModel(inst, { engine: "host" }).hostValueAndGrad).toBeDefined();
    expectSameDensity(inst);
  });

  it("truncated Normals of parameters (log Z from the IR's log Φ): observed data on a half line and in an interval, a regression's mean vector, a latent", () => {
    const src = `model m(x, y, z) {
  mu ~ Normal(0, 2)
  s ~ HalfNormal(1)
  b ~ Normal(0, 1)
  y ~ truncated(Normal(mu, s), 0, Inf)
  z ~ truncated(Normal(mu + b * x, s), -1, 2.5)
  t ~ truncated(Normal(mu, 0.5), hi = 3)
  u ~ truncated(Normal(b, s), 3, 4)
}`;
    const inst = instance(src, "m", { x: [0.2, -0.4, 1.1, 0.6], y: [0.3, 1.2, 2.5], z: [-0.5, 0.3, 2.2, 1.0] });
    const notes: string[] = [];
    expect(posteriorModel(inst, { engine: "host", note: (l) => notes.push(l) }).hostValueAndGrad).toBeDefined();
    expect(notes).toEqual(["engine: host (float64, compiled)"]);
    expectSameDensity(inst, 4);
  });

  it("fill of a latent over data sizes (a scale matrix from one scale), with tfjs's value and gradient", () => {
    const src = "model m(y) {\n  s ~ HalfNormal(1)\n  L ~ LKJCholesky(3, 2.0)\n  y ~ MvNormal(zeros(3), cholesky = diag(fill(s, 3)) @ L)\n}";
    const inst = instance(src, "m", { y: [[0.5, -0.2, 1.0], [0.1, 0.3, -0.4]] });
    const notes: string[] = [];
    expect(posteriorModel(inst, { engine: "host", note: (l) => notes.push(l) }).hostValueAndGrad).toBeDefined();
    expect(notes).toEqual(["engine: host (float64, compiled)"]);
    expectSameDensity(inst);
  });

  it("falls back to tfjs with a one-line reason outside the recorded set", () => {
    const cases: [string, string, Record<string, DataValue>, RegExp][] = [
      ["model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu % 2, 1)\n}", "m", { y: 1 }, /`%` on a value that depends on parameters/],
      ["model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ truncated(Laplace(mu, 1), 0, Inf)\n}", "m", { y: [1, 2] }, /`truncated` of a distribution other than Normal, or of bounds, that depend on parameters \(its normaliser needs a CDF/],
      ["model m(x, y) {\n  net = Chain(Dense(1 => 2, tanh), BatchNorm(2), Dense(2 => 1))\n  params(net) ~ Normal(0, 1)\n  y ~ Normal(net(x)[:, 1], 1)\n}", "m", { x: [[1], [2]], y: [0, 1] }, /the layer BatchNorm\(2\) is not in the recorded set yet/],
    ];
    for (const [src, name, data, why] of cases) {
      const notes: string[] = [];
      const model = posteriorModel(instance(src, name, data), { engine: "host", note: (l) => notes.push(l) });
      expect(model.hostValueAndGrad).toBeUndefined();
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(/^engine: tfjs \(cannot record: /);
      expect(notes[0]).toMatch(why);
    }
  });
});
