/**
 * GlobalMeanPool() and GlobalMaxPool(): the mean or maximum of each channel over every
 * spatial axis, `[N, ...spatial, c]` → `[N, c]` (Flux's, whose WHCN arrays pool to
 * `(1, 1, c, N)`; here the singleton axes are dropped, so a Dense can follow directly).
 * Any number of spatial axes: sequences `[N, L, c]`, images `[N, H, W, c]`, volumes.
 * A chain axis in front is kept: `[B, N, ...spatial, c]` → `[B, N, c]`.
 * GlobalMaxPool's gradient goes to every element equal to the maximum (tf.max's rule).
 */
import { tf } from "../core/engine.js";
import { ShapeError, fmtShape, type Layer } from "./layer.js";
import type { Shape } from "./tree.js";

export interface GlobalPoolLayer extends Layer {
  readonly kind: "GlobalMeanPool" | "GlobalMaxPool";
}

function globalPool(kind: "GlobalMeanPool" | "GlobalMaxPool"): GlobalPoolLayer {
  const describe = (): string => `${kind}()`;
  return {
    kind,
    describe,
    paramSpecs: () => ({}),
    outputShape: (inputShape: Shape): Shape => {
      if (inputShape.length < 2) throw new ShapeError(`${describe()} expects (..., spatial, channels) with a spatial axis, got shape ${fmtShape(inputShape)}`);
      return [inputShape.at(-1)!];
    },
    apply: (_params, x, ctx) => {
      const lead = 1 + Number(ctx.batched);
      if (x.rank < lead + 2) throw new ShapeError(`${describe()} expects (N, ..., spatial, channels) with a spatial axis, got shape ${fmtShape(x.shape)}`);
      const axes = Array.from({ length: x.rank - 1 - lead }, (_, i) => lead + i);
      return kind === "GlobalMeanPool" ? tf.mean(x, axes) : tf.max(x, axes);
    },
  };
}

export const globalMeanPool = (): GlobalPoolLayer => globalPool("GlobalMeanPool");
export const globalMaxPool = (): GlobalPoolLayer => globalPool("GlobalMaxPool");
