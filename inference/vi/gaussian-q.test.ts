/**
 * Bayes by Backprop's Gaussian families against a direct dense computation: the entropy, the
 * marginal sds and log q of the low-rank (determinant lemma, Woodbury) and full families equal
 * those of the explicit covariance matrix Σ = diag(σ²) + U Uᵀ with U = diag(σ) V (or A Aᵀ with
 * A = diag(σ)(I + M)), factorised in float64 here; their draws have that covariance. Then the fit: Bayes by Backprop with a non-factorised
 * q recovers the exact posterior of a Bayesian linear regression whose coefficients are strongly
 * correlated (uncentred x), which a factorised q cannot.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { key } from "../../core/random.js";
import { adam } from "../../nn/optimisers.js";
import type { ParamTree } from "../../nn/tree.js";
import { bbb, type BbbModel } from "./bbb.js";
import { gaussianFamily, sdHost } from "./gaussian-q.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** Dense Cholesky factor of `a` (`n × n`, arrays of rows), float64. */
function cholesky(a: number[][]): number[][] {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let c = 0; c < j; c++) s -= l[i]![c]! * l[j]![c]!;
      l[i]![j] = i === j ? Math.sqrt(s) : s / l[j]![j]!;
    }
  }
  return l;
}

/** log N(z; μ, Σ) directly from Σ's Cholesky factor. */
function logNormal(z: ArrayLike<number>, mu: ArrayLike<number>, l: number[][]): number {
  const n = l.length;
  const y: number[] = [];
  let quad = 0;
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    let v = z[i]! - mu[i]!;
    for (let c = 0; c < i; c++) v -= l[i]![c]! * y[c]!;
    y.push(v / l[i]![i]!);
    quad += y[i]! ** 2;
    logDet += 2 * Math.log(l[i]![i]!);
  }
  return -0.5 * (n * LOG_2PI + logDet + quad);
}

const D = 5;
const K = 2;
const MU = [0.3, -1, 2, 0.5, -0.2];
const RHO = [-1, 0.2, -2, 0.5, -0.4];
const V = [[0.8, -0.3], [0.5, 0.9], [-0.6, 0.2], [0.1, -0.7], [0.4, 0.4]];
/** M's entries below the diagonal. */
const LOWER = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => (j < i ? Math.sin(3 * i + j) : 0)));
const SIGMA = RHO.map(sdHost);
const U = V.map((row, i) => row.map((v) => SIGMA[i]! * v));

/** The explicit covariance of each family at the parameters above. */
const DENSE: Record<"lowrank" | "full", number[][]> = {
  lowrank: SIGMA.map((s, i) => SIGMA.map((_, j) => (i === j ? s * s : 0) + U[i]!.reduce((a, u, c) => a + u * U[j]![c]!, 0))),
  full: (() => {
    const a = LOWER.map((row, i) => row.map((v, j) => SIGMA[i]! * (i === j ? 1 : v)));
    return a.map((ri) => a.map((rj) => ri.reduce((s, v, c) => s + v * rj[c]!, 0)));
  })(),
};

function params(covariance: "lowrank" | "full"): ParamTree {
  return {
    mean: tf.tensor1d(MU), rho: tf.tensor1d(RHO),
    ...(covariance === "lowrank" ? { factor: tf.tensor2d(V) } : { lower: tf.tensor2d(LOWER.map((r, i) => r.map((v, j) => (j === i ? 7 : j > i ? -5 : v)))) }),
  };
}

