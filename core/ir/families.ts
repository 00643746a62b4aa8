/**
 * Log densities of the distribution families in float64, each with its partials: the one
 * definition behind the host executor's generated code, the tfjs executor's log-density op and
 * the distributions' fused sums (core/fused-family.ts). A family is split by what its terms
 * depend on:
 * - `lpg(x, a, b, c, d)`: the terms that depend on the value x, returning their sum and writing
 *   their derivatives by x, a, b, c into d[0..3] (parameters a family lacks are ignored);
 * - `norm(a, b, c, d)`: the terms of the parameters alone (normalisers such as −log σ or
 *   −lgamma(α)), with their derivatives in d[1..3]; evaluated once per distinct parameter
 *   value by `familyScorer` (families-compile.ts), not once per element (a Student-t with a fixed ν pays its two
 *   lgamma and two digamma once, not for every observation);
 * - `constTerm(x, a)`: the terms that depend only on arguments that are data in every model that
 *   uses the family (−lgamma(k + 1) of counts), over the arguments `constArgs`, so that an
 *   executor can sum them once.
 *
 * Densities and parameterisations are those of distributions/ (registry.ts documents each).
 * The log density is the one inside the support: callers guarantee the support (latents
 * through their transforms, data checked at instantiation).
 */
import { digamma64, lbeta64, lgamma64 } from "../special-host.js";
import { HELPERS } from "./ops.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_PI = Math.log(Math.PI);
const { sigmoid, softplus } = HELPERS;

/** log p and its partials d[0..3] by the value and the parameters (see the file's comment). */
export type Lpg = (x: number, a: number, b: number, c: number, d: Float64Array) => number;

export interface Family {
  /** Number of arguments, the value included. */
  readonly arity: 2 | 3 | 4;
  /** The terms that depend on the value. */
  readonly lpg: Lpg;
  /** The terms of the parameters alone, with their partials in d[1..3] (d[0] is not read). */
  readonly norm?: (a: number, b: number, c: number, d: Float64Array) => number;
  /** A family of counts or labels: its value is never differentiated (∂/∂x is written as 0). */
  readonly discrete?: true;
  /** The arguments `norm` reads (indices into the op's arguments, 1–3). */
  readonly normArgs?: readonly number[];
  readonly constTerm?: (x: number, a: number) => number;
  /** The arguments `constTerm` reads (indices into the op's arguments). */
  readonly constArgs?: readonly number[];
}

const lchoose = (n: number, k: number): number => lgamma64(n + 1) - lgamma64(k + 1) - lgamma64(n - k + 1);

/** The normaliser −log σ − c of a location-scale family in (μ, σ): ∂/∂σ = −1/σ. */
const logScaleNorm = (c: number) => (_mu: number, s: number, _c: number, d: Float64Array): number => {
  d[2] = -1 / s;
  return -Math.log(s) - c;
};

/** α log β − lgamma(α), the normaliser of Gamma (rate β) and InverseGamma (scale β). */
const gammaNorm = (a: number, b: number, _c: number, d: Float64Array): number => {
  const lb = Math.log(b);
  d[1] = lb - digamma64(a);
  d[2] = a / b;
  return a * lb - lgamma64(a);
};

