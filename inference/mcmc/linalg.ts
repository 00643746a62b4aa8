/**
 * Host-side float64 linear algebra for the dense metric (tfjs has no Cholesky): row-major
 * `n × n` matrices in `Float64Array`s.
 */

/** Raised when a matrix that must be symmetric positive definite is not. */
export class NotPositiveDefiniteError extends Error {
  override readonly name = "NotPositiveDefiniteError";
}

/**
 * Lower Cholesky factor L of a symmetric positive-definite A (A = L Lᵀ), by the
 * Cholesky–Banachiewicz recurrence (Golub & Van Loan, Matrix Computations, §4.2).
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) throw new NotPositiveDefiniteError(`matrix is not positive definite (pivot ${i} is ${s})`);
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  return l;
}
