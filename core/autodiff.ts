/**
 * The one autodiff entry point of the project: value and gradient of a batched log density.
 */
import { tf } from "./engine.js";

export interface ValueAndGrad {
  /** `[chains]` */
  readonly value: tf.Tensor1D;
  /** `[chains, dim]` */
  readonly grad: tf.Tensor2D;
}

/**
 * Evaluate `f` at a batch of flat vectors `q` (`[chains, dim]`) and differentiate it.
 *
 * Because row c of `f(q)` depends only on row c of `q`, the gradient of `sum(f(q))` is the
 * matrix of per-row gradients, so one backward pass serves every chain. The caller owns
 * (and must dispose) both returned tensors; every intermediate is freed here.
 */
export function valueAndGrad(f: (q: tf.Tensor2D) => tf.Tensor1D, q: tf.Tensor2D): ValueAndGrad {
  let value: tf.Tensor1D | undefined;
  const grad = tf.tidy(() =>
    tf.grad((x: tf.Tensor) => {
      const v = f(x as tf.Tensor2D);
      value = tf.keep(v);
      return tf.sum(v);
    })(q),
  ) as tf.Tensor2D;
  if (value === undefined) throw new Error("internal: log density produced no value");
  return { value, grad };
}
