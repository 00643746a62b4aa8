/**
 * `a @ b` with chain batching. Non-chain operands are vectors or matrices; a vector on the
 * left is a row, on the right a column, and that axis is dropped from the result (NumPy).
 * Data `x [N, K]` @ latent `beta [C, K]` gives `[C, N]` with one matMul for every chain:
 * the product is formed as (βᵀ xᵀ)ᵀ so that the chain axis folds into the rows.
 */
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/ast.js";
import { DlmError } from "./errors.js";
import { shapeOf, tensor, type TensorValue } from "./value.js";

const fmt = (s: readonly number[]): string => `[${s.join(", ")}]`;

export function matmul(a: TensorValue, b: TensorValue, span: Span | undefined): TensorValue {
  const sa = shapeOf(a);
  const sb = shapeOf(b);
  if (sa.length < 1 || sa.length > 2 || sb.length < 1 || sb.length > 2) {
    throw new DlmError(`\`@\` needs vectors or matrices, got shapes ${fmt(sa)} and ${fmt(sb)}`, span);
  }
  const k1 = sa[sa.length - 1]!;
  const k2 = sb[0]!;
  if (k1 !== k2) {
    throw new DlmError(`\`@\` needs the inner sizes to agree: ${fmt(sa)} @ ${fmt(sb)} (${k1} ≠ ${k2})`, span,
      "for an elementwise product write `*`");
  }
  const aRow = sa.length === 1;
  const bCol = sb.length === 1;
  const t = tf.tidy(() => {
    // A' [.., N, K], B' [.., K, M]
    const A = aRow ? tf.expandDims(a.t, -2) : a.t;
    const B = bCol ? tf.expandDims(b.t, -1) : b.t;
    let out: tf.Tensor;
    if (!a.batched && !b.batched) out = tf.matMul(A as tf.Tensor2D, B as tf.Tensor2D);
    else if (a.batched && !b.batched) {
      const [c, n, k] = A.shape as [number, number, number];
      out = tf.reshape(tf.matMul(tf.reshape(A, [c * n, k]), B as tf.Tensor2D), [c, n, B.shape[1]!]);
    } else if (!a.batched && b.batched) {
      const [c, k, m] = B.shape as [number, number, number];
      const n = A.shape[0]!;
      // (A B_c)ᵀ = B_cᵀ Aᵀ: fold chains into rows of B_cᵀ.
      const bt = m === 1 ? tf.reshape(B, [c, k]) : tf.reshape(tf.transpose(B, [0, 2, 1]), [c * m, k]);
      const prod = tf.matMul(bt, A as tf.Tensor2D, false, true); // [c*m, n]
      out = m === 1 ? tf.reshape(prod, [c, n, 1]) : tf.transpose(tf.reshape(prod, [c, m, n]), [0, 2, 1]);
    } else {
      const ca = A.shape[0]!;
      const cb = B.shape[0]!;
      const c = Math.max(ca, cb);
      const A3 = ca === c ? A : tf.broadcastTo(A, [c, ...A.shape.slice(1)]);
      const B3 = cb === c ? B : tf.broadcastTo(B, [c, ...B.shape.slice(1)]);
      out = tf.matMul(A3 as tf.Tensor3D, B3 as tf.Tensor3D);
    }
    if (bCol) out = tf.squeeze(out, [out.rank - 1]);
    if (aRow) out = tf.squeeze(out, [out.rank - (bCol ? 1 : 2)]);
    return out;
  });
  return tensor(t, a.batched || b.batched);
}