describe("Bayes by Backprop's Gaussian families", () => {
  for (const covariance of ["lowrank", "full"] as const) {
    it(`${covariance}: entropy, marginal sds, log q and the draws' covariance match the dense Σ`, () => {
      const family = gaussianFamily(covariance, D, covariance === "lowrank" ? K : undefined);
      const p = params(covariance); // "full": entries on and above the diagonal are ignored
      const sigma = DENSE[covariance];
      const l = cholesky(sigma);
      const halfLogDet = l.reduce((a, row, i) => a + Math.log(row[i]!), 0);
      const q = family.view(p);
      expect(q.factorised).toBe(false);
      expect(q.entropy().arraySync()).toBeCloseTo(halfLogDet + 0.5 * D * (1 + LOG_2PI), 4);
      const sd = q.sd.arraySync();
      sigma.forEach((row, i) => expect(sd[i]).toBeCloseTo(Math.sqrt(row[i]!), 5));

      const fitted = family.fitted(p);
      const n = 20000;
      const { draws, logQ } = fitted.draw(n, key(4));
      for (let s = 0; s < 5; s++) expect(logQ[s]).toBeCloseTo(logNormal(draws.subarray(s * D, (s + 1) * D), MU, l), 4);
      fitted.sd.forEach((v, i) => expect(v).toBeCloseTo(Math.sqrt(sigma[i]![i]!), 6));
      // The draws' covariance, on the host and from the loss's sampler (sd of an entry's estimate ≈ Σ_ii Σ_jj / √n).
      const onDevice = q.sample(n, key(5)).dataSync();
      for (const z of [draws, onDevice]) {
        for (let i = 0; i < D; i++) {
          for (let j = 0; j <= i; j++) {
            let c = 0;
            for (let s = 0; s < n; s++) c += (z[s * D + i]! - MU[i]!) * (z[s * D + j]! - MU[j]!);
            expect(Math.abs(c / n - sigma[i]![j]!)).toBeLessThan(5 * Math.sqrt(sigma[i]![i]! * sigma[j]![j]! / n) + 1e-3);
          }
        }
      }
      for (const t of Object.values(p)) (t as tf.Tensor).dispose();
    });
  }

  it("meanfield's entropy is Σ log σ + ½D(1 + log 2π); bad ranks and sizes are refused", () => {
    const p = { mean: tf.tensor1d(MU), rho: tf.tensor1d(RHO) };
    const q = gaussianFamily("meanfield", D).view(p);
    expect(q.factorised).toBe(true);
    expect(q.entropy().arraySync()).toBeCloseTo(SIGMA.reduce((a, s) => a + Math.log(s), 0) + 0.5 * D * (1 + LOG_2PI), 4);
    expect(() => gaussianFamily("lowrank", 3, 4)).toThrow(/rank of a low-rank covariance \(4\) cannot exceed the number of unconstrained latents \(3\)/);
    expect(() => gaussianFamily("lowrank", 3, 0)).toThrow(/positive integer/);
    expect(() => gaussianFamily("full", 3, 2)).toThrow(/rank applies to covariance = "lowrank"/);
    expect(() => gaussianFamily("full", 5000)).toThrow(/use covariance = "lowrank"/);
  });
});

// y = a + b x + ε, ε ~ N(0, 0.5²), a, b ~ N(0, 3²), x = 0, 0.1, …, 1.9: uncentred x makes the posterior
// of (a, b) strongly negatively correlated (−0.85). Exact: precision P = XᵀX/s² + I/9, mean P⁻¹Xᵀy/s².
const X = Array.from({ length: 20 }, (_, i) => i / 10);
const Y = X.map((x, i) => 0.5 + 1.5 * x + 0.5 * Math.sin(5.1 * i + 2));
const S2 = 0.25;
const P = [
  [X.length / S2 + 1 / 9, X.reduce((a, x) => a + x, 0) / S2],
  [X.reduce((a, x) => a + x, 0) / S2, X.reduce((a, x) => a + x * x, 0) / S2 + 1 / 9],
];
const DET = P[0]![0]! * P[1]![1]! - P[0]![1]! ** 2;
const COV = [[P[1]![1]! / DET, -P[0]![1]! / DET], [-P[0]![1]! / DET, P[0]![0]! / DET]];
const RHS = [Y.reduce((a, y) => a + y, 0) / S2, X.reduce((a, x, i) => a + x * Y[i]!, 0) / S2];
const EXACT_MEAN = [COV[0]![0]! * RHS[0]! + COV[0]![1]! * RHS[1]!, COV[1]![0]! * RHS[0]! + COV[1]![1]! * RHS[1]!];
const EXACT_SD = [Math.sqrt(COV[0]![0]!), Math.sqrt(COV[1]![1]!)];
const EXACT_CORR = COV[0]![1]! / (EXACT_SD[0]! * EXACT_SD[1]!);

