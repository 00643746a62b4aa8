/**
 * The two gradients of `depthwiseConv2d` for tfjs-backend-wasm 4.22.0.
 *
 * Defect of the stock backend (regression test in depthwise-backprop.test.ts): neither
 * `DepthwiseConv2dNativeBackpropInput` nor `DepthwiseConv2dNativeBackpropFilter` is
 * registered, so `tf.grad` through `tf.depthwiseConv2d` (and `tf.separableConv2d`) throws.
 *
 * Notation (NHWC, dilation 1 as tfjs requires for these gradients): x `[n, h, w, ci]`,
 * filter W `[kh, kw, ci, M]` (M = channel multiplier), dy `[n, oh, ow, ci·M]`, stride
 * (sh, sw), top/left padding (pt, pl), xp the zero-padded input:
 *   y[n,i,j,ci·M+q] = Σ_ab xp[n, sh·i+a, sw·j+b, ci] W[a,b,ci,q].
 */
import * as tf from "@tensorflow/tfjs";
import type { Info, KernelFunc } from "./compose.js";
import { compose, spreadOut, stridedWindow } from "./compose.js";

type Pad = "valid" | "same" | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

function depthwiseInfo(xShape: readonly number[], filterShape: readonly number[], attrs: Record<string, unknown>) {
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs["strides"] as number | [number, number],
    1,
    attrs["pad"] as Pad,
    attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined,
    true,
  );
}

/**
 * `DepthwiseConv2dNativeBackpropInput`: dx[n,y,x,ci] = Σ_q Σ dy[n,i,j,ci·M+q] W[a,b,ci,q] over
 * sh·i+a = y+pt, sw·j+b = x+pl: a stride-1 depthwise convolution (multiplier 1) of dy spread
 * onto the stride grid with the spatially flipped filter `[kh, kw, ci·M, 1]`, padded by
 * (kh−1−pt, kw−1−pl) in front, followed by a sum over the M channels of each input channel.
 */
export function depthwiseBackpropInputFix(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const dy = inputs["dy"]!;
    const filter = inputs["filter"]!;
    const info = depthwiseInfo(attrs["inputShape"] as number[], filter.shape, attrs);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow } = info;
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, padInfo } = info;
    const mult = filter.shape[3]!;
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    const bottom = h + kh - 1 - oh * sh - top;
    const right = w + kw - 1 - ow * sw - left;
    return compose(backend, backendName, (c) => {
      const spread: Info = spreadOut(c, dy, sh, sw);
      const crop = c.padOrCrop(spread, [[0, 0], [Math.min(0, top), Math.min(0, bottom)], [Math.min(0, left), Math.min(0, right)], [0, 0]]);
      const flipped = c.reshape(c.run("Reverse", { x: filter }, { dims: [0, 1] }), [kh, kw, ci * mult, 1]);
      const pad = [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]];
      const out = c.run("DepthwiseConv2dNative", { x: crop, filter: flipped }, { strides: [1, 1], pad, dilations: [1, 1] });
      if (mult === 1) return out;
      return c.run("Sum", { x: c.reshape(out, [n, h, w, ci, mult]) }, { axis: [4], keepDims: false });
    });
  };
}

/**
 * `DepthwiseConv2dNativeBackpropFilter`: dW[a,b,ci,q] = Σ_{n,i,j} s_ab[n,i,j,ci] dy[n,i,j,ci·M+q]
 * with s_ab the strided window of xp at offset (a, b). For each offset: one broadcast product
 * `[P, ci, 1] ⊙ [P, ci, M]` (P = n·oh·ow) summed over P by a product with a row of ones.
 */
export function depthwiseBackpropFilterFix(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const x = inputs["x"]!;
    const dy = inputs["dy"]!;
    const filterShape = attrs["filterShape"] as number[];
    const info = depthwiseInfo(x.shape, filterShape, attrs);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow } = info;
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, padInfo } = info;
    const mult = filterShape[3]!;
    const p = n * oh * ow;
    // xp must reach row a + oh·sh and column b + ow·sw for every offset (zero padding).
    const bottom = kh - 1 + oh * sh - h - padInfo.top;
    const right = kw - 1 + ow * sw - w - padInfo.left;
    return compose(backend, backendName, (c) => {
      const xp = c.padOrCrop(x, [[0, 0], [padInfo.top, bottom], [padInfo.left, right], [0, 0]]);
      const dy3 = c.reshape(dy, [p, ci, mult]);
      const ones = c.fill([1, p], 1);
      const rows: Info[] = [];
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) {
          const s = c.reshape(stridedWindow(c, xp, a, b, oh, ow, sh, sw), [p, ci, 1]);
          const prod = c.reshape(c.run("Multiply", { a: s, b: dy3 }), [p, ci * mult]);
          rows.push(c.run("BatchMatMul", { a: ones, b: prod }, { transposeA: false, transposeB: false }));
        }
      }
      return c.reshape(c.concat(rows, 0), [kh, kw, ci, mult]);
    });
  };
}
