/**
 * `MaxPoolWithArgmax` for tfjs-backend-wasm 4.22.0, composed like the max-pool gradient.
 *
 * Defect of the stock kernel (found comparing against the cpu backend; regression test in
 * max-pool-with-argmax.test.ts): like the stock `MaxPoolGrad` it starts each window's
 * running maximum at 0, so a window of negative values reports the value 0 and the index of
 * its first element instead of its maximum and that maximum's index.
 *
 * values[r] = max_k rows[r, k] and indexes[r] = flat index of the first maximum, with the
 * windows laid out as rows by `windowRows` (max-pool-grad.ts). The flat index of input
 * element (n, y, x, c) is ((n·h + y)·w + x)·c_total + c with `includeBatchInIndex`, else
 * (y·w + x)·c_total + c (the cpu backend's and TensorFlow's convention).
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelFunc } from "./compose.js";
import { compose } from "./compose.js";
import { windowRows } from "./max-pool-grad.js";

interface Readable {
  readSync(dataId: object): ArrayLike<number>;
}

/** The replacement kernel: outputs `[values, indexes]`, both of the pooled shape (indexes int32). */
export function maxPoolWithArgmaxFix(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const x = inputs["x"]!;
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs["filterSize"] as number | [number, number],
      attrs["strides"] as number | [number, number],
      [1, 1],
      attrs["pad"] as "valid" | "same" | number,
    );
    const withBatch = attrs["includeBatchInIndex"] === true;
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch, outHeight: oh, outWidth: ow } = info;
    const { strideHeight: sh, strideWidth: sw, filterWidth: kw, padInfo } = info;
    const outShape = [n, oh, ow, ch];
    let indexes: tf.TensorInfo | undefined;
    const values = compose(backend, backendName, (c) => {
      const rows = windowRows(c, x, info);
      const argmax = (backend as Readable).readSync(c.run("ArgMax", { x: rows }, { axis: 1 }).dataId);
      const flat = new Array<number>(argmax.length);
      let r = 0;
      for (let b = 0; b < n; b++) {
        for (let i = 0; i < oh; i++) {
          for (let j = 0; j < ow; j++) {
            for (let d = 0; d < ch; d++, r++) {
              const k = argmax[r]!;
              const y = i * sh - padInfo.top + Math.floor(k / kw);
              const xx = j * sw - padInfo.left + (k % kw);
              flat[r] = (((withBatch ? b * h : 0) + y) * w + xx) * ch + d;
            }
          }
        }
      }
      // made outside the composer's tracking: it is a second output of this kernel
      indexes = compose(backend, backendName, (c2) => c2.values(outShape, "int32", flat));
      return c.reshape(c.run("Max", { x: rows }, { reductionIndices: [1], keepDims: false }), outShape);
    });
    return [values, indexes!];
  };
}
