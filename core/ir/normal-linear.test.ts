/**
 * The regression likelihood by sufficient statistics (normal-linear.ts) against the same
 * likelihood written out: Σₙ log Normal(yₙ | a + xₙ·b, σ) as a direct float64 loop, and the
 * gradient against the direct IR form (matmul then the fused normal density) compiled by the
 * host executor.
 */
import { describe, expect, it } from "vitest";
import { compileHost } from "../exec/host/compile.js";
import { Graph } from "./graph.js";
import { linearLikelihood } from "./normal-linear.js";

const N = 40;
const K = 3;
// far from centred data with a good fit: the case where the sums of squares cancel most
const X = Array.from({ length: N * K }, (_, i) => 50 + 10 * Math.sin(1.3 * i + 0.2 * (i % K)));
const beta = [0.7, -1.1, 0.4];
const Y = Array.from({ length: N }, (_, n) => 3 + beta.reduce((s, b, j) => s + b * X[n * K + j]!, 0) + 0.05 * Math.cos(7 * n));

/** θ = [b (K), a, log σ]. */
function build(rewrite: boolean, withIntercept = true): { g: Graph; out: number } {
  const g = new Graph();
  const b = g.param(0, [K]);
  const a = g.param(K, []);
  const sigma = g.unary("exp", g.param(K + 1, []));
  const xb = g.matmul(g.constant(X, [N, K]), b);
  const mu = withIntercept ? g.binary("add", a, xb) : xb;
  const y = g.constant(Y, [N]);
  const out = rewrite ? linearLikelihood(g, "normal", y, [mu, sigma]) : g.lpdf("normal", [y, mu, sigma]);
  if (out === undefined) throw new Error("the rewrite did not apply");
  return { g, out };
}

