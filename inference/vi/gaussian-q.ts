/**
 * Bayes by Backprop's Gaussian families q(ζ) = N(μ, Σ) over the D unconstrained latents, each
 * with scales σ = softplus(ρ) + 1e-6 on the diagonal part:
 *
 * - "meanfield": Σ = diag(σ²). Factorised, so layers may draw their outputs instead of the
 *   weights (local reparameterisation, Flipout). It cannot put variance between two clusters
 *   of data without putting it at the data too, for one-hidden-layer networks (Foong, Burt, Li &
 *   Turner 2020): in-between uncertainty needs one of the others.
 * - "lowrank": Σ = diag(σ²) + U Uᵀ with U = diag(σ) V, V `[D, k]`: draws ζ = μ + σ ∘ (ε₁ + V ε₂),
 *   ε₂ ∈ Rᵏ, and log det Σ = Σ log σ² + log det(I_k + Vᵀ V) by the matrix determinant lemma,
 *   so a step costs O(D k² + k³) beyond the draws. D(k + 2) parameters.
 * - "full": Σ = A Aᵀ with A = diag(σ)(I + M), M strictly lower triangular: ζ = μ + A ε and
 *   log det Σ = Σ log σ². D² + D parameters: for small networks.
 *
 * The correlations are parameterised relative to σ (V and M, not U and A) because the
 * optimiser is Adam, whose steps are about the learning rate in every parameter whatever its
 * gradient: an absolute factor entry, next to weights' sds of 0.05, would random-walk on the
 * gradient's noise to far beyond them and swamp the fit; relative to σ, a step moves each
 * covariance entry in proportion to the scales it couples. Both forms cover every Σ of their
 * family (V = diag(σ)⁻¹ U, M = diag(σ)⁻¹ A − I).
 *
 * Each family gives the training loss its differentiable view of q (`view`) and, once fitted,
 * the host's float64 view (`fitted`: draws with log q at each, for lp__, Pareto k̂ and the
 * validation metrics).
 */
import { tf } from "../../core/engine.js";
import { fold, normal, normalArray, type Key } from "../../core/random.js";
import { logDet } from "../../core/linalg.js";
import { cholesky } from "../../core/ir/linalg.js";
import type { ParamTree } from "../../nn/tree.js";
import { ViError } from "./advi.js";

export type Covariance = "meanfield" | "lowrank" | "full";
export const COVARIANCES: readonly Covariance[] = ["meanfield", "lowrank", "full"];

/** q as the loss sees it: differentiable in the variational parameters. */
export interface GaussianQ {
  readonly mean: tf.Tensor1D;
  /** The marginal sds √diag Σ (exact expectations of Normal priors need only these). */
  readonly sd: tf.Tensor1D;
  /** Whether Σ is diagonal, so that layers may draw their outputs from `mean` and `sd`. */
  readonly factorised: boolean;
  /** `draws` draws ζ `[S, D]` made with `key`. */
  sample(draws: number, key: Key): tf.Tensor2D;
  /** H[q] = ½ log det(2πe Σ). */
  entropy(): tf.Scalar;
}

/** The fitted q on the host, in float64. */
export interface FittedQ {
  readonly mean: Float64Array;
  /** The marginal sds. */
  readonly sd: Float64Array;
  /** `n` draws row-major `[n, D]` made with `key`, with log q at each. */
  draw(n: number, key: Key): { readonly draws: Float32Array; readonly logQ: Float64Array };
}

export interface GaussianFamily {
  readonly covariance: Covariance;
  /** The columns of U ("lowrank" only). */
  readonly rank?: number;
  /** The variational parameters at the start: means `init`, every σ = softplus(rho0). */
  init(init: Float32Array, rho0: number, key: Key): ParamTree;
  view(p: ParamTree): GaussianQ;
  fitted(p: ParamTree): FittedQ;
}

const LOG_2PI = Math.log(2 * Math.PI);
/** σ = softplus(ρ) + SD_FLOOR (TFP adds float eps): the scale never reaches 0, where log σ and its gradient blow up. */
const SD_FLOOR = 1e-6;
/** "full" stores D² parameters: beyond this D, "lowrank" is the family to use. */
export const FULL_MAX_DIM = 2000;

/** σ = softplus(ρ) + floor, as a tensor. */
const sdOf = (rho: tf.Tensor): tf.Tensor1D => tf.add(tf.softplus(rho), SD_FLOOR) as tf.Tensor1D;

/** The same on the host, in float64 (softplus without overflow). */
export const sdHost = (rho: number): number => (rho > 30 ? rho : Math.log1p(Math.exp(rho))) + SD_FLOOR;

const host = (t: tf.Tensor | ParamTree | undefined): Float64Array => Float64Array.from((t as tf.Tensor).dataSync());

/** Σ log σ over the host's σ. */
const sumLog = (xs: Float64Array): number => xs.reduce((a, x) => a + Math.log(x), 0);

