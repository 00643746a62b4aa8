/**
 * Helpers for the chain axis (see layer.ts): one tensor operation for every chain.
 *
 * tfjs 4.22's matMul broadcasts batch dimensions in the forward pass ([N, in] @ [C, in, out]
 * gives [C, N, out]) but its BatchMatMul gradient does not reduce over a broadcast batch
 * axis: the gradient for a [1, N, in] operand comes back as [C, N, in] and the tape
 * rejects it. `linear` therefore never relies on broadcasting inside matMul: shared data
 * (B = 1) goes through one plain 2-D product with the chains' weights side by side, and
 * per-chain data (B = C) through a batched product with equal batch dimensions.
 */
import { tf } from "../core/engine.js";
import { ShapeError, fmtShape, paramLabel, type ApplyContext } from "./layer.js";

/**
 * Whether parameter `name` (tensor `p`) of the layer at `ctx.path` carries the chain axis, from
 * its rank against the declared rank.
 * Throws when the rank fits neither, or when a chain axis appears outside batch mode.
 */
export function carriesBatch(p: tf.Tensor, declaredRank: number, name: string, ctx: ApplyContext): boolean {
  if (p.rank === declaredRank) return false;
  if (p.rank === declaredRank + 1 && ctx.batched) return true;
  const hint = p.rank === declaredRank + 1 ? " (a chain axis needs batched = true)" : "";
  // the parameter's full name is built only here: on the hot path it would be a string per call
  throw new ShapeError(`${paramLabel(ctx, name)} has shape ${fmtShape(p.shape)}, expected rank ${declaredRank}${hint}`);
}

/**
 * x @ W over the last axis of x.
 *   W `[in, out]`:     x `[..., in]` → `[..., out]`
 *   W `[C, in, out]`:  x `[B, ..., in]`, B ∈ {1, C} → `[C, ..., out]`
 */
export function linear(x: tf.Tensor, w: tf.Tensor, wBatched: boolean): tf.Tensor {
  const nin = w.shape.at(-2)!;
  const nout = w.shape.at(-1)!;
  if (x.shape.at(-1) !== nin) {
    throw new ShapeError(`input has shape ${fmtShape(x.shape)}, its last axis must have size ${nin}`);
  }
  if (!wBatched) {
    if (x.rank === 2) return tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
    const y = tf.matMul(tf.reshape(x, [-1, nin]) as tf.Tensor2D, w as tf.Tensor2D);
    return tf.reshape(y, [...x.shape.slice(0, -1), nout]);
  }
  const chains = w.shape[0]!;
  const b = x.shape[0]!;
  const mid = x.shape.slice(1, -1);
  if (x.rank < 2) throw new ShapeError(`input of shape ${fmtShape(x.shape)} lacks the leading batch axis`);
  if (b === chains) {
    // [C, N, in] already has the product's shape: no reshapes (each would be a kernel and a
    // tape entry, on every evaluation)
    if (x.rank === 3) return tf.matMul(x as tf.Tensor3D, w as tf.Tensor3D);
    const y = tf.matMul(tf.reshape(x, [chains, -1, nin]) as tf.Tensor3D, w as tf.Tensor3D);
    return tf.reshape(y, [chains, ...mid, nout]);
  }
  if (b !== 1) throw new ShapeError(`input has ${b} batch rows but the parameters have ${chains} chains`);
  // [M, in] @ [in, C·out]: every chain's weights side by side, one GEMM.
  const wide = tf.reshape(tf.transpose(w, [1, 0, 2]), [nin, chains * nout]);
  const y = tf.matMul(tf.reshape(x, [-1, nin]) as tf.Tensor2D, wide as tf.Tensor2D);
  const perChain = tf.transpose(tf.reshape(y, [-1, chains, nout]), [1, 0, 2]);
  return tf.reshape(perChain, [chains, ...mid, nout]);
}

/**
 * A parameter of declared shape `s` arranged to broadcast against a tensor of rank `rank`
 * whose trailing axes are `s`: unchanged without chain axis, `[C, 1, ..., 1, ...s]` with one.
 */
export function lift(p: tf.Tensor, rank: number, batched: boolean): tf.Tensor {
  if (!batched) return p;
  const s = p.shape.slice(1);
  const ones = Array.from({ length: rank - 1 - s.length }, () => 1);
  return tf.reshape(p, [p.shape[0]!, ...ones, ...s]);
}

/**
 * Merge the leading batch axis into the observation axis for ops that know only one batch
 * axis (conv, pooling): `[B, N, ...e]` → `[B·N, ...e]`, and back with `unfold`.
 */
export function foldBatch(x: tf.Tensor, ctx: ApplyContext): { x: tf.Tensor; unfold: (y: tf.Tensor) => tf.Tensor } {
  if (!ctx.batched) return { x, unfold: (y) => y };
  const [b, n] = [x.shape[0]!, x.shape[1]!];
  return {
    x: tf.reshape(x, [b * n, ...x.shape.slice(2)]),
    unfold: (y) => tf.reshape(y, [b, n, ...y.shape.slice(1)]),
  };
}
