/**
 * Flatten(): each observation to a vector, `[N, ...e]` → `[N, prod(e)]` (row-major, so an
 * NHWC image flattens channel-fastest; Flux flattens column-major WHCN and orders differently).
 */
import { tf } from "../core/engine.js";
import type { Layer } from "./layer.js";
import type { Shape } from "./tree.js";

export function flatten(): Layer {
  return {
    kind: "Flatten",
    describe: () => "Flatten()",
    paramSpecs: () => ({}),
    outputShape: (inputShape: Shape): Shape => [inputShape.reduce((a, b) => a * b, 1)],
    apply: (_params, x, ctx) => tf.reshape(x, [...x.shape.slice(0, 1 + Number(ctx.batched)), -1]),
  };
}
