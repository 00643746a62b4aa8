/**
 * The distribution interface: plain objects made by factory functions (normal.ts, gamma.ts, ...).
 *
 * Shapes follow NumPyro/TFP: a value has shape `[...sample, ...batch, ...event]`. Parameters
 * are tensors that broadcast together (NumPy rules, aligned at the right); a leading chain
 * axis on a parameter is just another batch dimension. `logProb` never sums over batch
 * dimensions: the caller (the interpreter) decides what to add up.
 */
import type { tf } from "../core/engine.js";
import type { Key } from "../core/random.js";
import type { Constraint } from "./constraints.js";

export type Shape = readonly number[];

export interface Distribution {
  /** The name users write: "Normal", "Categorical", ... */
  readonly name: string;
  readonly support: Constraint;
  readonly batchShape: Shape;
  readonly eventShape: Shape;
  /** True for distributions over integers or booleans. */
  readonly discrete: boolean;
  /** Log density (or mass) of `x`: shape `broadcast(batch of x, batchShape)`. */
  logProb(x: tf.Tensor): tf.Tensor;
  /**
   * `logProb` for values known to lie in the support (a latent made by the support's
   * bijector, data already checked with `contains`): the same formula without the support
   * mask, so fewer kernels. Outside the support the result is unspecified (not −∞).
   * Optional: callers fall back to `logProb`.
   */
  readonly logProbInSupport?: (x: tf.Tensor) => tf.Tensor;
  /**
   * Univariate families of core/ir/families.ts: Σ logProbInSupport(x) over every axis of
   * `broadcast(batch of x, batchShape)`, or over every axis but the first with `keepAxis0` (a
   * scorer's per-chain sum, `[C]`), as one kernel whose gradient is analytic and computed only
   * for what is differentiated (core/fused-logpdf.ts). Values must lie in the support.
   * Optional: callers fall back to summing `logProbInSupport`.
   */
  readonly logProbSum?: (x: tf.Tensor, keepAxis0: boolean, options?: LogProbSumOptions) => tf.Tensor;
  /**
   * Univariate families with terms of the value alone (−lgamma(k + 1) for Poisson), where
   * those terms read no tensor parameter: `term64` is one element's term, in float64. A
   * scorer of fixed data sums them once on the host and asks `logProbSum` for the rest
   * (interpreter/handlers.ts). `key` names the term (family and any parameter it reads), so
   * that cached sums are reused only for the same term.
   */
  readonly valueTerms?: ValueTerms;
  /** Draws of shape `[...sampleShape, ...batchShape, ...eventShape]`. */
  sample(key: Key, sampleShape?: Shape): tf.Tensor;
  /** Mean, shape `[...batchShape, ...eventShape]`; NaN where undefined, Infinity where infinite. */
  mean(): tf.Tensor;
  /** Elementwise variance, same shape and conventions as `mean`. */
  variance(): tf.Tensor;
  /** Univariate continuous only, where available: log P(X ≤ x), differentiable in x. */
  readonly logCdf?: (x: tf.Tensor) => tf.Tensor;
  /** Univariate continuous only, where available: log P(X > x), differentiable in x. */
  readonly logSf?: (x: tf.Tensor) => tf.Tensor;
  /** Univariate continuous only, where available: the inverse CDF at probabilities `u`. */
  readonly quantile?: (u: tf.Tensor) => tf.Tensor;
  /** Univariate continuous only, where available: the inverse survival function, x with P(X > x) = s (precise in the upper tail). */
  readonly quantileSf?: (s: tf.Tensor) => tf.Tensor;
}

/** Options of Distribution.logProbSum. */
export interface LogProbSumOptions {
  /** Leave out the terms of `valueTerms` (default false), for a caller that sums them once. */
  readonly withoutValueTerms?: boolean;
  /** The value is data, never differentiated (observed data): no partials are made for it. */
  readonly valueIsData?: boolean;
}

/** The value-only terms of a univariate family's log density (Distribution.valueTerms). */
export interface ValueTerms {
  readonly key: string;
  /** The value-only term of one element, float64. */
  readonly term64: (x: number) => number;
}

/** Raised for invalid arguments (`Normal(0, -1)`), with a message fit for users. */
export class DistributionError extends Error {
  override readonly name = "DistributionError";
}