const FAMILY_TABLE = {
  /** Normal(x | μ, σ). */
  normal: {
    arity: 3,
    lpg: (x, mu, s, _c, d) => {
      const inv = 1 / s;
      const z = (x - mu) * inv;
      d[0] = -z * inv;
      d[1] = z * inv;
      d[2] = z * z * inv;
      return -0.5 * z * z;
    },
    norm: logScaleNorm(HALF_LOG_2PI),
    normArgs: [2],
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
      d[2] = z * z * inv;
      return -0.5 * z * z - lx;
    },
    norm: logScaleNorm(HALF_LOG_2PI),
    normArgs: [2],
  },
  /** Cauchy(x | μ, σ). */
  cauchy: {
    arity: 3,
    lpg: (x, mu, s, _c, d) => {
      const z = (x - mu) / s;
      const q = 1 + z * z;
      d[0] = (-2 * z) / (s * q);
      d[1] = -d[0];
      d[2] = (2 * z * z) / (s * q);
      return -Math.log1p(z * z);
    },
    norm: logScaleNorm(LOG_PI),
    normArgs: [2],
  },
  /** StudentT(x | ν, μ, σ). */
  studentT: {
    arity: 4,
    lpg: (x, nu, mu, s, d) => {
      const z = (x - mu) / s;
      const z2 = z * z;
      const t = Math.log1p(z2 / nu);
      const w = ((nu + 1) * z2) / (nu + z2);
      d[0] = (-(nu + 1) * z) / (s * (nu + z2));
      d[1] = -0.5 * t + w / (2 * nu);
      d[2] = -d[0];
      d[3] = w / s;
      return -((nu + 1) / 2) * t;
    },
    norm: (nu, _mu, s, d) => {
      d[1] = 0.5 * digamma64((nu + 1) / 2) - 0.5 * digamma64(nu / 2) - 0.5 / nu;
      d[2] = 0;
      d[3] = -1 / s;
      return lgamma64((nu + 1) / 2) - lgamma64(nu / 2) - 0.5 * Math.log(nu * Math.PI) - Math.log(s);
    },
    normArgs: [1, 3],
  },
  /** Laplace(x | μ, b). */
  laplace: {
    arity: 3,
    lpg: (x, mu, b, _c, d) => {
      const r = x - mu;
      const sg = Math.sign(r);
      d[0] = -sg / b;
      d[1] = sg / b;
      d[2] = Math.abs(r) / (b * b);
      return -Math.abs(r) / b;
    },
    norm: logScaleNorm(Math.LN2),
    normArgs: [2],
  },
  /** Logistic(x | μ, s): −z − log s − 2 log1p(e^−z). */
  logistic: {
    arity: 3,
    lpg: (x, mu, s, _c, d) => {
      const z = (x - mu) / s;
      const dz = -1 + 2 * sigmoid(-z);
      d[0] = dz / s;
      d[1] = -dz / s;
      d[2] = (-dz * z) / s;
      return -z - 2 * softplus(-z);
    },
    norm: logScaleNorm(0),
    normArgs: [2],
  },
  /** Exponential(x | λ). */
  exponential: {
    arity: 2,
    lpg: (x, rate, _b, _c, d) => {
      d[0] = -rate;
      d[1] = -x;
      return -rate * x;
    },
    norm: (rate, _b, _c, d) => {
      d[1] = 1 / rate;
      return Math.log(rate);
    },
    normArgs: [1],
  },
  /** Gamma(x | α, β) with rate β; (α − 1)·log x is 0 for α = 1 at x = 0, as in xlogy. */
  gamma: {
    arity: 3,
    lpg: (x, a, b, _c, d) => {
      const lx = Math.log(x);
      d[0] = (a === 1 ? 0 : (a - 1) / x) - b;
      d[1] = lx;
      d[2] = -x;
      return (a === 1 ? 0 : (a - 1) * lx) - b * x;
    },
    norm: gammaNorm,
    normArgs: [1, 2],
  },
  /** InverseGamma(x | α, β) with scale β. */
  inverseGamma: {
    arity: 3,
    lpg: (x, a, b, _c, d) => {
      const lx = Math.log(x);
      d[0] = -(a + 1) / x + b / (x * x);
      d[1] = -lx;
      d[2] = -1 / x;
      return -(a + 1) * lx - b / x;
    },
    norm: gammaNorm,
    normArgs: [1, 2],
  },
  /** Weibull(x | k, λ): log k − log λ + (k − 1) log(x/λ) − (x/λ)^k. */
  weibull: {
    arity: 3,
    lpg: (x, k, lam, _c, d) => {
      const lz = Math.log(x / lam);
      const zk = Math.exp(k * lz);
      d[0] = (k - 1 - k * zk) / x;
      d[1] = lz - zk * lz;
      d[2] = (k * (zk - 1) + 1) / lam;
      // (k − 1)·log(x/λ) is 0 for k = 1 at x = 0, as in xlogy
      return (k === 1 ? 0 : (k - 1) * lz) - zk;
    },
    norm: (k, lam, _c, d) => {
      d[1] = 1 / k;
      d[2] = -1 / lam;
      return Math.log(k) - Math.log(lam);
    },
    normArgs: [1, 2],
  },
  /** Beta(x | a, b); a term with coefficient 0 (a or b = 1) is 0 at its boundary, as in xlogy. */
  beta: {
    arity: 3,
    lpg: (x, a, b, _c, d) => {
      const lx = Math.log(x);
      const l1x = Math.log1p(-x);
      d[0] = (a === 1 ? 0 : (a - 1) / x) - (b === 1 ? 0 : (b - 1) / (1 - x));
      d[1] = lx;
      d[2] = l1x;
      return (a === 1 ? 0 : (a - 1) * lx) + (b === 1 ? 0 : (b - 1) * l1x);
    },
    norm: (a, b, _c, d) => {
      const dab = digamma64(a + b);
      d[1] = dab - digamma64(a);
      d[2] = dab - digamma64(b);
      return -lbeta64(a, b);
    },
    normArgs: [1, 2],
  },
  /** Uniform(x | lo, hi) inside [lo, hi]: the parameters' term only. */
  uniform: {
    arity: 3,
    lpg: (_x, _lo, _hi, _c, d) => {
      d[0] = 0;
      d[1] = 0;
      d[2] = 0;
      return 0;
    },
    norm: (lo, hi, _c, d) => {
      const w = hi - lo;
      d[1] = 1 / w;
      d[2] = -1 / w;
      return -Math.log(w);
    },
    normArgs: [1, 2],
  },
  /** Poisson(k | log_rate = η). */
  poissonLog: {
    discrete: true,
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
    discrete: true,
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
    discrete: true,
    arity: 3,
    lpg: (k, mu, phi, _c, d) => {
      const lmp = Math.log(mu + phi);
      const r = (k + phi) / (mu + phi);
      d[0] = 0;
      d[1] = k / mu - r;
      d[2] = digamma64(k + phi) - lmp - r;
      return lgamma64(k + phi) + (k === 0 ? 0 : k * Math.log(mu)) - (k + phi) * lmp;
    },
    norm: (_mu, phi, _c, d) => {
      d[1] = 0;
      d[2] = -digamma64(phi) + Math.log(phi) + 1;
      return -lgamma64(phi) + phi * Math.log(phi);
    },
    normArgs: [2],
    constTerm: (k) => -lgamma64(k + 1),
    constArgs: [0],
  },
  /** Bernoulli(y | logit = η). */
  bernoulliLogit: {
    discrete: true,
    arity: 2,
    // softplus(η) = max(η, 0) + log1p(e^−|η|) and σ(η) share the one exponential
    lpg: (y, eta, _b, _c, d) => {
      const e = Math.exp(-Math.abs(eta));
      d[0] = 0;
      // y − σ(η) without cancellation for y ∈ {0, 1} (at y = 1, η = 40 it is e^−40, not 0)
      d[1] = (eta >= 0 ? y - 1 + y * e : y - (1 - y) * e) / (1 + e);
      return y * eta - Math.max(eta, 0) - Math.log1p(e);
    },
  },
  /** Bernoulli(y | p). */
  bernoulli: {
    discrete: true,
    arity: 2,
    lpg: (y, p, _b, _c, d) => {
      d[0] = 0;
      d[1] = (y === 0 ? 0 : y / p) - (y === 1 ? 0 : (1 - y) / (1 - p));
      return (y === 0 ? 0 : y * Math.log(p)) + (y === 1 ? 0 : (1 - y) * Math.log1p(-p));
    },
  },
  /** Binomial(k | n, logit = η). */
  binomialLogit: {
    discrete: true,
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
    discrete: true,
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
