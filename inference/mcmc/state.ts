/**
 * Records shared by the transition kernels. Everything lives on the host in float64
 * (row-major `[C·D]` for per-coordinate arrays); the samplers never write to an input record.
 */

/** The current position of every chain with its log density and gradient. */
export interface ChainState {
  /** `[C·D]` unconstrained positions (float32-representable: the points the model was evaluated at). */
  readonly q: Float64Array;
  /** `[C]` log π̃(q), log|J| included. */
  readonly lp: Float64Array;
  /** `[C·D]` ∇ log π̃(q). */
  readonly grad: Float64Array;
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
  /** The next state (new arrays, owned by the caller). */
  readonly state: ChainState;
  readonly stats: TransitionStats;
  /** Batched gradient evaluations spent (each evaluates all C chains). */
  readonly gradientCalls: number;
}

/** Stan's names of the sampler columns, in `TransitionStats` order. */
export const STAT_COLUMNS = ["lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"] as const;
export type StatColumn = (typeof STAT_COLUMNS)[number];
