/**
 * A block network: named sub-layers and a forward function, the value behind
 *
 *     network residual(d) {
 *       norm = LayerNorm(d)
 *       ff   = Chain(Dense(d => 4 * d, gelu), Dense(4 * d => d))
 *       forward(x) = x + ff(norm(x))
 *     }
 *
 * Parameters are keyed by sub-layer name in declaration order (`norm.gain`, `ff[1].weight`).
 * The forward function receives `call(name, x)`, which applies a sub-layer to its own
 * parameters under the block's context. Output shapes are found by running the forward
 * function once on zeros (one observation, zero parameters), since it is arbitrary code.
 */
import { tf } from "../core/engine.js";
import { ShapeError, childContext, isSpec, type ApplyContext, type Layer, type SpecTree } from "./layer.js";
import { disposeParams, mapTree, type ParamTree, type Shape } from "./tree.js";

export type BlockCall = (name: string, x: tf.Tensor) => tf.Tensor;

export interface BlockLayer extends Layer {
  readonly kind: "Block";
  readonly name: string;
  readonly children: Readonly<Record<string, Layer>>;
}

export function block(name: string, layers: Readonly<Record<string, Layer>>, body: (call: BlockCall, x: tf.Tensor) => tf.Tensor): BlockLayer {
  const names = Object.keys(layers);
  const self: BlockLayer = {
    kind: "Block",
    name,
    children: layers,
    describe: () => `${name}(${names.map((n) => `${n} = ${layers[n]!.describe()}`).join(", ")})`,
    paramSpecs: (): SpecTree => {
      const out: Record<string, SpecTree> = {};
      for (const n of names) out[n] = layers[n]!.paramSpecs();
      return out;
    },
    outputShape: (inputShape: Shape): Shape => {
      const zeros = mapTree(self.paramSpecs(), isSpec, (s) => tf.zeros([...s.shape])) as ParamTree;
      try {
        return tf.tidy(() => {
          const ctx: ApplyContext = { batched: false, training: false, path: [] };
          return self.apply(zeros, tf.zeros([1, ...inputShape]), ctx).shape.slice(1);
        });
      } finally {
        disposeParams(zeros);
      }
    },
    apply: (params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor => {
      const call: BlockCall = (n, input) => {
        const layer = layers[n];
        if (!layer) throw new ShapeError(`${name} has no sub-layer '${n}'; it has ${names.join(", ")}`);
        return layer.apply((params[n] ?? {}) as ParamTree, input, childContext(ctx, n, names.indexOf(n)));
      };
      return body(call, x);
    },
  };
  return self;
}
