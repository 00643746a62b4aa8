/**
 * The samplers' view of a model: log density and gradient of a batch of host positions
 * (`HostGradient`), and its float64 form for models compiled by the host engine. This module
 * is free of tfjs so that sampler worker threads load without it; gradient.ts adds the tfjs
 * form.
 */

export interface HostGradient {
  readonly chains: number;
  readonly dim: number;
  /**
   * True where the model sees positions in float32 (tfjs): the integrator then rounds every
   * position to float32, so that a stored draw is exactly the point whose log density and
   * gradient the sampler carries. False for float64 models (the host engine).
   */
  readonly float32: boolean;
  /**
   * log π̃ and ∇ log π̃ at the C positions `q` (`[C·D]`): writes `lp[c]` and `grad[c·D …)`
   * for every chain, or only for chains with `live[c] ≠ 0` when a mask is given (the rows of
   * the others are left untouched).
   */
  evaluate(q: ArrayLike<number>, lp: Float64Array, grad: Float64Array, live?: Uint8Array): void;
}

/** One row's log density at q[at … at + dim), its gradient written to grad[at … at + dim). */
export type RowValueAndGrad = (q: ArrayLike<number>, grad: Float64Array, at: number) => number;

/** The batch adapter of a float64 row function: one call per live chain, nothing allocated. */
export function float64Gradient(f: RowValueAndGrad, dim: number, chains: number): HostGradient {
  return new Float64Rows(f, dim, chains);
}

/** A class rather than a closure, so that V8's type feedback is shared across runs. */
class Float64Rows implements HostGradient {
  readonly float32 = false;

  constructor(
    private readonly f: RowValueAndGrad,
    readonly dim: number,
    readonly chains: number,
  ) {}

  evaluate(q: ArrayLike<number>, lp: Float64Array, grad: Float64Array, live?: Uint8Array): void {
    const { f, dim, chains } = this;
    if (q.length !== chains * dim) throw new RangeError(`expected ${chains}×${dim} positions, got ${q.length}`);
    for (let c = 0; c < chains; c++) if (live === undefined || live[c] !== 0) lp[c] = f(q, grad, c * dim);
  }
}
