/**
 * `MaxPoolGrad` for tfjs-backend-wasm 4.22.0, composed from elementwise kernels.
 *
 * Defect of the stock kernel (found comparing against the cpu backend on random inputs;
 * regression test in max-pool-grad.test.ts): it starts each window's running maximum at 0
 * instead of −∞, so a window whose values are all negative (or whose maximum lies beside
 * 'same' padding) sends its gradient to the window's first element instead of its maximum;
 * the forward `maxPool` is right, so every CNN with max-pooling trains on silently wrong
 * gradients. Random inputs with one channel show it as often as with several; the stock
 * `MaxPoolWithArgmax` kernel has the same fault in its values and indices.
 *
 * The composition: pad x with −∞ and lay the pooling windows out as rows of a `[m, K]`
 * matrix (m outputs, K = kh·kw offsets a·kw + b, row-major), where row r holds
 * xp[n, sh·i+a, sw·j+b, c] for the output element r = (n, i, j, c); give dy[r] to the row's
 * `ArgMax` (its first maximum, the rule of the cpu backend and of TensorFlow) through a
 * one-hot mask, and add each share back at the input element it was read from.
 * (Timings of the stock and replacement kernels: bench/matmul-bench.ts, bench/RESULTS.md.)
 */
import * as tf from "@tensorflow/tfjs";
import type { Composer, Info, KernelFunc } from "./compose.js";
import { compose, spreadOut, stridedWindow } from "./compose.js";

type Pad = "valid" | "same" | number | tf.backend_util.ExplicitPadding;

/** Window geometry of a 2-D pooling, from tfjs's own shape rules. */
export function poolInfo(xShape: readonly number[], attrs: Record<string, unknown>): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs["filterSize"] as number | [number, number],
    attrs["strides"] as number | [number, number],
    1,
    attrs["pad"] as Pad,
    attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined,
  );
}

/**
 * dy sent to the first maximum of each window, as a `[m, K]` matrix (m = n·oh·ow·c rows, one
 * per output element; K = kh·kw window offsets in row-major order). `rows` holds the window
 * values in the same layout; `ArgMax` returns the first maximum, as cpu and TensorFlow do.
 */
export function routeToArgmax(c: Composer, rows: Info, dy: Info): Info {
  const [m, k] = rows.shape as [number, number];
  const argmax = c.run("ArgMax", { x: rows }, { axis: 1 });
  // The wasm OneHot writes int32 whatever dtype it is given: ask for int32 and cast.
  const oneHot = c.run("OneHot", { indices: argmax }, { depth: k, onValue: 1, offValue: 0, dtype: "int32" });
  const mask = c.run("Cast", { x: oneHot }, { dtype: "float32" });
  return c.run("Multiply", { a: mask, b: c.reshape(dy, [m, 1]) });
}

const isTiled = (info: tf.backend_util.Conv2DInfo): boolean =>
  info.filterHeight === info.strideHeight && info.filterWidth === info.strideWidth;

/**
 * The pooling windows of x as a `[m, K]` matrix: row r = ((n·oh + i)·ow + j)·c + ch (the
 * order of the pooled output), column k = a·kw + b (window offsets in row-major order);
 * padding reads −∞. Non-overlapping windows (window = stride, the usual 2×2/2) are one view
 * of the padded input as `[n, oh, kh, ow, kw, c]` and one transpose; overlapping windows
 * are K strided slices stacked and transposed.
 */
export function windowRows(c: Composer, x: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, padInfo } = info;
  const [m, k] = [n * oh * ow * ch, kh * kw];
  if (isTiled(info)) {
    const [hh, ww] = [oh * kh, ow * kw];
    const xp = c.padOrCrop(x, [[0, 0], [padInfo.top, hh - h - padInfo.top], [padInfo.left, ww - w - padInfo.left], [0, 0]], -Infinity);
    return c.reshape(c.transpose(c.reshape(xp, [n, oh, kh, ow, kw, ch]), [0, 1, 3, 5, 2, 4]), [m, k]);
  }
  const bottom = Math.max(0, kh - 1 + oh * sh - h - padInfo.top);
  const right = Math.max(0, kw - 1 + ow * sw - w - padInfo.left);
  const xp = c.padOrCrop(x, [[0, 0], [padInfo.top, bottom], [padInfo.left, right], [0, 0]], -Infinity);
  const windows: Info[] = [];
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) windows.push(c.reshape(stridedWindow(c, xp, a, b, oh, ow, sh, sw), [1, m]));
  }
  return c.transpose(c.concat(windows, 0), [1, 0]);
}

/**
 * The inverse placement of `windowRows`: dx[n, sh·i+a−pt, sw·j+b−pl, c] = Σ shares[r, k] over
 * the rows and offsets that read that input element.
 */
function placeRows(c: Composer, shares: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, padInfo } = info;
  const [m, k] = [n * oh * ow * ch, kh * kw];
  if (isTiled(info)) {
    const [hh, ww] = [oh * kh, ow * kw];
    const back = c.transpose(c.reshape(shares, [n, oh, ow, ch, kh, kw]), [0, 1, 4, 2, 5, 3]);
    const dxp = c.reshape(back, [n, hh, ww, ch]);
    return c.padOrCrop(dxp, [[0, 0], [-padInfo.top, h + padInfo.top - hh], [-padInfo.left, w + padInfo.left - ww], [0, 0]]);
  }
  const byOffset = c.transpose(shares, [1, 0]);
  let dx: Info | undefined;
  for (let i = 0; i < k; i++) {
    const a = Math.floor(i / kw) - padInfo.top;
    const b = (i % kw) - padInfo.left;
    const share = c.reshape(c.slice(byOffset, [i, 0], [1, m]), [n, oh, ow, ch]);
    const placed = c.padOrCrop(spreadOut(c, share, sh, sw), [[0, 0], [a, h - a - oh * sh], [b, w - b - ow * sw], [0, 0]]);
    dx = dx === undefined ? placed : c.run("Add", { a: dx, b: placed });
  }
  return dx!;
}

/**
 * The replacement kernel: dx[n, sh·i+a−pt, sw·j+b−pl, c] += dy[n,i,j,c] for the first
 * maximising offset (a, b) of each window; dx has the shape of the input.
 */
export function maxPoolGradFix(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const dy = inputs["dy"]!;
    const x = inputs["input"]!;
    const info = poolInfo(x.shape, attrs);
    return compose(backend, backendName, (c) => placeRows(c, routeToArgmax(c, windowRows(c, x, info), dy), info));
  };
}
