/**
 * The bridge between models and inference.
 *
 * Inference (optimisers, HMC/NUTS, VI) sees a model only through this interface, whatever
 * produced it: a `.dlm` model instance compiled by the interpreter, or a density written by
 * hand against tfjs. Every call is batched: one row per chain (or per variational draw).
 */
import type { tf } from "./engine.js";
import type { HostProgram } from "./exec/host/compile-link.js";

export interface LogDensityModel {
  /** Length of the flat unconstrained parameter vector. */
  readonly dim: number;
  /**
   * Unnormalised log density on the unconstrained space, log|det J| of the constraining
   * transforms included: `[chains, dim]` → `[chains]`. Row c of the result must depend on
   * row c of `q` only, so that the gradient of the sum is the per-chain gradient.
   */
  logDensity(q: tf.Tensor2D): tf.Tensor1D;
  /**
   * The same log density and its gradient in float64 on the host for one row, where the model
   * was compiled by the host engine (core/exec/host/): reads q[at … at + dim), writes
   * grad[at … at + dim), returns the value. The samplers call it per chain instead of the
   * batched tfjs gradient.
   */
  readonly hostValueAndGrad?: (q: ArrayLike<number>, grad: Float64Array, at: number) => number;
  /** The same function as data that a worker thread can link (core/exec/host/compile-link.ts). */
  readonly hostProgram?: HostProgram;
}

/**
 * A log density that also knows how to report its parameters: the constrained values and
 * every recorded quantity (Stan's generated quantities) as named scalars.
 */
export interface PosteriorModel extends LogDensityModel {
  /** Names of the output scalars, Stan style and 1-based: `beta[1]`, `Sigma[2,1]`. */
  readonly outputNames: readonly string[];
  /** Output scalars for a batch of unconstrained points: `[rows, dim]` → rows of `outputNames.length` numbers. */
  outputs(q: tf.Tensor2D): number[][];
  /**
   * For a point where the log density or its gradient is not finite, a message naming the
   * model statement responsible (used when initialisation fails); undefined if unknown.
   */
  explainNonFinite?(q: Float32Array): string | undefined;
}

/** A hand-written log density, with names `q[1]`, `q[2]`, ... and identity outputs. */
export function logDensityModel(dim: number, logDensity: (q: tf.Tensor2D) => tf.Tensor1D): PosteriorModel {
  const outputNames = Array.from({ length: dim }, (_, i) => `q[${i + 1}]`);
  return {
    dim,
    logDensity,
    outputNames,
    outputs(q) {
      return q.arraySync();
    },
  };
}
