/**
 * Records shared by the transition kernels.
 */
import type { tf } from "../../core/engine.js";

/** The current position of every chain with its log density and gradient (tensors owned by the holder). */
export interface ChainState {
  /** `[C, D]` unconstrained positions. */
  readonly q: tf.Tensor2D;
  /** `[C]` log π̃(q), log|J| included. */
  readonly lp: tf.Tensor1D;
  /** `[C, D]` ∇ log π̃(q). */
  readonly grad: tf.Tensor2D;
}

/** Stan's per-draw sampler columns, one entry per chain. */
export interface TransitionStats {
  readonly lp: Float64Array;
  readonly acceptStat: Float64Array;
  readonly stepSize: Float64Array;
  readonly treeDepth: Float64Array;
  readonly nLeapfrog: Float64Array;
  readonly divergent: Float64Array;
  readonly energy: Float64Array;
}

export interface TransitionResult {
  /** The next state (new tensors, owned by the caller). */
  readonly state: ChainState;
  readonly stats: TransitionStats;
  /** Batched gradient evaluations spent (each evaluates all C chains). */
  readonly gradientCalls: number;
}

export function disposeState(s: ChainState): void {
  s.q.dispose();
  s.lp.dispose();
  s.grad.dispose();
}

/** Stan's names of the sampler columns, in `TransitionStats` order. */
export const STAT_COLUMNS = ["lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"] as const;
export type StatColumn = (typeof STAT_COLUMNS)[number];
