/**
 * The families the host engine records beyond the elementwise ones (interpreter/record-
 * families.ts): Categorical of data (probabilities and logits, batched and broadcast), the
 * LKJ prior on Cholesky factors of correlation matrices with its support (bijectors.ts's
 * choleskyCorr), and MvNormal with a batch of covariances or factors. Each records (the note
 * says the host engine runs) and its float64 log density and gradient equal the tfjs path's
 * (interpreter/instance.ts) at random unconstrained points to float32 tolerance; the LKJ
 * density also equals closed forms for K = 2 and K = 3 and integrates to 1 for K = 3.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { compileHost } from "../../core/exec/host/compile.js";
import { posteriorModel, type ModelInstance } from "../../interpreter/instance.js";
import { recordInstance } from "../../interpreter/record.js";
import { instance, points, tfjsAt } from "./helpers.js";

/** The compiled host density of an instance, after checking that the engine note says host. */
function hostOf(inst: ModelInstance): (q: Float64Array, grad: Float64Array) => number {
  const notes: string[] = [];
  const model = posteriorModel(inst, { engine: "host", note: (l) => notes.push(l) });
  expect(notes).toEqual(["engine: host (float64, compiled)"]);
  expect(model.hostValueAndGrad).toBeDefined();
  const rec = recordInstance(inst);
  return compileHost(rec.graph, rec.output).valueAndGrad;
}


/** Host (float64) and tfjs (float32) agree at `count` random points, value and gradient. */
function expectSameDensity(inst: ModelInstance, count = 4, r = 1): void {
  const host = hostOf(inst);
  const dim = inst.layout.dim;
  for (const q of points(dim, count, dim * 131 + 5, r)) {
    const grad = new Float64Array(dim);
    const value = host(q, grad);
    const ref = tfjsAt(inst, q);
    expect(Number.isFinite(value)).toBe(true);
    expect(Math.abs(value - ref.value)).toBeLessThan(5e-6 * Math.abs(value) + 1e-4);
    const scale = Math.max(1, ...Array.from(grad, Math.abs));
    for (let i = 0; i < dim; i++) expect(Math.abs(grad[i]! - ref.grad[i]!)).toBeLessThan(2e-5 * scale + 1e-5 * Math.abs(grad[i]!));
  }
}