/** The regression as Bayes by Backprop sees it: Monte Carlo log joint over q's draws. */
const regression: BbbModel = {
  dim: 2,
  rows: 1,
  expectedLogJoint: (q, _rows, draws, k) => tf.tidy(() => {
    const z = q.sample(draws, k);
    const [a, b] = tf.split(z, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const resid = tf.sub(tf.tensor2d([Y]), tf.add(a, tf.mul(b, tf.tensor2d([X]))));
    const logLik = tf.div(tf.sum(tf.square(resid), 1), -2 * S2);
    const logPrior = tf.div(tf.sum(tf.square(z), 1), -2 * 9);
    return tf.mean(tf.add(logLik, logPrior)) as tf.Scalar;
  }),
  logDensity: (z) => tf.tidy(() => {
    const [a, b] = tf.split(z, 2, 1);
    const resid = tf.sub(tf.tensor2d([Y]), tf.add(a!, tf.mul(b!, tf.tensor2d([X]))));
    return tf.add(tf.div(tf.sum(tf.square(resid), 1), -2 * S2), tf.div(tf.sum(tf.square(z), 1), -2 * 9)) as tf.Tensor1D;
  }),
};

describe("Bayes by Backprop with a correlated q", () => {
  it(`recovers the exact posterior of a regression with correlated coefficients (corr ${EXACT_CORR.toFixed(3)}), leaving no tensors behind`, async () => {
    expect(EXACT_CORR).toBeLessThan(-0.8);
    const tensors = tf.memory().numTensors;
    for (const [covariance, rank] of [["full", undefined], ["lowrank", 1]] as const) {
      const r = await bbb(regression, {
        epochs: 1000, seed: 2, optimiser: adam(0.1), init: [0, 0], gradDraws: 16, outputDraws: 4000, covariance, ...(rank !== undefined ? { rank } : {}),
        schedule: (e) => 0.5 * (1 + Math.cos((Math.PI * e) / 1000)),
      });
      const n = r.draws.length / 2;
      const m = [0, 1].map((j) => r.draws.filter((_, i) => i % 2 === j).reduce((a, v) => a + v, 0) / n);
      const c = [[0, 0], [0, 0]];
      for (let s = 0; s < n; s++) for (const i of [0, 1]) for (const j of [0, 1]) c[i]![j]! += (r.draws[2 * s + i]! - m[i]!) * (r.draws[2 * s + j]! - m[j]!) / n;
      const sd = [Math.sqrt(c[0]![0]!), Math.sqrt(c[1]![1]!)];
      for (const i of [0, 1]) {
        expect(Math.abs(r.mean[i]! - EXACT_MEAN[i]!), `${covariance} mean ${i}`).toBeLessThan(0.1 * EXACT_SD[i]!);
        expect(r.sd[i]! / EXACT_SD[i]!, `${covariance} sd ${i}`).toBeGreaterThan(0.95);
        expect(r.sd[i]! / EXACT_SD[i]!, `${covariance} sd ${i}`).toBeLessThan(1.05);
      }
      expect(Math.abs(c[0]![1]! / (sd[0]! * sd[1]!) - EXACT_CORR), `${covariance} correlation`).toBeLessThan(0.02);
      // q is the posterior: log p̃ − log q is nearly constant, k̂ far below 0.7.
      expect(r.paretoK, covariance).toBeLessThan(0.5);
      expect(tf.memory().numTensors, `${covariance}: tensors left behind by the fit`).toBe(tensors);
    }
  }, 60_000);
});
