/**
 * The two gradients of `conv2d` for tfjs-backend-wasm 4.22.0, each composed as one forward
 * `Conv2D` (XNNPACK) on rearranged operands.
 *
 * Defects of the stock backend (measured on a 2-core x86-64 machine, node 20, see
 * bench/matmul-bench.ts and bench/RESULTS.md):
 * - `Conv2DBackpropFilter` is not registered, so `tf.grad` through any `tf.conv2d` with
 *   respect to its filter throws "Kernel 'Conv2DBackpropFilter' not registered for backend
 *   'wasm'": no convolutional network can train.
 * - `Conv2DBackpropInput` (also `conv2dTranspose`) is a naive scalar loop (~54 ms for a small
 *   conv layer); the composition below runs on XNNPACK's convolution instead.
 *
 * Notation (NHWC, dilation 1 as tfjs requires for conv2d gradients): x `[n, h, w, ci]`,
 * filter W `[kh, kw, ci, co]`, dy `[n, oh, ow, co]`, stride (sh, sw), top/left padding
 * (pt, pl), xp the zero-padded input:  y[n,i,j,co] = Σ xp[n, sh·i+a, sw·j+b, ci] W[a,b,ci,co].
 */
import * as tf from "@tensorflow/tfjs";
import type { Info, KernelFunc } from "./compose.js";
import { compose, spreadOut } from "./compose.js";

type Pad = "valid" | "same" | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

function convInfo(xShape: readonly number[], filterShape: readonly number[], attrs: Record<string, unknown>) {
  if (attrs["dataFormat"] === "NCHW") throw new Error("wasm conv2d gradients support dataFormat 'NHWC' only");
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs["strides"] as number | [number, number],
    1,
    attrs["pad"] as Pad,
    attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined,
    false,
    "channelsLast",
  );
}

/**
 * `Conv2DBackpropFilter`: dW[a,b,ci,co] = Σ_{n,i,j} xp[n, sh·i+a, sw·j+b, ci] dy[n,i,j,co].
 * Read as a convolution this is one `Conv2D` whose batch is ci, whose input channels are n
 * and whose filter is dy: input xᵀ `[ci, h, w, n]`, filter `[oh, ow, n, co]`, dilation
 * (sh, sw), stride 1, the forward padding; output `[ci, kh, kw, co]`, then transposed.
 */
export function conv2dBackpropFilterFix(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const x = inputs["x"]!;
    const dy = inputs["dy"]!;
    const info = convInfo(x.shape, attrs["filterShape"] as number[], attrs);
    const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: kh, filterWidth: kw, padInfo } = info;
    // Rows/columns of the padded input that some window reaches; the rest do not contribute
    // (cropped) and missing ones are padding (passed to the convolution as explicit padding).
    const bottom = (oh - 1) * sh + kh - h - padInfo.top;
    const right = (ow - 1) * sw + kw - w - padInfo.left;
    return compose(backend, backendName, (c) => {
      const xc = c.padOrCrop(x, [[0, 0], [0, Math.min(0, bottom)], [0, Math.min(0, right)], [0, 0]]);
      const xt = c.transpose(xc, [3, 1, 2, 0]);
      const dyt = c.transpose(dy, [1, 2, 0, 3]);
      const pad = [[0, 0], [padInfo.top, Math.max(0, bottom)], [padInfo.left, Math.max(0, right)], [0, 0]];
      const out = c.run("Conv2D", { x: xt, filter: dyt }, { strides: [1, 1], pad, dataFormat: "NHWC", dilations: [sh, sw] });
      return c.transpose(out, [1, 2, 0, 3]);
    });
  };
}

/**
 * `Conv2DBackpropInput`: dx[n,y,x,ci] = Σ dy[n,i,j,co] W[a,b,ci,co] over sh·i+a = y+pt,
 * sw·j+b = x+pl. With dy spread onto the stride grid (zeros between rows and columns) this is
 * a stride-1 `Conv2D` of the spread dy, padded by (kh−1−pt, kw−1−pl) in front, with the
 * filter flipped in both spatial axes and its channel axes swapped (`[kh, kw, co, ci]`).
 */
export function conv2dBackpropInputFix(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const dy = inputs["dy"]!;
    const filter = inputs["filter"]!;
    const info = convInfo(attrs["inputShape"] as number[], filter.shape, attrs);
    const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: kh, filterWidth: kw, padInfo } = info;
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    // The output must have h rows: oh·sh + top + bottom − kh + 1 = h.
    const bottom = h + kh - 1 - oh * sh - top;
    const right = w + kw - 1 - ow * sw - left;
    return compose(backend, backendName, (c) => {
      const spread: Info = spreadOut(c, dy, sh, sw);
      const crop = c.padOrCrop(spread, [[0, 0], [Math.min(0, top), Math.min(0, bottom)], [Math.min(0, left), Math.min(0, right)], [0, 0]]);
      const flipped = c.run("Reverse", { x: filter }, { dims: [0, 1] });
      const wt = c.transpose(flipped, [0, 1, 3, 2]);
      const pad = [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]];
      return c.run("Conv2D", { x: crop, filter: wt }, { strides: [1, 1], pad, dataFormat: "NHWC", dilations: [1, 1] });
    });
  };
}
