/**
 * Log densities of the distribution families in float64, each with its partials, for the
 * IR's fused `lpdf` op: `lpg(x, a, b, d)` returns log p(x | a, b) and writes ∂/∂x, ∂/∂a, ∂/∂b
 * into d[0..2] (parameters a family lacks are ignored). Terms that depend only on arguments
 * that are data in every model that uses the family (−lgamma(k + 1) of counts) are split off
 * as `constTerm` over the arguments `constArgs`, so an executor can sum them once.
 *
 * Densities and parameterisations are those of distributions/ (registry.ts documents each).
 * The log density is the one inside the support: callers guarantee the support (latents
 * through their transforms, data checked at instantiation).
 *
 * TODO(issue 15): distributions/ still has its own tfjs encodings of the same densities; one
 * definition per family from which both derive remains to be done.
 */
import { digamma64, lbeta64, lgamma64 } from "../special-host.js";
import { HELPERS } from "./ops.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_PI = Math.log(Math.PI);
const { sigmoid, softplus } = HELPERS;

export interface Family {
  /** Number of arguments, the value included. */
  readonly arity: 2 | 3 | 4;
  readonly lpg: (x: number, a: number, b: number, c: number, d: Float64Array) => number;
  readonly constTerm?: (x: number, a: number) => number;
  /** The arguments `constTerm` reads (indices into the op's arguments). */
  readonly constArgs?: readonly number[];
}

const lchoose = (n: number, k: number): number => lgamma64(n + 1) - lgamma64(k + 1) - lgamma64(n - k + 1);

