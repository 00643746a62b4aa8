/**
 * SkipConnection(layer, connection): x ↦ connection(layer(x), x), as Flux's; `"+"` gives a
 * residual block (He et al. 2016), `"cat"` concatenates along the last axis (DenseNet style).
 * The wrapper adds no parameters and no name level: its parameters are the inner layer's,
 * so `Chain(Dense(...), SkipConnection(Dense(...), +))` names the inner weight `[2].weight`.
 */
import { tf } from "../core/engine.js";
import { ShapeError, fmtShape, type Layer } from "./layer.js";
import type { Shape } from "./tree.js";

export type Connection = "+" | "cat";

export interface SkipLayer extends Layer {
  readonly kind: "SkipConnection";
  readonly inner: Layer;
  readonly connection: Connection;
}

export function skipConnection(inner: Layer, connection: Connection = "+"): SkipLayer {
  return {
    kind: "SkipConnection",
    inner,
    connection,
    describe: () => `SkipConnection(${inner.describe()}, ${connection})`,
    paramSpecs: () => inner.paramSpecs(),
    outputShape: (inputShape: Shape): Shape => {
      const out = inner.outputShape(inputShape);
      if (connection === "cat") {
        if (out.slice(0, -1).join() !== inputShape.slice(0, -1).join()) {
          throw new ShapeError(`SkipConnection(..., cat): the layer's output ${fmtShape(out)} and input ${fmtShape(inputShape)} differ before the last axis`);
        }
        return [...out.slice(0, -1), out.at(-1)! + inputShape.at(-1)!];
      }
      if (out.join() !== inputShape.join()) {
        throw new ShapeError(`SkipConnection(..., +): the layer maps ${fmtShape(inputShape)} to ${fmtShape(out)}; they must match`);
      }
      return out;
    },
    apply: (params, x, ctx) => {
      const y = inner.apply(params, x, ctx);
      if (connection === "+") return tf.add(y, x);
      // With shared data (leading axis 1) and per-chain output, give x the chains' axis first.
      const xs = ctx.batched && x.shape[0] !== y.shape[0] ? tf.broadcastTo(x, [y.shape[0]!, ...x.shape.slice(1)]) : x;
      return tf.concat([y, xs], -1);
    },
  };
}
