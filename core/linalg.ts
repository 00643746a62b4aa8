/**
 * Dense linear algebra on small matrices, batched over leading dimensions (`[..., n, n]`,
 * typically a leading chain axis and n ≤ 50), in float32 and differentiable. tfjs has no
 * Cholesky factorisation or triangular solve, so both are built here from tfjs ops one column
 * (or row) at a time: O(n) kernel launches per call, each working on the whole batch.
 *
 * Gradients are the standard closed forms (custom gradients, not autodiff through the
 * loops): for the Cholesky factor, Murray (2016), "Differentiation of the Cholesky
 * decomposition", arXiv:1602.07527, eq. 10; for triangular solves, the adjoint of X = M⁻¹B.
 */
import { broadcastShapesOrThrow } from "./broadcast.js";
import { tf } from "./engine.js";
import { reduceTo } from "./special-util.js";
import { fusedCholesky } from "./fused-cholesky.js";

/** Raised by `choleskyOrThrow` for a matrix that is not (numerically) positive definite. */
export class NotPositiveDefiniteError extends Error {
  override readonly name = "NotPositiveDefiniteError";
}

function squareSize(a: tf.Tensor, what: string): number {
  const n = a.shape[a.rank - 1];
  if (a.rank < 2 || n === undefined || a.shape[a.rank - 2] !== n) {
    throw new RangeError(`${what}: expected a square matrix [..., n, n], got shape [${a.shape.join(", ")}]`);
  }
  return n;
}

/** 1 on and below the diagonal (`diagonal` on it), 0 above: an [n, n] constant. */
function lowerMask(n: number, diagonal = 1): tf.Tensor2D {
  const v: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v.push(j < i ? 1 : j === i ? diagonal : 0);
  return tf.tensor2d(v, [n, n]);
}

/** Swap the last two axes. */
function transposeLast(a: tf.Tensor): tf.Tensor {
  const perm = [...Array(a.rank).keys()];
  perm[a.rank - 1] = a.rank - 2;
  perm[a.rank - 2] = a.rank - 1;
  return tf.transpose(a, perm);
}

/**
 * Column-by-column (right-looking) Cholesky of a batch [b, n, n]: take column j of the
 * trailing matrix, scale it by 1/√(pivot), and subtract its outer product; seven kernel
 * launches per column. Non-finite from the first non-positive pivot on.
 */
function choleskyBatch(a: tf.Tensor3D): tf.Tensor3D {
  const [b, n] = [a.shape[0], a.shape[1]];
  const masks = tf.unstack(tf.reshape(lowerMask(n), [n, n, 1]), 1); // masks[j][i] = 1 for i ≥ j, as [n, 1]
  const columns: tf.Tensor3D[] = [];
  let rest: tf.Tensor3D = a;
  for (let j = 0; j < n; j++) {
    const c = tf.slice(rest, [0, 0, j], [b, n, 1]) as tf.Tensor3D;
    const scale = tf.mul(tf.rsqrt(tf.slice(c, [0, j, 0], [b, 1, 1])), masks[j]!);
    const col = tf.mul(c, scale) as tf.Tensor3D;
    columns.push(col);
    if (j < n - 1) rest = tf.sub(rest, tf.matMul(col, col, false, true));
  }
  return tf.concat(columns, 2) as tf.Tensor3D;
}

/** Forward substitution M X = B for lower-triangular M [b, n, n] (only its lower triangle is read), B [b, n, k]. */
function lowerSolveBatch(m: tf.Tensor3D, rhs: tf.Tensor3D): tf.Tensor3D {
  const [b, n, k] = [rhs.shape[0], rhs.shape[1], rhs.shape[2]];
  const rows = tf.unstack(rhs, 1) as tf.Tensor2D[];
  const diag = tf.unstack(tf.sum(tf.mul(m, tf.eye(n)), 2), 1).map((d) => tf.reshape(d, [b, 1]));
  const done: tf.Tensor2D[] = [];
  for (let i = 0; i < n; i++) {
    let r: tf.Tensor2D = rows[i]!;
    if (i > 0) {
      const prev = tf.stack(done, 1) as tf.Tensor3D; // [b, i, k]
      const mi = tf.slice(m, [0, i, 0], [b, 1, i]);
      r = tf.sub(r, tf.reshape(tf.matMul(mi, prev), [b, k]));
    }
    done.push(tf.div(r, diag[i]!));
  }
  return tf.stack(done, 1) as tf.Tensor3D;
}

