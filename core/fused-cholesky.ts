/**
 * The Cholesky factor of a batch of small symmetric positive-definite matrices as ONE kernel
 * forward and one backward, on the backends whose buffers live in host memory (cpu, wasm),
 * in float64.
 *
 * Why: linalg.ts factors one column per step from tfjs kernels (seven launches per column,
 * more for its gradient's two triangular solves), so an 11-point Gaussian process spent about
 * a hundred kernels per gradient in its factor, and each launch costs microseconds on wasm.
 *
 * Forward: A = L Lᵀ from A's lower triangle (the upper is not read), column by column;
 * where A is not numerically positive definite the factor is NaN (or ±∞) from the failing
 * column on, as in linalg.ts. Backward (Murray 2016, eq. 10, as linalg.ts): with L recomputed
 * in float64 from A, P = Φ(Lᵀ L̄) (lower triangle, diagonal halved), S = L⁻ᵀ P L⁻¹ and
 * Ā = ½(S + Sᵀ), the gradient with respect to a symmetric A.
 *
 * This file imports TensorFlow.js directly (like kernels/), because engine.ts installs it.
 */
import * as tf from "@tensorflow/tfjs";
import { hostMemory } from "./host-memory.js";
import { gradientFromX, hostKernelApplies, registerHostKernels } from "./host-kernels.js";
import type { KernelFunc } from "./kernels/compose.js";

/** Kernel name. Input x [..., n, n]; output L, shaped like x. */
export const CHOLESKY = "DlmCholesky";
/** Kernel name of the gradient. Inputs x and dy (L̄); output Ā, shaped like x. */
export const CHOLESKY_GRAD = "DlmCholeskyGrad";

/**
 * Largest matrix side the kernel takes. The loop's cost grows as n³ per matrix, the
 * composition's as n kernel launches of growing size; measured on wasm (bench/cholesky.ts,
 * value and gradient of 4 matrices) the loop is 12–25× faster for n = 4–64 and still 5× at
 * n = 128 and 200. Above 256 (not measured) the composition is kept.
 */
export const CHOLESKY_HOST_MAX_N = 256;

/** L of the n × n matrix at `off` of `a` into `l` (float64, row-major, upper part zero). */
function factor(a: Float32Array, off: number, n: number, l: Float64Array): void {
  l.fill(0);
  for (let j = 0; j < n; j++) {
    let d = a[off + j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let v = a[off + i * n + j]!;
      for (let k = 0; k < j; k++) v -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = v / ljj;
    }
  }
}

function forwardKernel(backendName: string): KernelFunc {
  return ({ inputs, backend }) => {
    const mem = hostMemory(backend, backendName);
    const xi = inputs["x"]!;
    const n = xi.shape[xi.shape.length - 1]!;
    const out = mem.alloc(xi.shape);
    const [xv, ov] = [mem.view(xi), mem.view(out)];
    const l = new Float64Array(n * n);
    for (let off = 0; off < xv.length; off += n * n) {
      factor(xv, off, n, l);
      for (let k = 0; k < n * n; k++) ov[off + k] = l[k]!;
    }
    return out;
  };
}

/** Solve Lᵀ X = B in place (B, X: n × n row-major; Lᵀ upper triangular), column by column. */
function solveUpperTransposed(l: Float64Array, b: Float64Array, n: number): void {
  for (let c = 0; c < n; c++) {
    for (let i = n - 1; i >= 0; i--) {
      let v = b[i * n + c]!;
      // (Lᵀ)[i][k] = L[k][i]
      for (let k = i + 1; k < n; k++) v -= l[k * n + i]! * b[k * n + c]!;
      b[i * n + c] = v / l[i * n + i]!;
    }
  }
}

function gradientKernel(backendName: string): KernelFunc {
  return ({ inputs, backend }) => {
    const mem = hostMemory(backend, backendName);
    const [xi, dyi] = [inputs["x"]!, inputs["dy"]!];
    const n = xi.shape[xi.shape.length - 1]!;
    const g = mem.alloc(xi.shape);
    const [xv, dv, gv] = [mem.view(xi), mem.view(dyi), mem.view(g)];
    const l = new Float64Array(n * n);
    const m = new Float64Array(n * n);
    const t = new Float64Array(n * n);
    for (let off = 0; off < xv.length; off += n * n) {
      factor(xv, off, n, l);
      // P = Φ(Lᵀ L̄): lower triangle of Lᵀ L̄, diagonal halved.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (j > i) {
            m[i * n + j] = 0;
            continue;
          }
          let v = 0;
          for (let k = 0; k < n; k++) v += l[k * n + i]! * dv[off + k * n + j]!;
          m[i * n + j] = i === j ? 0.5 * v : v;
        }
      }
      // X = L⁻ᵀ P, then S = X L⁻¹ = (L⁻ᵀ Xᵀ)ᵀ.
      solveUpperTransposed(l, m, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[i * n + j] = m[j * n + i]!;
      solveUpperTransposed(l, t, n);
      // t holds Sᵀ; Ā = ½(S + Sᵀ).
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) gv[off + i * n + j] = 0.5 * (t[i * n + j]! + t[j * n + i]!);
    }
    return g;
  };
}

const gradient = gradientFromX(CHOLESKY, CHOLESKY_GRAD);

/** Register the two kernels on the host-memory backends and the gradient; idempotent. */
export function installCholeskyKernels(): void {
  registerHostKernels([[CHOLESKY, forwardKernel], [CHOLESKY_GRAD, gradientKernel]], gradient);
}

/**
 * The lower Cholesky factor of x [..., n, n] by the fused kernel; undefined where it does not
 * apply (a backend without host buffers, n above CHOLESKY_HOST_MAX_N, x not float32), and the
 * caller composes it from ops.
 */
export function fusedCholesky(x: tf.Tensor): tf.Tensor | undefined {
  const n = x.shape[x.rank - 1]!;
  if (n > CHOLESKY_HOST_MAX_N || !hostKernelApplies(CHOLESKY, x, Infinity)) return undefined;
  return tf.engine().runKernel(CHOLESKY, { x }) as tf.Tensor;
}
