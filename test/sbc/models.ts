/**
 * Three small models for simulation-based calibration, written by hand in tfjs. Each SBC
 * replicate is one chain of a single lockstep `sample` call: row c of the data tensors is
 * replicate c's simulated data set, so the log density of row c of q is the posterior of
 * replicate c. True parameters come from the prior and data from the likelihood, both through
 * core/random streams keyed by (seed, replicate).
 */
import { tf } from "../../core/engine.js";
import type { LogDensityModel } from "../../core/model.js";
import { fold, key, stream, type RandomStream } from "../../core/random.js";

/** A batch of SBC replicates of one model. */
export interface SbcProblem {
  /** Names of the tested parameters, on the constrained scale. */
  readonly names: readonly string[];
  /** Log density over [replicates, dim]: row c is replicate c's posterior (log|J| included unless dropped). */
  readonly model: LogDensityModel;
  /** Per replicate, the true (prior-drawn) constrained parameters, in `names` order. */
  readonly truths: readonly (readonly number[])[];
  /** The constrained parameters (in `names` order) of one unconstrained draw. */
  constrain(q: ArrayLike<number>): number[];
  /** Frees the data tensors. */
  dispose(): void;
}

const streams = (replicates: number, seed: number): RandomStream[] =>
  Array.from({ length: replicates }, (_, n) => stream(fold(key(seed), n)));

const col = (q: tf.Tensor2D, j: number): tf.Tensor1D => tf.squeeze(tf.slice(q, [0, j], [-1, 1]), [1]);

/** Number of observations of the normal model. */
export const NORMAL_N = 10;

/**
 * (a) μ ~ Normal(0, 1), σ ~ HalfNormal(1), yᵢ ~ Normal(μ, σ) for i = 1 … 10; unconstrained
 * q = (μ, log σ), log|J| = log σ. `muPriorSd[c]` (default 1) is the prior sd of μ that the
 * DENSITY of replicate c uses; the simulator always draws μ ~ Normal(0, 1), so a value other
 * than 1 makes replicate c a negative control (a posterior that does not match the simulator).
 */
export function normalProblem(replicates: number, seed: number, muPriorSd: readonly number[] = []): SbcProblem {
  const truths: number[][] = [];
  const ys: number[][] = [];
  for (const s of streams(replicates, seed)) {
    const mu = s.normal();
    const sigma = Math.abs(s.normal());
    truths.push([mu, sigma]);
    ys.push(Array.from({ length: NORMAL_N }, () => mu + sigma * s.normal()));
  }
  const y = tf.tensor2d(ys);
  const muPrecision = tf.tensor1d(Array.from({ length: replicates }, (_, c) => (muPriorSd[c] ?? 1) ** -2));
  return {
    names: ["mu", "sigma"],
    truths,
    model: {
      dim: 2,
      logDensity: (q) =>
        tf.tidy(() => {
          const mu = col(q, 0);
          const logSigma = col(q, 1);
          const sigma = tf.exp(logSigma);
          const z = tf.div(tf.sub(y, tf.expandDims(mu, 1)), tf.expandDims(sigma, 1));
          const lik = tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), 1)), tf.mul(NORMAL_N, logSigma));
          const prior = tf.mul(-0.5, tf.add(tf.mul(muPrecision, tf.square(mu)), tf.square(sigma)));
          return tf.add(tf.add(prior, lik), logSigma);
        }),
    },
    constrain: (q) => [q[0]!, Math.exp(q[1]!)],
    dispose: () => tf.dispose([y, muPrecision]),
  };
}

/** Number of observations of the logistic regression. */
export const LOGISTIC_N = 20;

/**
 * (b) Logistic regression with two coefficients: α, β ~ Normal(0, 1), covariates xᵢ ~ Normal(0, 1)
 * (simulated, then fixed), yᵢ ~ Bernoulli(logit⁻¹(α + β xᵢ)) for i = 1 … 20.
 */
export function logisticProblem(replicates: number, seed: number): SbcProblem {
  const truths: number[][] = [];
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (const s of streams(replicates, seed)) {
    const a = s.normal();
    const b = s.normal();
    truths.push([a, b]);
    const x = Array.from({ length: LOGISTIC_N }, () => s.normal());
    xs.push(x);
    ys.push(x.map((xi) => (s.uniform() < 1 / (1 + Math.exp(-(a + b * xi))) ? 1 : 0)));
  }
  const x = tf.tensor2d(xs);
  const y = tf.tensor2d(ys);
  return {
    names: ["alpha", "beta"],
    truths,
    model: {
      dim: 2,
      logDensity: (q) =>
        tf.tidy(() => {
          const eta = tf.add(tf.expandDims(col(q, 0), 1), tf.mul(tf.expandDims(col(q, 1), 1), x));
          // log p(y | η) = y η − log(1 + e^η)
          const lik = tf.sum(tf.sub(tf.mul(y, eta), tf.softplus(eta)), 1);
          return tf.add(tf.mul(-0.5, tf.sum(tf.square(q), 1)), lik) as tf.Tensor1D;
        }),
    },
    constrain: (q) => [q[0]!, q[1]!],
    dispose: () => tf.dispose([x, y]),
  };
}

/** Known measurement sds of the hierarchical model's four groups. */
export const GROUP_SD = [0.5, 1, 1.5, 2] as const;

/**
 * (c) Non-centred hierarchical model with four groups (eight schools in small): μ ~ Normal(0, 1),
 * τ ~ HalfNormal(1), zⱼ ~ Normal(0, 1), θⱼ = μ + τ zⱼ, yⱼ ~ Normal(θⱼ, sⱼ) with known sⱼ;
 * q = (μ, log τ, z₁ … z₄), log|J| = log τ. Tested: μ, τ, θ₁ … θ₄.
 */
export function hierarchicalProblem(replicates: number, seed: number): SbcProblem {
  const J = GROUP_SD.length;
  const truths: number[][] = [];
  const ys: number[][] = [];
  for (const s of streams(replicates, seed)) {
    const mu = s.normal();
    const tau = Math.abs(s.normal());
    const theta = GROUP_SD.map(() => mu + tau * s.normal());
    truths.push([mu, tau, ...theta]);
    ys.push(theta.map((t, j) => t + GROUP_SD[j]! * s.normal()));
  }
  const y = tf.tensor2d(ys);
  const sd = tf.tensor1d([...GROUP_SD]);
  return {
    names: ["mu", "tau", ...GROUP_SD.map((_, j) => `theta[${j + 1}]`)],
    truths,
    model: {
      dim: 2 + J,
      logDensity: (q) =>
        tf.tidy(() => {
          const mu = col(q, 0);
          const logTau = col(q, 1);
          const tau = tf.exp(logTau);
          const z = tf.slice(q, [0, 2], [-1, J]);
          const theta = tf.add(tf.expandDims(mu, 1), tf.mul(tf.expandDims(tau, 1), z));
          const lik = tf.mul(-0.5, tf.sum(tf.square(tf.div(tf.sub(y, theta), sd)), 1));
          const prior = tf.mul(-0.5, tf.add(tf.add(tf.square(mu), tf.square(tau)), tf.sum(tf.square(z), 1)));
          return tf.add(tf.add(prior, lik), logTau);
        }),
    },
    constrain: (q) => {
      const tau = Math.exp(q[1]!);
      return [q[0]!, tau, ...GROUP_SD.map((_, j) => q[0]! + tau * q[2 + j]!)];
    },
    dispose: () => tf.dispose([y, sd]),
  };
}