/** Solve M X = B where M is lower (`lower`) or upper triangular, batches [b, n, n] and [b, n, k]. */
function triangularSolveBatch(m: tf.Tensor3D, rhs: tf.Tensor3D, lower: boolean): tf.Tensor3D {
  if (lower) return lowerSolveBatch(m, rhs);
  // Reversing rows and columns turns an upper-triangular system into a lower one.
  const x = lowerSolveBatch(tf.reverse(m, [1, 2]), tf.reverse(rhs, [1]));
  return tf.reverse(x, [1]);
}


/** Broadcast the batch dimensions of M [..., n, n] and B [..., n, k] together and flatten them. */
function batchPair(m: tf.Tensor, rhs: tf.Tensor): { m3: tf.Tensor3D; b3: tf.Tensor3D; batch: number[] } {
  const n = m.shape[m.rank - 1]!;
  const k = rhs.shape[rhs.rank - 1]!;
  const batch = broadcastShapesOrThrow([m.shape.slice(0, -2), rhs.shape.slice(0, -2)], (msg) => new RangeError(`batch ${msg}`));
  const size = batch.reduce((p, d) => p * d, 1);
  const m3 = tf.reshape(tf.broadcastTo(m, [...batch, n, n]), [size, n, n]) as tf.Tensor3D;
  const b3 = tf.reshape(tf.broadcastTo(rhs, [...batch, n, k]), [size, n, k]) as tf.Tensor3D;
  return { m3, b3, batch };
}

/** M X = B with batch broadcasting; result [...batch, n, k]. */
function solveBroadcast(m: tf.Tensor, rhs: tf.Tensor, lower: boolean): tf.Tensor {
  const { m3, b3, batch } = batchPair(m, rhs);
  return tf.reshape(triangularSolveBatch(m3, b3, lower), [...batch, b3.shape[1], b3.shape[2]]);
}

export interface TriangularSolveOptions {
  /** Whether `L` is lower triangular (default true); only that triangle is read. */
  readonly lower?: boolean;
  /** Solve Lᵀ X = B instead of L X = B (default false). */
  readonly transpose?: boolean;
}

/**
 * X with L X = B (or Lᵀ X = B with `transpose`), for triangular L [..., n, n] and
 * B [..., n, k]; batch dimensions broadcast. By substitution, one row of X per step.
 * Gradient (with M = L or Lᵀ): B̄ = M⁻ᵀ X̄, M̄ = −B̄ Xᵀ restricted to M's triangle.
 */
export function triangularSolve(l: tf.Tensor, b: tf.Tensor, options: TriangularSolveOptions = {}): tf.Tensor {
  const lower = options.lower ?? true;
  const transpose = options.transpose ?? false;
  const n = squareSize(l, "triangularSolve");
  if (b.rank < 2 || b.shape[b.rank - 2] !== n) {
    throw new RangeError(`triangularSolve: B must be [..., ${n}, k], got shape [${b.shape.join(", ")}]`);
  }
  // M = L or Lᵀ is what is solved with; `mLower` says which triangle of M holds it.
  const mLower = lower !== transpose;
  const solve = tf.customGrad((lIn, bIn, save) => {
    const lt = lIn as tf.Tensor;
    const m = transpose ? transposeLast(lt) : lt;
    const x = solveBroadcast(m, bIn as tf.Tensor, mLower);
    (save as tf.GradSaveFunc)([lt, bIn as tf.Tensor, x]);
    return {
      value: x,
      gradFunc: (dx: tf.Tensor, saved: tf.Tensor[]) => {
        const [sl, sb, sx] = [saved[0]!, saved[1]!, saved[2]!];
        const sm = transpose ? transposeLast(sl) : sl;
        const gb = solveBroadcast(transposeLast(sm), dx, !mLower);
        const mask = mLower ? lowerMask(n) : transposeLast(lowerMask(n));
        const gm = tf.mul(tf.neg(tf.matMul(gb, transposeLast(sx))), mask);
        const gl = transpose ? transposeLast(gm) : gm;
        return [reduceTo(gl, sl.shape), reduceTo(gb, sb.shape)];
      },
    };
  });
  return tf.tidy(() => solve(l, b));
}

/**
 * The lower Cholesky factor L of a symmetric positive-definite A [..., n, n]: A = L Lᵀ.
 * Only the lower triangle of A is used (entries above the diagonal must merely be finite).
 * On cpu and wasm, for n ≤ CHOLESKY_HOST_MAX_N, one float64 host kernel each way
 * (fused-cholesky.ts); elsewhere right-looking, one column per step (seven kernel launches
 * each). Where A is not
 * (numerically) positive definite the factor is NaN/±∞ from the failing column on; no
 * error is raised, so that batched samplers need no device→host read (see
 * `choleskyOrThrow` for a checked version).
 * Gradient convention: A is treated as symmetric, so a matrix filled only below the
 * diagonal should be symmetrised (A + Aᵀ − diag) before the call if its upper part is
 * meant to be a copy of the lower.
 * Gradient (Murray 2016, eq. 10): Ā = ½(S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹, where Φ keeps the
 * lower triangle and halves the diagonal; Ā is symmetric, the gradient with respect to a
 * symmetric A.
 */
