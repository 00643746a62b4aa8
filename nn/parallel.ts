/**
 * Parallel(connection, layers...): every layer applied to the same input, the outputs
 * combined by `connection`, as Flux's `Parallel`: `"+"` sums them (shapes must agree),
 * `"cat"` concatenates them along the last axis (Flux's `vcat` on its feature axis), as in
 * Inception-style blocks.
 *
 * Parameters are keyed by 1-based position like Chain's, so the second branch's weight is
 * `[2].weight` and `net[2]` is that branch. With a chain axis, branches without parameters
 * give `[1, N, ...]` beside others' `[C, N, ...]`: "+" broadcasts, "cat" widens them first.
 */
import { tf } from "../core/engine.js";
import { ShapeError, childContext, fmtShape, type ApplyContext, type Layer, type SpecTree } from "./layer.js";
import type { Connection } from "./skip.js";
import type { ParamTree, Shape } from "./tree.js";

export interface ParallelLayer extends Layer {
  readonly kind: "Parallel";
  readonly connection: Connection;
  readonly layers: readonly Layer[];
  readonly children: Readonly<Record<string, Layer>>;
}

const EMPTY: ParamTree = {};

/** `Parallel(connection, l1, l2, ...)`; the branch at 1-based position i is `children[String(i)]`. */
export function parallel(connection: Connection, ...layers: Layer[]): ParallelLayer {
  if (connection !== "+" && connection !== "cat") throw new ShapeError(`Parallel's connection must be "+" or "cat", got ${String(connection)}`);
  if (layers.length === 0) throw new ShapeError("Parallel needs at least one layer");
  const children: Record<string, Layer> = {};
  layers.forEach((l, i) => (children[String(i + 1)] = l));
  const describe = (): string => `Parallel(${connection}, ${layers.map((l) => l.describe()).join(", ")})`;
  return {
    kind: "Parallel",
    connection,
    layers,
    children,
    describe,
    paramSpecs: (): SpecTree => {
      const out: Record<string, SpecTree> = {};
      layers.forEach((l, i) => (out[String(i + 1)] = l.paramSpecs()));
      return out;
    },
    outputShape: (inputShape: Shape): Shape => {
      const shapes = layers.map((l, i) => {
        try {
          return l.outputShape(inputShape);
        } catch (e) {
          if (e instanceof ShapeError) throw new ShapeError(`in branch ${i + 1} of the Parallel, ${l.describe()}: ${e.message}`);
          throw e;
        }
      });
      const first = shapes[0]!;
      const keep = connection === "+" ? first : first.slice(0, -1);
      shapes.forEach((s, i) => {
        const part = connection === "+" ? s : s.slice(0, -1);
        if (s.length !== first.length || part.join() !== keep.join()) {
          const what = connection === "+" ? "must have equal shapes" : "must agree on every axis but the last";
          throw new ShapeError(`Parallel(${connection}, ...): branch outputs ${what}; branch 1 gives ${fmtShape(first)}, branch ${i + 1} gives ${fmtShape(s)}`);
        }
      });
      return connection === "+" ? first : [...keep, shapes.reduce((a, s) => a + s.at(-1)!, 0)];
    },
    apply: (params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor => {
      const ys = layers.map((l, i) => {
        const name = String(i + 1);
        return l.apply((params[name] ?? EMPTY) as ParamTree, x, childContext(ctx, name, i));
      });
      if (ys.length === 1) return ys[0]!;
      if (connection === "+") return ys.reduce((a, y) => tf.add(a, y));
      if (!ctx.batched) return tf.concat(ys, -1);
      // Widened by a broadcasting product: tf.broadcastTo runs Tile, whose tfjs 4.22 gradient
      // stops at rank 4, and images with a chain axis have rank 5.
      const lead = Math.max(...ys.map((y) => y.shape[0]!));
      const widen = (y: tf.Tensor): tf.Tensor => tf.mul(y, tf.ones([lead, ...y.shape.slice(1).map(() => 1)]));
      return tf.concat(ys.map((y) => (y.shape[0] === lead ? y : widen(y))), -1);
    },
  };
}