const FAMILY_TABLE = {
  /** Normal(x | μ, σ). */
  normal: {
    arity: 3,
    lpg: (x, mu, s, _c, d) => {
      const inv = 1 / s;
      const z = (x - mu) * inv;
      d[0] = -z * inv;
      d[1] = z * inv;
      d[2] = (z * z - 1) * inv;
      return -0.5 * z * z - Math.log(s) - HALF_LOG_2PI;
    },
  },
  /** LogNormal(x | μ, σ) = Normal(log x | μ, σ) − log x. */
  logNormal: {
    arity: 3,
    lpg: (x, mu, s, _c, d) => {
      const lx = Math.log(x);
      const inv = 1 / s;
      const z = (lx - mu) * inv;
      d[0] = (-z * inv - 1) / x;
      d[1] = z * inv;
      d[2] = (z * z - 1) * inv;
      return -0.5 * z * z - Math.log(s) - HALF_LOG_2PI - lx;
    },
  },
  /** Cauchy(x | μ, σ). */
  cauchy: {
    arity: 3,
    lpg: (x, mu, s, _c, d) => {
      const z = (x - mu) / s;
      const q = 1 + z * z;
      d[0] = (-2 * z) / (s * q);
      d[1] = -d[0];
      d[2] = (z * z - 1) / (s * q);
      return -LOG_PI - Math.log(s) - Math.log1p(z * z);
    },
  },
  /** StudentT(x | ν, μ, σ). */
  studentT: {
    arity: 4,
    lpg: (x, nu, mu, s, d) => {
      const z = (x - mu) / s;
      const z2 = z * z;
      const t = Math.log1p(z2 / nu);
      d[0] = (-(nu + 1) * z) / (s * (nu + z2));
      d[1] = 0.5 * digamma64((nu + 1) / 2) - 0.5 * digamma64(nu / 2) - 0.5 / nu - 0.5 * t + ((nu + 1) * z2) / (2 * nu * (nu + z2));
      d[2] = -d[0];
      d[3] = (-1 + ((nu + 1) * z2) / (nu + z2)) / s;
      return lgamma64((nu + 1) / 2) - lgamma64(nu / 2) - 0.5 * Math.log(nu * Math.PI) - Math.log(s) - ((nu + 1) / 2) * t;
    },
  },
  /** Laplace(x | μ, b). */
  laplace: {
    arity: 3,
    lpg: (x, mu, b, _c, d) => {
      const r = x - mu;
      const sg = Math.sign(r);
      d[0] = -sg / b;
      d[1] = sg / b;
      d[2] = -1 / b + Math.abs(r) / (b * b);
      return -Math.log(2 * b) - Math.abs(r) / b;
    },
  },
  /** Logistic(x | μ, s): −z − log s − 2 log1p(e^−z). */
  logistic: {
    arity: 3,
    lpg: (x, mu, s, _c, d) => {
      const z = (x - mu) / s;
      const dz = -1 + 2 * sigmoid(-z);
      d[0] = dz / s;
      d[1] = -dz / s;
      d[2] = (-dz * z - 1) / s;
      return -z - Math.log(s) - 2 * softplus(-z);
    },
  },
  /** Exponential(x | λ). */
  exponential: {
    arity: 2,
    lpg: (x, rate, _b, _c, d) => {
      d[0] = -rate;
      d[1] = 1 / rate - x;
      return Math.log(rate) - rate * x;
    },
  },
  /** Gamma(x | α, β) with rate β. */
  gamma: {
    arity: 3,
    lpg: (x, a, b, _c, d) => {
      const lx = Math.log(x);
      const lb = Math.log(b);
      d[0] = (a - 1) / x - b;
      d[1] = lb - digamma64(a) + lx;
      d[2] = a / b - x;
      return a * lb - lgamma64(a) + (a - 1) * lx - b * x;
    },
  },
  /** InverseGamma(x | α, β) with scale β. */
  inverseGamma: {
    arity: 3,
    lpg: (x, a, b, _c, d) => {
      const lx = Math.log(x);
      const lb = Math.log(b);
      d[0] = -(a + 1) / x + b / (x * x);
      d[1] = lb - digamma64(a) - lx;
      d[2] = a / b - 1 / x;
      return a * lb - lgamma64(a) - (a + 1) * lx - b / x;
    },
  },
  /** Weibull(x | k, λ): log k − log λ + (k − 1) log(x/λ) − (x/λ)^k. */
  weibull: {
    arity: 3,
    lpg: (x, k, lam, _c, d) => {
      const lz = Math.log(x / lam);
      const zk = Math.exp(k * lz);
      d[0] = (k - 1 - k * zk) / x;
      d[1] = 1 / k + lz - zk * lz;
      d[2] = (k * (zk - 1)) / lam;
      return Math.log(k) - Math.log(lam) + (k - 1) * lz - zk;
    },
  },
  /** Beta(x | a, b). */
  beta: {
    arity: 3,
    lpg: (x, a, b, _c, d) => {
      const lx = Math.log(x);
      const l1x = Math.log1p(-x);
      const dab = digamma64(a + b);
      d[0] = (a - 1) / x - (b - 1) / (1 - x);
      d[1] = lx - digamma64(a) + dab;
      d[2] = l1x - digamma64(b) + dab;
      return (a - 1) * lx + (b - 1) * l1x - lbeta64(a, b);
    },
  },
  /** Uniform(x | lo, hi) inside [lo, hi]. */
  uniform: {
    arity: 3,
    lpg: (_x, lo, hi, _c, d) => {
      const w = hi - lo;
      d[0] = 0;
      d[1] = 1 / w;
      d[2] = -1 / w;
      return -Math.log(w);
    },
  },
  /** Poisson(k | log_rate = η). */
  poissonLog: {
    arity: 2,
    lpg: (k, eta, _b, _c, d) => {
      const r = Math.exp(eta);
      d[0] = 0;
      d[1] = k - r;
      return k * eta - r;
    },
    constTerm: (k) => -lgamma64(k + 1),
    constArgs: [0],
  },
  /** Poisson(k | λ). */
  poisson: {
    arity: 2,
    lpg: (k, rate, _b, _c, d) => {
      d[0] = 0;
      d[1] = k / rate - 1;
      return (k === 0 ? 0 : k * Math.log(rate)) - rate;
    },
    constTerm: (k) => -lgamma64(k + 1),
    constArgs: [0],
  },
  /** NegativeBinomial(k | μ, φ) (Stan's neg_binomial_2): lgamma(k + φ) − lgamma(φ) + k log μ + φ log φ − (k + φ) log(μ + φ), less lgamma(k + 1). */
  negativeBinomial: {
    arity: 3,
    lpg: (k, mu, phi, _c, d) => {
      const lmp = Math.log(mu + phi);
      const r = (k + phi) / (mu + phi);
      d[0] = 0;
      d[1] = k / mu - r;
      d[2] = digamma64(k + phi) - digamma64(phi) + Math.log(phi) + 1 - lmp - r;
      return lgamma64(k + phi) - lgamma64(phi) + (k === 0 ? 0 : k * Math.log(mu)) + phi * Math.log(phi) - (k + phi) * lmp;
    },
    constTerm: (k) => -lgamma64(k + 1),
    constArgs: [0],
  },
  /** Bernoulli(y | logit = η). */
  bernoulliLogit: {
    arity: 2,
    // softplus(η) = max(η, 0) + log1p(e^−|η|) and σ(η) share the one exponential
    lpg: (y, eta, _b, _c, d) => {
      const e = Math.exp(-Math.abs(eta));
      d[0] = 0;
      d[1] = y - (eta >= 0 ? 1 / (1 + e) : e / (1 + e));
      return y * eta - Math.max(eta, 0) - Math.log1p(e);
    },
  },
  /** Bernoulli(y | p). */
  bernoulli: {
    arity: 2,
    lpg: (y, p, _b, _c, d) => {
      d[0] = 0;
      d[1] = (y === 0 ? 0 : y / p) - (y === 1 ? 0 : (1 - y) / (1 - p));
      return (y === 0 ? 0 : y * Math.log(p)) + (y === 1 ? 0 : (1 - y) * Math.log1p(-p));
    },
  },
  /** Binomial(k | n, logit = η). */
  binomialLogit: {
    arity: 3,
    lpg: (k, n, eta, _c, d) => {
      d[0] = 0;
      d[1] = 0;
      d[2] = k - n * sigmoid(eta);
      return k * eta - n * softplus(eta);
    },
    constTerm: (k, n) => lchoose(n, k),
    constArgs: [0, 1],
  },
  /** Binomial(k | n, p). */
  binomial: {
    arity: 3,
    lpg: (k, n, p, _c, d) => {
      d[0] = 0;
      d[1] = 0;
      d[2] = (k === 0 ? 0 : k / p) - (k === n ? 0 : (n - k) / (1 - p));
      return (k === 0 ? 0 : k * Math.log(p)) + (k === n ? 0 : (n - k) * Math.log1p(-p));
    },
    constTerm: (k, n) => lchoose(n, k),
    constArgs: [0, 1],
  },
} satisfies Record<string, Family>;

export type FamilyName = keyof typeof FAMILY_TABLE;
export const FAMILIES: Readonly<Record<FamilyName, Family>> = FAMILY_TABLE;
