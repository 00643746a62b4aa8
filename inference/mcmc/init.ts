/**
 * Initial points (Stan `services/util/initialize`): each unconstrained coordinate drawn from
 * Uniform(−R, R) (R = 2), redrawn per chain up to 100 times until the log density and every
 * gradient component are finite. User-supplied rows are tried once.
 */
import type { RandomStream } from "../../core/keys.js";
import type { HostGradient } from "./float64-gradient.js";
import type { ChainState } from "./state.js";

export const MAX_INIT_TRIES = 100;

/** Raised when no finite starting point was found. */
export class InitializationError extends Error {
  override readonly name = "InitializationError";
}

export interface InitOptions {
  /** Half-width R of the uniform initial box (2). 0 starts every chain at the origin. */
  readonly radius?: number;
  /** User initial values: one unconstrained row of length `dim` per chain. */
  readonly init?: readonly (readonly number[])[];
  /** For a point where the log density is not finite, the model statement responsible (PosteriorModel.explainNonFinite). */
  readonly explain?: (row: Float32Array) => string | undefined;
}

/** Finite per row: the log density and every component of its gradient. */
function finiteRows(lp: Float64Array, grad: Float64Array, dim: number): boolean[] {
  return Array.from(lp, (v, c) => {
    if (!Number.isFinite(v)) return false;
    for (let i = 0; i < dim; i++) if (!Number.isFinite(grad[c * dim + i]!)) return false;
    return true;
  });
}

/**
 * Starting states for `streams.length` chains. Chain c draws D uniforms per attempt from
 * `streams[c]`, so its initial point does not depend on the other chains. Every attempt
 * evaluates all chains in one batch (the rows of settled chains are simply kept).
 */
export function initialState(gradient: HostGradient, streams: readonly RandomStream[], options: InitOptions = {}): ChainState {
  const C = streams.length;
  const D = gradient.dim;
  if (gradient.chains !== C) throw new RangeError(`${C} streams for ${gradient.chains} chains`);
  const radius = options.radius ?? 2;
  const user = options.init;
  if (user !== undefined) {
    if (user.length !== C) throw new InitializationError(`init needs one row per chain (${C}), got ${user.length}`);
    user.forEach((r, c) => {
      if (r.length !== D) throw new InitializationError(`init row for chain ${c + 1} has ${r.length} values, the model has ${D}`);
    });
  }
  const tries = user !== undefined || radius === 0 ? 1 : MAX_INIT_TRIES;
  // float32-representable where the model sees float32
  const round = gradient.float32 ? Math.fround : (x: number): number => x;
  const rows = new Float64Array(C * D);
  const lp = new Float64Array(C);
  const grad = new Float64Array(C * D);
  const settled = new Array<boolean>(C).fill(false);
  for (let attempt = 0; attempt < tries; attempt++) {
    for (let c = 0; c < C; c++) {
      if (settled[c]) continue;
      for (let i = 0; i < D; i++) {
        rows[c * D + i] = round(user !== undefined ? user[c]![i]! : radius === 0 ? 0 : -radius + 2 * radius * streams[c]!.uniform());
      }
    }
    gradient.evaluate(rows, lp, grad);
    const ok = finiteRows(lp, grad, D);
    ok.forEach((f, c) => {
      if (f) settled[c] = true;
    });
    if (ok.every(Boolean)) return { q: rows, lp, grad };
  }
  const bad = settled.findIndex((s) => !s);
  const why = options.explain?.(Float32Array.from(rows.subarray(bad * D, (bad + 1) * D)));
  const how =
    user !== undefined
      ? "at the user-supplied initial values"
      : radius === 0
        ? "at the origin of the unconstrained space"
        : `at all ${tries} random initial points drawn from Uniform(${-radius}, ${radius}) on the unconstrained scale`;
  throw new InitializationError(
    `initialisation failed for chain ${bad + 1}: the log density or its gradient was not finite ${how}${why ? `; ${why}` : ""}`,
  );
}
