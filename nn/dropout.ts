/**
 * Dropout(p): in training mode, zero each element with probability p and scale the rest by
 * 1/(1 − p) (inverted dropout, Srivastava et al. 2014), so the expectation is unchanged;
 * the identity otherwise. With `ctx.dropout = S` it drops outside training too (MC dropout,
 * Gal & Ghahramani 2016), with S independent masks along the chain axis, so that the output
 * has one slice per predictive draw even where x does not carry that axis yet. The mask is
 * drawn from `ctx.key`, which dropping requires.
 */
import { tf } from "../core/engine.js";
import { uniform } from "../core/random.js";
import { ShapeError, type ApplyContext, type Layer } from "./layer.js";
import type { ParamTree, Shape } from "./tree.js";

export interface DropoutLayer extends Layer {
  readonly kind: "Dropout";
  readonly p: number;
}

export function dropout(p: number): DropoutLayer {
  if (!(p >= 0 && p < 1)) throw new ShapeError(`Dropout probability must be in [0, 1), got ${p}`);
  return {
    kind: "Dropout",
    p,
    describe: () => `Dropout(${p})`,
    paramSpecs: () => ({}),
    outputShape: (inputShape: Shape) => inputShape,
    apply: (_params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor => {
      const draws = ctx.dropout;
      if (!(ctx.training || draws !== undefined) || p === 0) return x;
      if (ctx.key === undefined) throw new ShapeError("Dropout in training mode needs a random key");
      const shape = draws !== undefined && ctx.batched ? [draws, ...x.shape.slice(1)] : x.shape;
      const keep = tf.cast(tf.greaterEqual(uniform(ctx.key, shape), p), "float32");
      return tf.mul(x, tf.mul(keep, 1 / (1 - p)));
    },
  };
}