function direct(theta: readonly number[], withIntercept = true): number {
  const s = Math.exp(theta[K + 1]!);
  let lp = 0;
  for (let n = 0; n < N; n++) {
    let mu = withIntercept ? theta[K]! : 0;
    for (let j = 0; j < K; j++) mu += X[n * K + j]! * theta[j]!;
    lp += -0.5 * ((Y[n]! - mu) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
  }
  return lp;
}

describe("a linear regression's normal likelihood by sufficient statistics", () => {
  it.each([true, false])("value as the direct sum, gradient as the direct IR form's (intercept: %s)", (withIntercept) => {
    const fast = compileHost(build(true, withIntercept).g, build(true, withIntercept).out);
    const slow = build(false, withIntercept);
    const reference = compileHost(slow.g, slow.out);
    // near the fit (where the terms cancel most) and away from it
    for (const theta of [[0.7, -1.1, 0.4, 3, Math.log(0.05)], [0.69, -1.08, 0.41, 2.5, Math.log(0.3)], [0.2, 0.3, -0.5, -1, 0.7]]) {
      const [gf, gs] = [new Float64Array(K + 2), new Float64Array(K + 2)];
      const v = fast.valueAndGrad(theta, gf);
      expect(Math.abs(v - direct(theta, withIntercept))).toBeLessThan(1e-9 * Math.abs(v) + 1e-9);
      expect(Math.abs(v - reference.valueAndGrad(theta, gs))).toBeLessThan(1e-9 * Math.abs(v) + 1e-9);
      for (let i = 0; i < K + 2; i++) expect(Math.abs(gf[i]! - gs[i]!)).toBeLessThan(1e-8 * (1 + Math.abs(gs[i]!)));
    }
  });

  it("an elementwise affine mean under LogNormal (b₁ + b₂ h + b₃ m + b₄ h m): value as the direct sum, gradient as the direct form's", () => {
    const h = Array.from({ length: N }, (_, i) => 60 + 10 * Math.sin(i));
    const m = Array.from({ length: N }, (_, i) => i % 2);
    const earn = Array.from({ length: N }, (_, i) => Math.exp(9 + 0.01 * h[i]! + 0.3 * m[i]! + 0.4 * Math.cos(3 * i)));
    const make = (rewrite: boolean): { g: Graph; out: number } => {
      const g = new Graph();
      const b = g.param(0, [4]);
      const at = (j: number): number => g.take(b, Int32Array.of(j), []);
      const [hc, mc] = [g.constant(h, [N]), g.constant(m, [N])];
      // b[1] + b[2] * h + b[3] * m + b[4] * h * m, as the recorder builds it; b[2] read twice
      const mu = g.binary("add", g.binary("add", g.binary("add", at(0), g.binary("mul", at(1), hc)), g.binary("mul", at(2), mc)),
        g.binary("sub", g.binary("mul", g.binary("mul", at(3), hc), mc), g.binary("mul", g.binary("div", at(1), g.scalar(2)), g.unary("neg", hc))));
      const sigma = g.unary("exp", g.param(4, []));
      const y = g.constant(earn, [N]);
      const out = rewrite ? linearLikelihood(g, "logNormal", y, [mu, sigma]) : g.lpdf("logNormal", [y, mu, sigma]);
      if (out === undefined) throw new Error("the rewrite did not apply");
      return { g, out };
    };
    const fast = make(true);
    const slow = make(false);
    const [f, r] = [compileHost(fast.g, fast.out), compileHost(slow.g, slow.out)];
    for (const theta of [[9, 0.01, 0.3, 0.001, Math.log(0.4)], [8, 0.02, -0.1, 0.01, 0.3]]) {
      const [gf, gs] = [new Float64Array(5), new Float64Array(5)];
      const v = f.valueAndGrad(theta, gf);
      let ref = 0;
      for (let n = 0; n < N; n++) {
        const mu = theta[0]! + 1.5 * theta[1]! * h[n]! + theta[2]! * m[n]! + theta[3]! * h[n]! * m[n]!;
        const s = Math.exp(theta[4]!);
        ref += -0.5 * ((Math.log(earn[n]!) - mu) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI) - Math.log(earn[n]!);
      }
      expect(Math.abs(v - ref)).toBeLessThan(1e-9 * Math.abs(ref));
      expect(Math.abs(v - r.valueAndGrad(theta, gs))).toBeLessThan(1e-9 * Math.abs(v));
      for (let i = 0; i < 5; i++) expect(Math.abs(gf[i]! - gs[i]!)).toBeLessThan(1e-7 * (1 + Math.abs(gs[i]!)));
    }
  });

  it("declines where it does not apply: a σ per element, parameter-dependent values, a gathered or nonlinear mean, too few rows", () => {
    const g = new Graph();
    const b = g.param(0, [K]);
    const xb = g.matmul(g.constant(X, [N, K]), b);
    const y = g.constant(Y, [N]);
    expect(linearLikelihood(g, "normal", y, [xb, g.param(K, [N])])).toBeUndefined();
    expect(linearLikelihood(g, "normal", g.param(K, [N]), [xb, g.scalar(1)])).toBeUndefined();
    expect(linearLikelihood(g, "normal", y, [g.binary("add", g.param(K, [N]), xb), g.scalar(1)])).toBeUndefined();
    expect(linearLikelihood(g, "normal", y, [g.take(b, Int32Array.from({ length: N }, (_, i) => i % K), [N]), g.scalar(1)])).toBeUndefined();
    expect(linearLikelihood(g, "normal", y, [g.unary("exp", xb), g.scalar(1)])).toBeUndefined();
    expect(linearLikelihood(g, "cauchy", y, [xb, g.scalar(1)])).toBeUndefined();
    const short = g.matmul(g.constant(X.slice(0, 2 * K), [2, K]), b);
    expect(linearLikelihood(g, "normal", g.constant(Y.slice(0, 2), [2]), [short, g.scalar(1)])).toBeUndefined();
    expect(linearLikelihood(g, "normal", y, [xb, g.scalar(1)])).toBeDefined();
  });
});
