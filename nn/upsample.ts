/**
 * Upsample(scale) with nearest-neighbour interpolation on NHWC images (Flux's
 * `Upsample(:nearest; scale)`): every pixel repeated sh times down and sw times across,
 * `[N, H, W, c]` → `[N, sh·H, sw·W, c]`, y[n, r, q, k] = x[n, ⌊r/sh⌋, ⌊q/sw⌋, k].
 * A chain axis in front is folded into N.
 *
 * The repeat is a broadcasting product with ones on `[M, H, 1, W, 1, c]`: tf.tile and
 * tf.broadcastTo (which runs Tile) have no gradient above rank 4 in tfjs 4.22, while Mul's
 * gradient sums over broadcast axes of any rank, on every backend.
 */
import { tf } from "../core/engine.js";
import { foldBatch } from "./batched.js";
import { ShapeError, fmtShape, positiveInt, type Layer } from "./layer.js";
import type { Shape } from "./tree.js";

export interface UpsampleLayer extends Layer {
  readonly kind: "Upsample";
  readonly scale: readonly [number, number];
}

/** `Upsample(2)` or `Upsample((sh, sw))`. */
export function upsample(scale: number | readonly [number, number]): UpsampleLayer {
  const [sh, sw] = typeof scale === "number" ? [scale, scale] : scale;
  positiveInt(sh, "Upsample scale");
  positiveInt(sw, "Upsample scale");
  const describe = (): string => `Upsample(${sh === sw ? sh : `(${sh}, ${sw})`})`;
  return {
    kind: "Upsample",
    scale: [sh, sw],
    describe,
    paramSpecs: () => ({}),
    outputShape: (inputShape: Shape): Shape => {
      if (inputShape.length !== 3) throw new ShapeError(`${describe()} expects images (height, width, channels), got shape ${fmtShape(inputShape)}`);
      return [inputShape[0]! * sh, inputShape[1]! * sw, inputShape[2]!];
    },
    apply: (_params, x, ctx) => {
      if (x.rank !== 4 + Number(ctx.batched)) throw new ShapeError(`${describe()} expects images (N, height, width, channels), got shape ${fmtShape(x.shape)}`);
      if (sh === 1 && sw === 1) return x;
      const { x: x4, unfold } = foldBatch(x, ctx);
      const [m, h, w, c] = x4.shape as [number, number, number, number];
      const spread = tf.mul(tf.reshape(x4, [m, h, 1, w, 1, c]), tf.ones([1, 1, sh, 1, sw, 1]));
      return unfold(tf.reshape(spread, [m, h * sh, w * sw, c]));
    },
  };
}
