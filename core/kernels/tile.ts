/**
 * `Tile` for tfjs-backend-wasm 4.22.0, as one broadcasting multiply.
 *
 * Defect of the stock kernel (a cost, not a wrong result; measured on the 2-core machine, see
 * bench/RESULTS.md): a generic per-element loop, ~43 ms for a [256, 1] → [256, 1000] tile,
 * against ~1 ms for a broadcasting `Multiply` of the same size. tfjs's `broadcastTo` is a
 * `Tile`, and `tf.where(mask, x, tf.scalar(-Infinity))` (the support mask of every
 * log density) broadcasts its scalar that way: 44 ms against 0.65 ms with equal shapes.
 *
 * tile(x, reps)[…, r_i·d_i + j_i, …] = x[…, j_i, …]: reshape x so that every axis with
 * d_i > 1 and r_i > 1 gets a leading axis of size 1, multiply by ones of the interleaved
 * output shape (x·1 = x exactly, NaN, ±∞ and −0 included), and reshape to the tiled shape.
 * Only float32 takes this path: the wasm backend's broadcasting int32 `Multiply` is itself a
 * slow generic loop (~20 ms for 64k elements, slower than the stock `Tile`), so int32, bool
 * and string tensors, and shapes beyond 6 interleaved axes, go to the stock kernel.
 */
import type { KernelFunc } from "./compose.js";
import { compose } from "./compose.js";

const MAX_RANK = 6;

/** The replacement kernel: out shape `[d_i · r_i]`. */
export function tileFix(stock: KernelFunc, backendName: string): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs = {} } = args;
    const x = inputs["x"]!;
    const reps = attrs["reps"] as number[];
    const inShape: number[] = [];
    const outShape: number[] = [];
    x.shape.forEach((d, i) => {
      const r = reps[i]!;
      if (r === 1 || d === 1) {
        inShape.push(d);
        outShape.push(d * r);
      } else {
        inShape.push(1, d);
        outShape.push(r, d);
      }
    });
    if (x.dtype !== "float32" || inShape.length > MAX_RANK || outShape.some((d) => d === 0)) return stock(args);
    return compose(backend, backendName, (c) => {
      const ones = c.fill(outShape, 1);
      const spread = c.run("Multiply", { a: c.reshape(x, inShape), b: ones });
      return c.reshape(spread, x.shape.map((d, i) => d * reps[i]!));
    });
  };
}
