/**
 * Value and gradient of a scalar function of a parameter tree, with the gradient shaped like
 * the tree: what a training step needs (`step(state, params, grads)`).
 */
import { tf } from "../core/engine.js";
import { mapParams, walkParams, type ParamTree } from "./tree.js";

export interface TreeValueAndGrad {
  /** The function's value (a scalar). */
  readonly value: tf.Scalar;
  /** ∂value/∂θ for every leaf θ, same structure as the parameters. */
  readonly grads: ParamTree;
}

/** Evaluate `f(params)` and its gradient in one backward pass; the caller owns both results. */
export function valueAndGrads(f: (params: ParamTree) => tf.Scalar, params: ParamTree): TreeValueAndGrad {
  const leaves = walkParams(params).map((e) => e.tensor);
  const rebuild = (ts: readonly tf.Tensor[]): ParamTree => {
    let i = 0;
    return mapParams(params, () => ts[i++]!);
  };
  const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => f(rebuild(ts)))(leaves);
  return { value: value as tf.Scalar, grads: rebuild(grads) };
}
