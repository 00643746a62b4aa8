/**
 * `BatchMatMul` for tfjs-backend-wasm 4.22.0, wrapping the stock kernel.
 *
 * Defects of the stock kernel (measured on a 2-core x86-64 machine, node 20, see
 * bench/matmul-bench.ts and bench/RESULTS.md):
 * - with `transposeA` or `transposeB` it leaves XNNPACK's fast path and runs at 0.4–1.9
 *   GFLOP/s, against 20–24 GFLOP/s for the same product without transposes. Reverse-mode
 *   autodiff of every Dense layer produces exactly these products (dW = xᵀ·dy, dx = dy·Wᵀ).
 *   Materialising the transpose with the `Transpose` kernel and calling the stock kernel
 *   without flags costs one copy of an operand and restores the fast path.
 * - with an inner dimension of 0 (`[m, 0] × [0, n]`) XNNPACK refuses to build the operator
 *   ("xnn_create_fully_connected_nc_f32 ... status 2") and the output buffer is returned
 *   uninitialised; the empty sum is 0, so the result must be zeros.
 */
import type { Composer, Info, KernelFunc } from "./compose.js";
import { compose } from "./compose.js";
import * as tf from "@tensorflow/tfjs";

/** Swap the last two axes of `x` (rank ≥ 2). */
function transposeLast2(c: Composer, x: Info): Info {
  const r = x.shape.length;
  const perm = x.shape.map((_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
  return c.transpose(x, perm);
}

/**
 * The replacement kernel: `out[..., i, j] = Σ_k A[..., i, k] B[..., k, j]` with A, B the
 * (optionally transposed) operands and batch axes broadcast as in `tf.matMul`.
 */
export function batchMatMulFix(stock: KernelFunc, backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a = inputs["a"]!;
    const b = inputs["b"]!;
    const transposeA = attrs?.["transposeA"] === true;
    const transposeB = attrs?.["transposeB"] === true;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const innerA = a.shape[transposeA ? ra - 2 : ra - 1]!;
    const innerB = b.shape[transposeB ? rb - 1 : rb - 2]!;
    return compose(backend, backendName, (c) => {
      if (innerA === 0 && innerB === 0 && a.dtype === "float32" && b.dtype === "float32") {
        const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
        const m = a.shape[transposeA ? ra - 1 : ra - 2]!;
        const n = b.shape[transposeB ? rb - 2 : rb - 1]!;
        return c.fill([...outer, m, n], 0);
      }
      const a2 = transposeA ? transposeLast2(c, a) : a;
      const b2 = transposeB ? transposeLast2(c, b) : b;
      return c.call(stock, { a: a2, b: b2 }, { transposeA: false, transposeB: false });
    });
  };
}
