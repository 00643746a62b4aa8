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
 *   Not always, though: the stock kernel is faster for tiny products (fewer than ~16k
 *   multiply-adds, where one more kernel call dominates), and with `transposeB` alone when
 *   A has at most 8 rows (each output is then a dot product of two contiguous rows, and
 *   copying B costs more than the product). Measured thresholds: bench/RESULTS.md.
 * - with an inner dimension of 0 (`[m, 0] × [0, n]`) XNNPACK refuses to build the operator
 *   ("xnn_create_fully_connected_nc_f32 ... status 2") and the output buffer is returned
 *   uninitialised; the empty sum is 0, so the result must be zeros.
 */
import type { Composer, Info, KernelFunc } from "./compose.js";
import { broadcastShapesOrThrow } from "../broadcast.js";
import { compose } from "./compose.js";

const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** Swap the last two axes of `x` (rank ≥ 2). */
function transposeLast2(c: Composer, x: Info): Info {
  const r = x.shape.length;
  const perm = x.shape.map((_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
  return c.transpose(x, perm);
}

/** Below this many multiply-adds the stock kernel wins whatever the layout. */
const TINY_PRODUCT = 16_384;
/** With `transposeB` alone, the stock kernel wins while A has at most this many rows. */
const FEW_ROWS = 8;

/**
 * The replacement kernel: `out[..., i, j] = Σ_k A[..., i, k] B[..., k, j]` with A, B the
 * (optionally transposed) operands and batch axes broadcast as in `tf.matMul`.
 */
export function batchMatMulFix(stock: KernelFunc, backendName: string): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const a = inputs["a"]!;
    const b = inputs["b"]!;
    const transposeA = attrs?.["transposeA"] === true;
    const transposeB = attrs?.["transposeB"] === true;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const inner = a.shape[transposeA ? ra - 2 : ra - 1]!;
    const m = a.shape[transposeA ? ra - 1 : ra - 2]!;
    const n = b.shape[transposeB ? rb - 2 : rb - 1]!;
    const empty = inner === 0 && b.shape[transposeB ? rb - 1 : rb - 2] === 0 && a.dtype === "float32" && b.dtype === "float32";
    const batch = Math.max(sizeOf(a.shape.slice(0, -2)), sizeOf(b.shape.slice(0, -2)));
    const tiny = batch * m * n * inner < TINY_PRODUCT;
    const copyA = transposeA && !tiny;
    const copyB = transposeB && !tiny && m > FEW_ROWS;
    // The common case (no copy) goes straight to the stock kernel, without composition overhead.
    if (!empty && !copyA && !copyB) return stock(args);
    return compose(backend, backendName, (c) => {
      if (empty) {
        const outer = broadcastShapesOrThrow([a.shape.slice(0, -2), b.shape.slice(0, -2)]);
        return c.fill([...outer, m, n], 0);
      }
      const a2 = copyA ? transposeLast2(c, a) : a;
      const b2 = copyB ? transposeLast2(c, b) : b;
      return c.call(stock, { a: a2, b: b2 }, { transposeA: transposeA && !copyA, transposeB: transposeB && !copyB });
    });
  };
}