/** The Gaussian family of `covariance` over `dim` latents (`rank` columns of U for "lowrank"). */
export function gaussianFamily(covariance: Covariance, dim: number, rank?: number): GaussianFamily {
  if (covariance === "lowrank") {
    const k = rank ?? Math.min(10, dim);
    if (!Number.isInteger(k) || k < 1) throw new ViError(`the rank of a low-rank covariance must be a positive integer, got ${k}`);
    if (k > dim) throw new ViError(`the rank of a low-rank covariance (${k}) cannot exceed the number of unconstrained latents (${dim})`);
    return lowRank(dim, k);
  }
  if (rank !== undefined) throw new ViError(`rank applies to covariance = "lowrank", not "${covariance}"`);
  if (covariance === "full") {
    if (dim > FULL_MAX_DIM) throw new ViError(`a full covariance over ${dim} latents has ${dim * dim} parameters: use covariance = "lowrank" (with a rank) beyond ${FULL_MAX_DIM}`);
    return full(dim);
  }
  return meanField(dim);
}

function meanField(d: number): GaussianFamily {
  return {
    covariance: "meanfield",
    init: (mean, rho0) => ({ mean: tf.tensor1d(mean), rho: tf.fill([d], rho0) }),
    view: (p) => {
      const mean = p["mean"] as tf.Tensor1D;
      const sd = sdOf(p["rho"] as tf.Tensor);
      return {
        mean, sd, factorised: true,
        sample: (draws, k) => tf.add(mean, tf.mul(sd, normal(k, [draws, d]))) as tf.Tensor2D,
        entropy: () => tf.add(tf.sum(tf.log(sd)), 0.5 * d * (1 + LOG_2PI)) as tf.Scalar,
      };
    },
    fitted: (p) => {
      const mu = host(p["mean"]);
      const sd = host(p["rho"]).map(sdHost);
      const logSd = sumLog(sd);
      return {
        mean: mu, sd,
        draw: (n, k) => {
          const eta = normalArray(k, n * d);
          const draws = Float32Array.from(eta, (e, i) => mu[i % d]! + sd[i % d]! * e);
          return { draws, logQ: Float64Array.from({ length: n }, (_, r) => logNormalOf(eta, r * d, d) - logSd) };
        },
      };
    },
  };
}

/** log N(ε; 0, I) of the `n` values of `eta` from `at`. */
function logNormalOf(eta: Float32Array, at: number, n: number): number {
  let v = -0.5 * n * LOG_2PI;
  for (let i = 0; i < n; i++) v -= 0.5 * eta[at + i]! ** 2;
  return v;
}

function lowRank(d: number, k: number): GaussianFamily {
  return {
    covariance: "lowrank",
    rank: k,
    // V starts small and random: at V = 0 its expected gradient vanishes (the ELBO is even in V),
    // so it must start off that point; small (U Uᵀ about 1% of diag(σ²)), so that the first
    // steps are mean-field's.
    init: (mean, rho0, key) => ({
      mean: tf.tensor1d(mean), rho: tf.fill([d], rho0),
      factor: tf.tidy(() => tf.mul(normal(key, [d, k]), 0.1 / Math.sqrt(k))),
    }),
    view: (p) => {
      const mean = p["mean"] as tf.Tensor1D;
      const sigma = sdOf(p["rho"] as tf.Tensor);
      const v = p["factor"] as tf.Tensor2D;
      return {
        mean, factorised: false,
        sd: tf.mul(sigma, tf.sqrt(tf.add(1, tf.sum(tf.square(v), 1)))) as tf.Tensor1D,
        sample: (draws, key) => {
          const z = tf.add(normal(fold(key, 0), [draws, d]), tf.matMul(normal(fold(key, 1), [draws, k]), v, false, true));
          return tf.add(mean, tf.mul(sigma, z)) as tf.Tensor2D;
        },
        entropy: () => {
          // ½ log det Σ = Σ log σ + ½ log det(I + Vᵀ V), the matrix determinant lemma.
          const inner = tf.add(tf.eye(k), tf.matMul(v, v, true, false));
          return tf.add(tf.add(tf.sum(tf.log(sigma)), tf.mul(logDet(inner), 0.5)), 0.5 * d * (1 + LOG_2PI)) as tf.Scalar;
        },
      };
    },
    fitted: (p) => {
      const mu = host(p["mean"]);
      const sigma = host(p["rho"]).map(sdHost);
      const u = host(p["factor"]).map((v, i) => sigma[Math.floor(i / k)]! * v);
      const sd = sigma.map((s, i) => {
        let v = s * s;
        for (let j = 0; j < k; j++) v += u[i * k + j]! ** 2;
        return Math.sqrt(v);
      });
      // Woodbury: Σ⁻¹ = D⁻¹ − D⁻¹ U M⁻¹ Uᵀ D⁻¹ with M = I + Uᵀ D⁻¹ U (k × k), log det Σ = log det D + log det M.
      const m = new Float64Array(k * k);
      for (let a = 0; a < k; a++) {
        m[a * k + a] = 1;
        for (let b = 0; b <= a; b++) {
          let v = 0;
          for (let i = 0; i < d; i++) v += (u[i * k + a]! * u[i * k + b]!) / sigma[i]! ** 2;
          m[a * k + b]! += v;
          if (b !== a) m[b * k + a] = m[a * k + b]!;
        }
      }
      const l = new Float64Array(k * k);
      cholesky(m, l, k);
      let halfLogDet = sumLog(sigma);
      for (let a = 0; a < k; a++) halfLogDet += Math.log(l[a * k + a]!);
      return {
        mean: mu, sd,
        draw: (n, key) => {
          const e1 = normalArray(fold(key, 0), n * d);
          const e2 = normalArray(fold(key, 1), n * k);
          const draws = new Float32Array(n * d);
          const logQ = new Float64Array(n);
          const r = new Float64Array(d);
          const b = new Float64Array(k);
          for (let s = 0; s < n; s++) {
            let quad = 0;
            for (let i = 0; i < d; i++) {
              let z = mu[i]! + sigma[i]! * e1[s * d + i]!;
              for (let j = 0; j < k; j++) z += u[i * k + j]! * e2[s * k + j]!;
              draws[s * d + i] = z;
              r[i] = z - mu[i]!; // from the float32 draw, so that log q is of the value returned
              quad += (r[i]! / sigma[i]!) ** 2;
            }
            b.fill(0);
            for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) b[j]! += (u[i * k + j]! * r[i]!) / sigma[i]! ** 2;
            quad -= squaredSolve(l, b, k);
            logQ[s] = -0.5 * d * LOG_2PI - halfLogDet - 0.5 * quad;
          }
          return { draws, logQ };
        },
      };
    },
  };
}