export function cholesky(a: tf.Tensor): tf.Tensor {
  squareSize(a, "cholesky");
  // Small matrices on cpu and wasm: one float64 host kernel each way (fused-cholesky.ts).
  return fusedCholesky(a) ?? composedCholesky(a);
}

/** `cholesky` from tfjs kernels, column by column, for any backend and size (exported for tests and benchmarks). */
export function composedCholesky(a: tf.Tensor): tf.Tensor {
  const n = squareSize(a, "cholesky");
  const factor = tf.customGrad((aIn, save) => {
    const at = aIn as tf.Tensor;
    const batch = at.shape.slice(0, -2);
    const size = batch.reduce((p, d) => p * d, 1);
    const l = tf.reshape(choleskyBatch(tf.reshape(at, [size, n, n]) as tf.Tensor3D), at.shape);
    (save as tf.GradSaveFunc)([l]);
    return {
      value: l,
      gradFunc: (dl: tf.Tensor, saved: tf.Tensor[]) => {
        const sl = saved[0]!;
        const p = tf.mul(tf.matMul(transposeLast(sl), dl), lowerMask(n, 0.5));
        // S = L⁻ᵀ P L⁻¹ = (L⁻ᵀ (L⁻ᵀ P)ᵀ)ᵀ: two solves with the upper-triangular Lᵀ
        const left = solveBroadcast(transposeLast(sl), p, false);
        const s = transposeLast(solveBroadcast(transposeLast(sl), transposeLast(left), false));
        return tf.mul(tf.add(s, transposeLast(s)), 0.5);
      },
    };
  });
  return tf.tidy(() => factor(a));
}

/**
 * `cholesky(A)`, then a read back to the host to check it: throws NotPositiveDefiniteError
 * (naming the first failing matrix of the batch) if any entry is not finite.
 */
export function choleskyOrThrow(a: tf.Tensor): tf.Tensor {
  const l = cholesky(a);
  const n = squareSize(a, "cholesky");
  const values = l.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      l.dispose();
      const which = Math.floor(i / (n * n));
      throw new NotPositiveDefiniteError(
        `cholesky: matrix ${which} of the batch (shape [${a.shape.join(", ")}]) is not positive definite`,
      );
    }
  }
  return l;
}

/** X = A⁻¹ B given the Cholesky factor L of A: solves L Y = B, then Lᵀ X = Y. B [..., n, k]. */
export function choleskySolve(l: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => triangularSolve(l, triangularSolve(l, b), { transpose: true }));
}

/** The diagonal of A [..., n, n] as [..., n]. */
export function diagPart(a: tf.Tensor): tf.Tensor {
  const n = squareSize(a, "diagPart");
  return tf.tidy(() => tf.sum(tf.mul(a, tf.eye(n)), -1));
}

/** The diagonal matrix [..., n, n] with v [..., n] on its diagonal. */
export function matrixFromDiag(v: tf.Tensor): tf.Tensor {
  const n = v.shape[v.rank - 1];
  if (n === undefined) throw new RangeError("matrixFromDiag: expected a vector [..., n], got a scalar");
  return tf.tidy(() => tf.mul(tf.expandDims(v, -1), tf.eye(n)));
}

/** A [..., n, n] with the entries above the diagonal set to 0. */
export function lowerTriangle(a: tf.Tensor): tf.Tensor {
  const n = squareSize(a, "lowerTriangle");
  return tf.tidy(() => tf.mul(a, lowerMask(n)));
}

/** log det A = 2 Σᵢ log Lᵢᵢ from the Cholesky factor L [..., n, n]; result [...]. */
export function logDetFromCholesky(l: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.sum(tf.log(diagPart(l)), -1), 2));
}

/** log det A for symmetric positive-definite A [..., n, n], via its Cholesky factor; result [...]. */
export function logDet(a: tf.Tensor): tf.Tensor {
  return tf.tidy(() => logDetFromCholesky(cholesky(a)));
}

/**
 * The squared Mahalanobis norm x (L Lᵀ)⁻¹ xᵀ = ‖L⁻¹x‖² for x [..., n] and the Cholesky factor
 * L [..., n, n] of the covariance (batch dimensions broadcast); result [...].
 */
export function mahalanobis(l: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const z = triangularSolve(l, tf.expandDims(x, -1));
    return tf.sum(tf.square(z), [-2, -1]);
  });
}