/** Central finite differences of the host value agree with its gradient. */
function expectGradientMatchesDifferences(host: (q: Float64Array, grad: Float64Array) => number, q: Float64Array): void {
  const grad = new Float64Array(q.length);
  host(q, grad);
  const scratch = new Float64Array(q.length);
  const h = 1e-6;
  for (let i = 0; i < q.length; i++) {
    const up = Float64Array.from(q);
    const down = Float64Array.from(q);
    up[i]! += h;
    down[i]! -= h;
    const fd = (host(up, scratch) - host(down, scratch)) / (2 * h);
    expect(Math.abs(fd - grad[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
  }
}

describe("Categorical of data on the host engine", () => {
  it("Categorical(p) with p a parameter (a simplex) and with p a batch of rows from softmax", () => {
    const src = `model m(y, z, X) {
  th ~ Dirichlet([2, 3, 1.5, 1])
  y ~ Categorical(th)
  b ~ Normal(0, 1, size = 3)
  P = softmax(X * reshape(b, 1, 3), dims = 2)
  z ~ Categorical(P)
}`;
    const data = { y: [1, 2, 2, 4, 3, 1, 2], z: [3, 1, 2, 2], X: [[1, 0.5, -1], [0.3, 2, 0.1], [-1, 0, 1], [0.2, -0.7, 1.5]] };
    expectSameDensity(instance(src, "m", data));
  });

  it("Categorical(logits = η): one vector broadcast over the values, a matrix of rows, one row broadcast over the values", () => {
    const src = `model m(y, z, w, X) {
  a ~ Normal(0, 2, size = 3)
  y ~ Categorical(logits = a)
  B ~ Normal(0, 1, size = (2, 3))
  z ~ Categorical(logits = X @ B)
  w ~ Categorical(logits = reshape(a, 1, 3) + B[1:1, :])
}`;
    const data = { y: [1, 3, 3, 2, 1], z: [2, 3, 1, 1], w: [2, 3, 1, 1], X: [[1, 0.5], [0.3, 2], [-1, 0], [0.2, -0.7]] };
    expectSameDensity(instance(src, "m", data));
  });

  it("equals log softmax at the observed classes, summed (a direct float64 reference)", () => {
    const src = `model m(y) {
  a ~ Normal(0, 1, size = 3)
  y ~ Categorical(logits = a)
}`;
    const y = [1, 3, 3, 2];
    const inst = instance(src, "m", { y });
    const host = hostOf(inst);
    for (const q of points(3, 3, 11, 2)) {
      const lse = Math.log(q.reduce((s, v) => s + Math.exp(v), 0));
      const prior = q.reduce((s, v) => s - 0.5 * v * v - 0.5 * Math.log(2 * Math.PI), 0);
      const expected = prior + y.reduce((s, k) => s + q[k - 1]! - lse, 0);
      const grad = new Float64Array(3);
      expect(host(q, grad)).toBeCloseTo(expected, 12);
      // d/da_j = count_j − n softmax_j − a_j
      for (let j = 0; j < 3; j++) {
        const count = y.filter((k) => k === j + 1).length;
        expect(grad[j]).toBeCloseTo(count - y.length * Math.exp(q[j]! - lse) - q[j]!, 12);
      }
    }
  });

  it("a Categorical latent is still refused (discrete latents are out of scope)", () => {
    const inst = instance("model m(y) {\n  k ~ Categorical([0.2, 0.8])\n  y ~ Normal(k, 1)\n}", "m", { y: 1 });
    expect(() => posteriorModel(inst, { engine: "host" })).toThrow(/discrete/);
  });
});

describe("LKJCholesky and the correlation-Cholesky support on the host engine", () => {
  it("a 4 × 4 factor under a fixed η and a 3 × 3 under a parameter η, with tfjs's value and gradient", () => {
    const src = `model m(Y) {
  L ~ LKJCholesky(4, 2.0)
  eta ~ Gamma(2, 1)
  L3 ~ LKJCholesky(3, eta)
  s ~ HalfNormal(1, size = 3)
  Y ~ MvNormal(zeros(3), cholesky = diag(s) @ L3)
  factor(sum(L * [[1, 0, 0, 0], [0.5, 1, 0, 0], [0.2, -0.3, 1, 0], [1, 2, 3, 4]]))
}`;
    const Y = [[0.2, -0.1, 0.4], [1, 0.5, -0.3], [-0.6, 0.1, 0.9]];
    expectSameDensity(instance(src, "m", { Y }), 5, 1.5);
  });

  it("K = 2: the density of r = L₂₁ is the scaled Beta(η, η) (closed form), its gradient −2η·tanh(y)", () => {
    // LKJ(2, η): r = 2u − 1 with u ~ Beta(η, η); on y = atanh(r), log p(y) = log Beta((r+1)/2) − log 2 + log(1 − r²)
    const logBeta: Readonly<Record<number, number>> = { 1: 0, 1.5: Math.log(Math.PI / 8), 2: Math.log(1 / 6), 3: Math.log(1 / 30) };
    for (const eta of [1, 1.5, 2, 3]) {
      const host = hostOf(instance(`model m() {\n  L ~ LKJCholesky(2, ${eta})\n}`, "m", {}));
      for (const y of [-2.5, -0.7, 0, 0.3, 1.9]) {
        const r = Math.tanh(y);
        const u = (r + 1) / 2;
        const expected = (eta - 1) * Math.log(u) + (eta - 1) * Math.log(1 - u) - logBeta[eta]! - Math.LN2 + Math.log(1 - r * r);
        const grad = new Float64Array(1);
        expect(host(Float64Array.of(y), grad)).toBeCloseTo(expected, 11);
        expect(grad[0]).toBeCloseTo(-2 * eta * r, 11);
      }
    }
  });

  it("K = 3, η = 1: uniform on correlation matrices (volume π²/2), log p(L) = log L₂₂ − log(π²/2), with the transform's Jacobian", () => {
    const inst = instance("model m() {\n  L ~ LKJCholesky(3, 1)\n}", "m", {});
    const host = hostOf(inst);
    for (const q of points(3, 6, 97, 2)) {
      const [c1, c2, c3] = Array.from(q, Math.tanh) as [number, number, number];
      // L₂₁ = c₁, L₃₁ = c₂, L₃₂ = c₃·sqrt(1 − c₂²): |∂L/∂y| = (1 − c₁²)(1 − c₂²)^{3/2}(1 − c₃²); L₂₂ = sqrt(1 − c₁²)
      const expected = 0.5 * Math.log(1 - c1 * c1) - Math.log(Math.PI ** 2 / 2) + Math.log(1 - c1 * c1) + 1.5 * Math.log(1 - c2 * c2) + Math.log(1 - c3 * c3);
      expect(host(q, new Float64Array(3))).toBeCloseTo(expected, 11);
      expectGradientMatchesDifferences(host, q);
    }
  });

  it("K = 3, η = 2.5: the recorded density on the free values integrates to 1 (Gauss–Legendre over c = tanh y)", () => {
    const host = hostOf(instance("model m() {\n  L ~ LKJCholesky(3, 2.5)\n}", "m", {}));
    const { nodes, weights } = gaussLegendre(48);
    const grad = new Float64Array(3);
    const q = new Float64Array(3);
    let total = 0;
    for (let a = 0; a < nodes.length; a++) for (let b = 0; b < nodes.length; b++) for (let c = 0; c < nodes.length; c++) {
      const cs = [nodes[a]!, nodes[b]!, nodes[c]!];
      cs.forEach((v, i) => (q[i] = Math.atanh(v)));
      // dy = dc / (1 − c²)
      const jac = cs.reduce((p, v) => p * (1 - v * v), 1);
      total += weights[a]! * weights[b]! * weights[c]! * Math.exp(host(q, grad)) / jac;
    }
    expect(total).toBeCloseTo(1, 5);
  });

  it("K = 5 farther from the origin: tfjs's value, and a gradient equal to finite differences", () => {
    const src = "model m() {\n  L ~ LKJCholesky(5, 1.5)\n}";
    const inst = instance(src, "m", {});
    const rec = recordInstance(inst);
    const { valueAndGrad: host } = compileHost(rec.graph, rec.output);
    for (const q of points(10, 3, 5, 3)) {
      const ref = tfjsAt(inst, q);
      const grad = new Float64Array(10);
      expect(Math.abs(host(q, grad) - ref.value)).toBeLessThan(5e-6 * Math.abs(ref.value) + 1e-4);
      expectGradientMatchesDifferences(host, q);
    }
  });
});

describe("MvNormal with a batch of covariances on the host engine", () => {
  it("Σ [2, 3, 3] and factors [2, 3, 3] from parameters, observed rows broadcast over a leading axis, and a latent", () => {
    const src = `model m(Y, Z) {
  s ~ HalfNormal(1, size = 2)
  rho ~ Gamma(5, 5)
  mu ~ Normal(0, 1, size = 3)
  x = [0.0, 1.0, 2.5]
  R = exp(-0.5 * square(reshape(x, 3, 1) - reshape(x, 1, 3)) / square(rho))
  S = stack(square(s[1]) * R + 0.3 * eye(3), square(s[2]) * R + 0.5 * eye(3))
  Y ~ MvNormal(mu, S)
  Lb = stack(cholesky(S[1, :, :]), 2 * cholesky(S[2, :, :]))
  Z ~ MvNormal(mu, cholesky = Lb)
  w ~ MvNormal(zeros(3), S)
}`;
    const Y = [[0.2, -0.1, 0.4], [1, 0.5, -0.3]];
    const Z = [[[0.2, -0.1, 0.4], [1, 0.5, -0.3]], [[-0.4, 0.3, 0.1], [0.7, 0.2, -1.1]], [[0, 0, 0.5], [0.3, -0.2, 0.6]]];
    expectSameDensity(instance(src, "m", { Y, Z: tf.tensor(Z) }));
  });

  it("equals the sum of the rows' unbatched densities", () => {
    const batched = `model m(Y) {
  s ~ HalfNormal(1, size = 2)
  S = stack(square(s[1]) * [[1, 0.3], [0.3, 1]], square(s[2]) * [[2, -0.5], [-0.5, 1]])
  Y ~ MvNormal([0.1, -0.2], S)
}`;
    const split = `model m(Y) {
  s ~ HalfNormal(1, size = 2)
  Y[1, :] ~ MvNormal([0.1, -0.2], square(s[1]) * [[1, 0.3], [0.3, 1]])
  Y[2, :] ~ MvNormal([0.1, -0.2], square(s[2]) * [[2, -0.5], [-0.5, 1]])
}`;
    const Y = [[0.5, 1.2], [-0.3, 0.4]];
    const a = hostOf(instance(batched, "m", { Y }));
    const b = hostOf(instance(split, "m", { Y }));
    for (const q of points(2, 4, 3)) {
      const ga = new Float64Array(2);
      const gb = new Float64Array(2);
      expect(a(q, ga)).toBeCloseTo(b(q, gb), 12);
      for (let i = 0; i < 2; i++) expect(ga[i]).toBeCloseTo(gb[i]!, 12);
    }
  });
});

/** Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_n from the Chebyshev guesses). */
function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    nodes.push(x);
    weights.push(2 / ((1 - x * x) * dp * dp));
  }
  return { nodes, weights };
}
