/**
 * The model catalogue: `.dlm` sources, data, and hand-written log densities on the flat
 * unconstrained vector (layout order = order of the `~` statements; network parameters in
 * walk order: weight, then bias, layer by layer).
 */
import * as R from "./reference.js";

export interface CatalogueEntry {
  readonly name: string;
  readonly source: string;
  readonly model: string;
  readonly data: Readonly<Record<string, number | number[] | number[][]>>;
  readonly dim: number;
  readonly logp: (q: readonly number[]) => number;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

// Eight schools (Rubin 1981; Gelman et al., BDA3 section 5.5).
const schoolsY = [28, 8, -3, 7, -1, 1, 18, 12];
const schoolsSigma = [15, 10, 16, 11, 9, 11, 10, 18];

const linX = [[0.5, -1.2], [1.5, 0.3], [-0.7, 0.8], [2.1, -0.4], [0.0, 1.1]];
const linY = [1.1, 2.9, -0.3, 3.8, 0.6];

const logX = [[0.2, 1.0], [-1.3, 0.4], [0.9, -0.8], [1.7, 0.1], [-0.5, -1.5], [0.3, 0.6]];
const logY = [1, 0, 1, 1, 0, 1];

const catY = [1, 3, 3, 2, 3, 1, 3];
const dirAlpha = [1.5, 2.0, 0.8];

const lkjZ = [0.3, -1.2, 0.7];
const lkjY = [0.1, -0.9, 1.3];

const bnnX = [[0.1, -0.4], [1.2, 0.7], [-0.8, 0.5], [0.3, 1.9]];
const bnnY = [0, 1, 1, 0];

export const CATALOGUE: readonly CatalogueEntry[] = [
  {
    name: "normal-normal",
    model: "nn",
    source: `model nn(y) {\n  mu ~ Normal(1, 2)\n  y ~ Normal(mu, 0.5)\n}`,
    data: { y: [0.3, 1.4, 0.9] },
    dim: 1,
    logp: ([mu]) => R.normalLp(mu!, 1, 2) + sum([0.3, 1.4, 0.9].map((y) => R.normalLp(y, mu!, 0.5))),
  },
  {
    name: "linear regression",
    model: "linreg",
    source: `model linreg(x, y) {
  alpha ~ Normal(0, 10)
  beta  ~ Normal(0, 10, size = ncols(x))
  sigma ~ HalfNormal(5)
  y ~ Normal(alpha + x @ beta, sigma)
}`,
    data: { x: linX, y: linY },
    dim: 4,
    logp: ([a, b1, b2, ls]) => {
      const s = R.positive(ls!);
      const lik = sum(linX.map((row, i) => R.normalLp(linY[i]!, a! + row[0]! * b1! + row[1]! * b2!, s.x)));
      return R.normalLp(a!, 0, 10) + R.normalLp(b1!, 0, 10) + R.normalLp(b2!, 0, 10) + R.halfNormalLp(s.x, 5) + s.logJ + lik;
    },
  },
  {
    name: "eight schools, centered",
    model: "schools",
    source: `model schools(y, sigma) {
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(5)
  theta ~ Normal(mu, tau, size = length(y))
  y ~ Normal(theta, sigma)
}`,
    data: { y: schoolsY, sigma: schoolsSigma },
    dim: 10,
    logp: (q) => {
      const mu = q[0]!;
      const t = R.positive(q[1]!);
      const theta = q.slice(2);
      return R.normalLp(mu, 0, 5) + R.halfCauchyLp(t.x, 5) + t.logJ + sum(theta.map((th) => R.normalLp(th, mu, t.x))) +
        sum(schoolsY.map((y, j) => R.normalLp(y, theta[j]!, schoolsSigma[j]!)));
    },
  },
  {
    name: "eight schools, non-centered",
    model: "schools_nc",
    source: `model schools_nc(y, sigma) {
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(5)
  theta_tilde ~ Normal(0, 1, size = 8)
  theta = mu + tau * theta_tilde
  y ~ Normal(theta, sigma)
}`,
    data: { y: schoolsY, sigma: schoolsSigma },
    dim: 10,
    logp: (q) => {
      const mu = q[0]!;
      const t = R.positive(q[1]!);
      const tt = q.slice(2);
      return R.normalLp(mu, 0, 5) + R.halfCauchyLp(t.x, 5) + t.logJ + sum(tt.map((z) => R.normalLp(z, 0, 1))) +
        sum(schoolsY.map((y, j) => R.normalLp(y, mu + t.x * tt[j]!, schoolsSigma[j]!)));
    },
  },
  {
    name: "logistic regression",
    model: "logreg",
    source: `model logreg(x, y) {
  alpha ~ Normal(0, 2.5)
  beta ~ Normal(0, 2.5, size = ncols(x))
  y ~ Bernoulli(logit = alpha + x @ beta)
}`,
    data: { x: logX, y: logY },
    dim: 3,
    logp: ([a, b1, b2]) =>
      R.normalLp(a!, 0, 2.5) + R.normalLp(b1!, 0, 2.5) + R.normalLp(b2!, 0, 2.5) +
      sum(logX.map((row, i) => R.bernoulliLogitLp(logY[i]!, a! + row[0]! * b1! + row[1]! * b2!))),
  },
  {
    name: "simplex (Dirichlet-categorical)",
    model: "dircat",
    source: `model dircat(y, alpha) {
  theta ~ Dirichlet(alpha)
  y ~ Categorical(theta)
}`,
    data: { y: catY, alpha: dirAlpha },
    dim: 2,
    logp: (q) => {
      const { x, logJ } = R.simplexIlr(q);
      const lnB = sum(dirAlpha.map(R.lgamma)) - R.lgamma(sum(dirAlpha));
      const prior = sum(dirAlpha.map((a, k) => (a - 1) * Math.log(x[k]!))) - lnB;
      return prior + logJ + sum(catY.map((c) => Math.log(x[c - 1]!)));
    },
  },
  {
    name: "Cholesky correlation (LKJCholesky)",
    model: "lkj",
    source: `model lkj(z, y) {
  L ~ LKJCholesky(3, 2.0)
  y ~ Normal(L @ z, 1)
}`,
    data: { z: lkjZ, y: lkjY },
    dim: 3,
    logp: (q) => {
      const { L, logJ } = R.choleskyCorr(q, 3);
      const mu = L.map((row) => sum(row.map((v, j) => v * lkjZ[j]!)));
      return R.lkjCholeskyLp(L, 2.0) + logJ + sum(lkjY.map((y, i) => R.normalLp(y, mu[i]!, 1)));
    },
  },
  {
    name: "2-layer BNN",
    model: "bnn",
    source: `network mlp(nin, nh) = Chain(Dense(nin => nh, tanh), Dense(nh => 1))

model bnn(x, y) {
  s ~ HalfNormal(1)
  net = mlp(ncols(x), 3)
  params(net) ~ Normal(0, s)
  y ~ Bernoulli(logit = net(x)[:, 1])
}`,
    data: { x: bnnX, y: bnnY },
    dim: 1 + 6 + 3 + 3 + 1,
    logp: (q) => {
      const s = R.positive(q[0]!);
      const w1 = q.slice(1, 7); // [2, 3] row-major
      const b1 = q.slice(7, 10);
      const w2 = q.slice(10, 13); // [3, 1]
      const b2 = q[13]!;
      const prior = sum(q.slice(1).map((w) => R.normalLp(w, 0, s.x)));
      const lik = sum(bnnX.map((x, i) => {
        const h = [0, 1, 2].map((j) => Math.tanh(x[0]! * w1[j]! + x[1]! * w1[3 + j]! + b1[j]!));
        const eta = sum(h.map((v, j) => v * w2[j]!)) + b2;
        return R.bernoulliLogitLp(bnnY[i]!, eta);
      }));
      return R.halfNormalLp(s.x, 1) + s.logJ + prior + lik;
    },
  },
];
