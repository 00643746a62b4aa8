/**
 * MvNormal(mu, Sigma) and MvNormal(mu, cholesky = L): the multivariate normal with mean μ
 * [...batch, K] and covariance Σ = L Lᵀ [...batch, K, K] (batch dims broadcast).
 *   log p(x) = −½‖L⁻¹(x − μ)‖² − Σ_i log L_ii − (K/2)·log 2π.
 * Sampling: μ + L z with z standard normal (reparameterised).
 * Σ is factorised by core/linalg's cholesky, which reads only its lower triangle; with
 * `validate` a non-positive-definite Σ raises a DistributionError, otherwise it gives NaN.
 */
import { tf } from "../core/engine.js";
import { cholesky, choleskyOrThrow, diagPart, lowerTriangle, mahalanobis, NotPositiveDefiniteError } from "../core/linalg.js";
import { normal as standardNormal } from "../core/random.js";
import { real } from "./constraints.js";
import { DistributionError, type Distribution } from "./distribution.js";
import { asTensor, check, LOG_2PI, makeDistribution, type DistributionOptions, type Param } from "./util.js";

function shapes(mu: tf.Tensor, m: tf.Tensor, what: string): number {
  const k = mu.shape[mu.rank - 1];
  if (mu.rank === 0 || k === undefined) throw new DistributionError(`MvNormal: mu must be a vector, got shape [${mu.shape.join(", ")}]`);
  if (m.rank < 2 || m.shape[m.rank - 1] !== k || m.shape[m.rank - 2] !== k) {
    throw new DistributionError(`MvNormal: ${what} must be a ${k}×${k} matrix to match mu, got shape [${m.shape.join(", ")}]`);
  }
  return k;
}

function fromCholesky(mu: tf.Tensor, l: tf.Tensor, k: number, options: DistributionOptions): Distribution {
  return makeDistribution({
    name: "MvNormal",
    support: real,
    paramShapes: [mu.shape.slice(0, -1), l.shape.slice(0, -2)],
    eventShape: [k],
    options,
    logProb: (x) => {
      const maha = mahalanobis(l, tf.sub(x, mu));
      return tf.sub(tf.sub(tf.mul(-0.5, maha), tf.sum(tf.log(diagPart(l)), -1)), 0.5 * k * LOG_2PI);
    },
    sample: (key, sampleShape, batchShape) => {
      const z = standardNormal(key, [...sampleShape, ...batchShape, k]);
      return tf.add(mu, tf.sum(tf.mul(l, tf.expandDims(z, -2)), -1));
    },
    mean: () => mu,
    variance: () => tf.sum(tf.square(l), -1),
  });
}

/** MvNormal(mu, Sigma), Sigma symmetric positive definite. */
export function mvNormal(mu: Param, sigma: Param, options: DistributionOptions = {}): Distribution {
  const m = asTensor(mu);
  const s = asTensor(sigma);
  const k = shapes(m, s, "Sigma");
  check("MvNormal", "mu", mu, "finite", options.validate);
  let l: tf.Tensor;
  if (options.validate === true) {
    try {
      l = choleskyOrThrow(s);
    } catch (e) {
      if (e instanceof NotPositiveDefiniteError) throw new DistributionError("MvNormal: Sigma must be symmetric positive definite");
      throw e;
    }
  } else {
    l = cholesky(s);
  }
  return fromCholesky(m, l, k, options);
}

/** MvNormal(mu, cholesky = L), L lower triangular with a positive diagonal (only its lower triangle is read). */
export function mvNormalCholesky(mu: Param, choleskyFactor: Param, options: DistributionOptions = {}): Distribution {
  const m = asTensor(mu);
  const l = asTensor(choleskyFactor);
  const k = shapes(m, l, "cholesky");
  check("MvNormal", "mu", mu, "finite", options.validate);
  if (options.validate === true) {
    const d = tf.tidy(() => diagPart(l).dataSync());
    const bad = d.findIndex((v) => !(v > 0));
    if (bad >= 0) throw new DistributionError(`MvNormal: the diagonal of cholesky must be positive, got ${d[bad]}`);
  }
  return fromCholesky(m, lowerTriangle(l), k, options);
}