function full(d: number): GaussianFamily {
  // M's strictly lower triangle, as a mask made once on the host (bandPart of the parameters
  // has no gradient in tfjs, and building the mask from tensor ops every step costs a dozen kernels).
  const strict = new Float32Array(d * d);
  for (let i = 0; i < d; i++) strict.fill(1, i * d, i * d + i);
  return {
    covariance: "full",
    init: (mean, rho0) => ({ mean: tf.tensor1d(mean), rho: tf.fill([d], rho0), lower: tf.zeros([d, d]) }),
    view: (p) => {
      const mean = p["mean"] as tf.Tensor1D;
      const sigma = sdOf(p["rho"] as tf.Tensor);
      const m = tf.mul(p["lower"] as tf.Tensor2D, tf.tensor2d(strict, [d, d]));
      return {
        mean, factorised: false,
        sd: tf.mul(sigma, tf.sqrt(tf.add(1, tf.sum(tf.square(m), 1)))) as tf.Tensor1D,
        sample: (draws, key) => {
          const eps = normal(key, [draws, d]);
          return tf.add(mean, tf.mul(sigma, tf.add(eps, tf.matMul(eps, m, false, true)))) as tf.Tensor2D;
        },
        entropy: () => tf.add(tf.sum(tf.log(sigma)), 0.5 * d * (1 + LOG_2PI)) as tf.Scalar,
      };
    },
    fitted: (p) => {
      const mu = host(p["mean"]);
      const sigma = host(p["rho"]).map(sdHost);
      const a = host(p["lower"]); // A = diag(σ)(I + M), M's strictly lower triangle
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < i; j++) a[i * d + j]! *= sigma[i]!;
        a[i * d + i] = sigma[i]!;
        a.fill(0, i * d + i + 1, (i + 1) * d);
      }
      const sd = Float64Array.from({ length: d }, (_, i) => Math.sqrt(a.subarray(i * d, i * d + i + 1).reduce((s, x) => s + x * x, 0)));
      const logSd = sumLog(sigma);
      return {
        mean: mu, sd,
        draw: (n, key) => {
          const eta = normalArray(key, n * d);
          const draws = new Float32Array(n * d);
          for (let s = 0; s < n; s++) {
            for (let i = 0; i < d; i++) {
              let z = mu[i]!;
              for (let j = 0; j <= i; j++) z += a[i * d + j]! * eta[s * d + j]!;
              draws[s * d + i] = z;
            }
          }
          return { draws, logQ: Float64Array.from({ length: n }, (_, s) => logNormalOf(eta, s * d, d) - logSd) };
        },
      };
    },
  };
}

/** bᵀ (L Lᵀ)⁻¹ b = ‖L⁻¹ b‖² by forward substitution. */
function squaredSolve(l: Float64Array, b: Float64Array, k: number): number {
  const y = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    let v = b[i]!;
    for (let c = 0; c < i; c++) v -= l[i * k + c]! * y[c]!;
    y[i] = v / l[i * k + i]!;
    sum += y[i]! ** 2;
  }
  return sum;
}
