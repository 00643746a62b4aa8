/**
 * Chain(layers...): function composition, x ↦ layerₙ(… layer₁(x)), as Flux's `Chain`.
 *
 * Parameters are keyed by 1-based position, so the third layer's weight is `[3].weight`
 * (`net[3].weight` for a network bound to `net`); a layer without parameters keeps its
 * position with an empty record, and numbering matches what the user wrote.
 */
import type { tf } from "../core/engine.js";
import { ShapeError, childContext, type ApplyContext, type Layer, type SpecTree } from "./layer.js";
import type { ParamTree, Shape } from "./tree.js";

export interface ChainLayer extends Layer {
  readonly kind: "Chain";
  readonly layers: readonly Layer[];
  readonly children: Readonly<Record<string, Layer>>;
}

const EMPTY: ParamTree = {};

/** `Chain(l1, l2, ...)`; the child at 1-based position i is `children[String(i)]`. */
export function chain(...layers: Layer[]): ChainLayer {
  if (layers.length === 0) throw new ShapeError("Chain needs at least one layer");
  const children: Record<string, Layer> = {};
  layers.forEach((l, i) => (children[String(i + 1)] = l));
  return {
    kind: "Chain",
    layers,
    children,
    describe: () => `Chain(${layers.map((l) => l.describe()).join(", ")})`,
    paramSpecs: (): SpecTree => {
      const out: Record<string, SpecTree> = {};
      layers.forEach((l, i) => (out[String(i + 1)] = l.paramSpecs()));
      return out;
    },
    outputShape: (inputShape: Shape): Shape =>
      layers.reduce((shape, l, i) => {
        try {
          return l.outputShape(shape);
        } catch (e) {
          if (e instanceof ShapeError) throw new ShapeError(`in layer ${i + 1} of the Chain, ${l.describe()}: ${e.message}`);
          throw e;
        }
      }, inputShape),
    apply: (params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor =>
      layers.reduce((y, l, i) => {
        const name = String(i + 1);
        const p = params[name] ?? EMPTY;
        return l.apply(p as ParamTree, y, childContext(ctx, name, i));
      }, x),
  };
}
