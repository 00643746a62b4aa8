/**
 * Host-side float64 linear algebra for the dense metric (tfjs has no Cholesky): row-major
 * `n × n` matrices in `Float64Array`s.
 */
import { cholesky as factor } from "../../core/ir/linalg.js";

/** Raised when a matrix that must be symmetric positive definite is not. */
export class NotPositiveDefiniteError extends Error {
  override readonly name = "NotPositiveDefiniteError";
}

/**
 * Lower Cholesky factor L of a symmetric positive-definite A (A = L Lᵀ): the IR's float64
 * factorisation (core/ir/linalg.ts), which leaves NaN from a failing column on, checked here.
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  factor(a, l, n);
  for (let i = 0; i < n; i++) {
    if (!(l[i * n + i]! > 0)) throw new NotPositiveDefiniteError(`matrix is not positive definite (pivot ${i} is not positive)`);
  }
  return l;
}
