/**
 * The IR's dense linear algebra in float64, each op with its reverse-mode rule written once
 * here: the Cholesky factor of a symmetric positive-definite matrix and solves with a lower
 * triangular matrix (L X = B, or Lᵀ X = B). The host executor (core/exec/host/compile.ts)
 * calls these from its generated code; graph.ts folds constant operands with them.
 *
 * Matrices are row-major n × n Float64Arrays; B and X are n × m (a vector is m = 1).
 * Adjoints are accumulated (+=) into `out` starting at `off`, so the executor can pass θ's
 * gradient array itself for a parameter operand.
 */

/**
 * L with A = L Lᵀ from A's lower triangle (the upper is not read; L's upper part is zero),
 * column by column. Where A is not positive definite to working precision the factor is NaN
 * from the failing column on, and so is everything computed from it.
 */
export function cholesky(a: Float64Array, l: Float64Array, n: number): void {
  l.fill(0);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let v = a[i * n + j]!;
      for (let k = 0; k < j; k++) v -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = v / ljj;
    }
  }
}

/**
 * Ā += the adjoint of A given L̄, by running the factorisation above backwards statement by
 * statement (the unblocked reverse mode of Murray 2016, "Differentiation of the Cholesky
 * decomposition"). Only A's lower triangle receives adjoint, as only it is read. `lb` is
 * n × n scratch (L̄ is copied there and consumed).
 */
export function choleskyBackward(l: Float64Array, lbar: Float64Array, out: Float64Array, off: number, n: number, lb: Float64Array): void {
  lb.set(lbar);
  for (let j = n - 1; j >= 0; j--) {
    const ljj = l[j * n + j]!;
    // L[i, j] = (A[i, j] − Σ_{k<j} L[i, k] L[j, k]) / L[j, j], for i = n−1 down to j+1
    for (let i = n - 1; i > j; i--) {
      const s = lb[i * n + j]! / ljj;
      lb[j * n + j]! -= s * l[i * n + j]!;
      out[off + i * n + j]! += s;
      for (let k = 0; k < j; k++) {
        lb[i * n + k]! -= s * l[j * n + k]!;
        lb[j * n + k]! -= s * l[i * n + k]!;
      }
    }
    // L[j, j] = √(A[j, j] − Σ_{k<j} L[j, k]²)
    const s = lb[j * n + j]! / (2 * ljj);
    out[off + j * n + j]! += s;
    for (let k = 0; k < j; k++) lb[j * n + k]! -= 2 * s * l[j * n + k]!;
  }
}

/** X = L⁻¹ B (or L⁻ᵀ B with `transpose`) by substitution; `x` may be `b` itself. */
export function solveLower(l: Float64Array, b: Float64Array, x: Float64Array, n: number, m: number, transpose: boolean): void {
  if (x !== b) x.set(b);
  if (!transpose) {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < i; k++) {
        const lik = l[i * n + k]!;
        for (let c = 0; c < m; c++) x[i * m + c]! -= lik * x[k * m + c]!;
      }
      const inv = 1 / l[i * n + i]!;
      for (let c = 0; c < m; c++) x[i * m + c]! *= inv;
    }
  } else {
    // (Lᵀ)[i, k] = L[k, i], upper triangular: from the last row up
    for (let i = n - 1; i >= 0; i--) {
      for (let k = i + 1; k < n; k++) {
        const lki = l[k * n + i]!;
        for (let c = 0; c < m; c++) x[i * m + c]! -= lki * x[k * m + c]!;
      }
      const inv = 1 / l[i * n + i]!;
      for (let c = 0; c < m; c++) x[i * m + c]! *= inv;
    }
  }
}

/**
 * Adjoints of X = M⁻¹ B with M = L (or Lᵀ): B̄ = M⁻ᵀ X̄ and M̄ = −B̄ Xᵀ, of which L's lower
 * triangle takes −B̄ Xᵀ (or, for M = Lᵀ, −X B̄ᵀ). B̄ is accumulated into `bOut` from `bOff`,
 * L̄ into `lOut` from `lOff`; either may be null (no gradient needed). `bb` is n × m scratch.
 */
export function solveLowerBackward(
  l: Float64Array, x: Float64Array, xbar: Float64Array, n: number, m: number, transpose: boolean,
  lOut: Float64Array | null, lOff: number, bOut: Float64Array | null, bOff: number, bb: Float64Array,
): void {
  solveLower(l, xbar, bb, n, m, !transpose);
  if (bOut !== null) for (let i = 0; i < n * m; i++) bOut[bOff + i]! += bb[i]!;
  if (lOut === null) return;
  const [p, q] = transpose ? [x, bb] : [bb, x];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k <= i; k++) {
      let s = 0;
      for (let c = 0; c < m; c++) s += p[i * m + c]! * q[k * m + c]!;
      lOut[lOff + i * n + k]! -= s;
    }
  }
}
