/**
 * ConvTranspose((kh, kw), cin => cout, activation; stride = 1, pad = "valid") on NHWC images:
 * the gradient of a convolution with respect to its input (Flux's `ConvTranspose`, often
 * called "deconvolution"). Each input pixel spreads its channels over a kh×kw window of the
 * output, windows stride apart:
 *     y[n, s·r + i − p, s·c + j − q, o] += x[n, r, c, k] W[i, j, o, k],   then σ(· + b[o]),
 * where (p, q) is the leading padding of the convolution being transposed.
 *
 * Weight `[kh, kw, cout, cin]` (the layout of the Conv2D it transposes, as in Flux and
 * tf.conv2dTranspose), bias `[cout]`; x `[N, H, W, cin]` → `[N, Ho, Wo, cout]` with
 *     "valid": Ho = (H − 1)·s + kh;   pad p: Ho = (H − 1)·s + kh − 2p;   "same": Ho = H·s,
 * i.e. the smallest input a Conv2D with the same settings maps back to H (for "same", the
 * input it maps to H exactly).
 *
 * Two implementations, the same function, split as in Conv2D:
 * - a weight without chain axis goes to tf.conv2dTranspose (Conv2DBackpropInput), whose
 *   gradients are tf.conv2d and Conv2DBackpropFilter; on wasm the latter is
 *   core/kernels/conv2d-backprop.ts, since tfjs-backend-wasm 4.22 registers none.
 * - chain-batched weights `[C, kh, kw, cout, cin]` go through a stride-1 cross-correlation with
 *   the kernel flipped in space, on the input with s − 1 zeros inserted between pixels and
 *   padded by kh − 1 − p: Conv2D's im2col (`patches`) and one batched product through `linear`
 *   for every chain. The price over a direct scatter is the s² inserted zeros.
 */
import { tf } from "../core/engine.js";
import { toActivation, type Activation } from "./activations.js";
import { carriesBatch, foldBatch, lift, linear } from "./batched.js";
import { patches, type ConvOptions } from "./conv2d.js";
import { glorotUniform, zerosInit } from "./init.js";
import { ShapeError, fmtShape, getParam, positiveInt, type ApplyContext, type Layer } from "./layer.js";
import { axisPad, describePad, isPadding, type Padding } from "./padding.js";
import type { ParamTree, Shape } from "./tree.js";

export interface ConvTransposeLayer extends Layer {
  readonly kind: "ConvTranspose";
  readonly kernel: readonly [number, number];
  readonly cin: number;
  readonly cout: number;
  readonly activation: Activation;
}

interface TransposeAxis {
  /** Output length. */
  readonly out: number;
  /** Leading padding of the convolution being transposed: output index t is full-correlation index t + before. */
  readonly before: number;
}

/** Output length along one axis of length `size` for kernel `k`, stride `s` (see the module comment). */
function transposeAxis(size: number, k: number, s: number, pad: Padding): TransposeAxis {
  if (pad === "same") {
    const out = size * s;
    return { out, before: axisPad(out, k, s, "same").before };
  }
  const p = pad === "valid" ? 0 : pad;
  const out = (size - 1) * s + k - 2 * p;
  if (out < 1) throw new ShapeError(`a transposed window of ${k} with stride ${s} leaves no output from an input of size ${size} with padding ${2 * p}`);
  return { out, before: p };
}

/** Pad (positive) or crop (negative) each axis of `x` at both ends. */
function padOrCrop(x: tf.Tensor, amounts: readonly (readonly [number, number])[]): tf.Tensor {
  let y = x;
  if (amounts.some(([a, b]) => a > 0 || b > 0)) y = tf.pad(y, amounts.map(([a, b]) => [Math.max(a, 0), Math.max(b, 0)] as [number, number]));
  if (amounts.some(([a, b]) => a < 0 || b < 0)) {
    const begin = amounts.map(([a]) => Math.max(-a, 0));
    const size = y.shape.map((d, i) => d - begin[i]! - Math.max(-amounts[i]![1], 0));
    y = tf.slice(y, begin, size);
  }
  return y;
}

/**
 * The chain-batched path: `[M, H, W, cin]` (the chain axis folded into M; `unfold` restores it)
 * and weights `[C, kh, kw, cout, cin]` → `[C, ..., Ho, Wo, cout]`, without bias.
 */
function batchedTranspose(x: tf.Tensor, w: tf.Tensor, stride: number, th: TransposeAxis, tw: TransposeAxis, unfold: (y: tf.Tensor) => tf.Tensor): tf.Tensor {
  const [m, h, wd, cin] = x.shape as [number, number, number, number];
  const [chains, kh, kw, cout] = w.shape as [number, number, number, number, number];
  let xd = x;
  if (stride > 1) {
    // s − 1 zeros after every pixel: [M, H, 1, W, 1, c] padded to [M, H, s, W, s, c]. The
    // trailing s − 1 zeros of each axis are then kept or cropped by padOrCrop.
    const z = tf.pad(tf.reshape(x, [m, h, 1, wd, 1, cin]), [[0, 0], [0, 0], [0, stride - 1], [0, 0], [0, stride - 1], [0, 0]]);
    xd = tf.reshape(z, [m, h * stride, wd * stride, cin]);
  }
  // A valid stride-1 correlation of length `out` reads out + k − 1 inputs, starting k − 1 − before
  // ahead of the first pixel.
  const ends = (k: number, t: TransposeAxis, len: number): [number, number] => [k - 1 - t.before, t.out + t.before - len];
  const xp = padOrCrop(xd, [[0, 0], ends(kh, th, h * stride), ends(kw, tw, wd * stride), [0, 0]]);
  const cols = unfold(patches(xp, kh, kw, 1, "valid"));
  // Flip in space, and order each row (i, j, input channel) like the patch entries.
  const flipped = tf.transpose(tf.reverse(w, [1, 2]), [0, 1, 2, 4, 3]);
  return linear(cols, tf.reshape(flipped, [chains, kh * kw * cin, cout]), true);
}

/**
 * The path without chain axis, tf.conv2dTranspose. A numeric padding p is the "valid" result
 * with p rows and columns cropped from each side: tfjs 4.22's computeConv2DInfo sizes a
 * numeric padding with the kernel's height on both axes, so with a non-square kernel the
 * stock kernels drop a column and the wasm replacement returns the wrong width.
 */
function plainTranspose(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: Padding, out: [number, number, number, number]): tf.Tensor {
  if (typeof pad !== "number" || pad === 0) return tf.conv2dTranspose(x, w, out, stride, pad === 0 ? "valid" : pad);
  const [m, ho, wo, cout] = out;
  const full = tf.conv2dTranspose(x, w, [m, ho + 2 * pad, wo + 2 * pad, cout], stride, "valid");
  return tf.slice(full, [0, pad, pad, 0], out);
}

export function convTranspose(kernel: readonly [number, number], cin: number, cout: number, options: ConvOptions = {}): ConvTransposeLayer {
  const [kh, kw] = kernel;
  positiveInt(kh, "ConvTranspose kernel height");
  positiveInt(kw, "ConvTranspose kernel width");
  positiveInt(cin, "ConvTranspose input channels");
  positiveInt(cout, "ConvTranspose output channels");
  const stride = positiveInt(options.stride ?? 1, "ConvTranspose stride");
  const pad = options.pad ?? "valid";
  if (!isPadding(pad)) throw new ShapeError(`ConvTranspose padding must be "valid", "same" or a non-negative integer, got ${String(pad)}`);
  const act = toActivation(options.activation ?? "identity");
  const useBias = options.bias ?? true;
  const init = options.init ?? glorotUniform();
  const weight = { shape: [kh, kw, cout, cin], init };
  const specs = useBias ? { weight, bias: { shape: [cout], init: zerosInit } } : { weight };
  const describe = (): string => {
    const extras = [stride !== 1 ? `stride = ${stride}` : "", pad !== "valid" ? `pad = ${describePad(pad)}` : ""].filter(Boolean);
    return `ConvTranspose((${kh}, ${kw}), ${cin} => ${cout}${act.name === "identity" ? "" : `, ${act.name}`}${extras.length ? `; ${extras.join(", ")}` : ""})`;
  };
  return {
    kind: "ConvTranspose",
    kernel: [kh, kw],
    cin,
    cout,
    activation: act,
    describe,
    paramSpecs: () => specs,
    outputShape: (inputShape: Shape): Shape => {
      if (inputShape.length !== 3 || inputShape[2] !== cin) {
        throw new ShapeError(`${describe()} expects images (height, width, ${cin}), got shape ${fmtShape(inputShape)}`);
      }
      return [transposeAxis(inputShape[0]!, kh, stride, pad).out, transposeAxis(inputShape[1]!, kw, stride, pad).out, cout];
    },
    apply: (params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor => {
      if (x.rank !== 4 + Number(ctx.batched) || x.shape.at(-1) !== cin) {
        throw new ShapeError(`${describe()} expects images (N, height, width, ${cin}), got shape ${fmtShape(x.shape)}`);
      }
      const w = getParam(params, "weight", ctx);
      const folded = foldBatch(x, ctx);
      const [m, h, wd] = folded.x.shape as [number, number, number, number];
      const th = transposeAxis(h, kh, stride, pad);
      const tw = transposeAxis(wd, kw, stride, pad);
      let y = carriesBatch(w, 4, "weight", ctx)
        ? batchedTranspose(folded.x, w, stride, th, tw, folded.unfold)
        : folded.unfold(plainTranspose(folded.x as tf.Tensor4D, w as tf.Tensor4D, stride, pad, [m, th.out, tw.out, cout]));
      if (useBias) {
        const b = getParam(params, "bias", ctx);
        y = tf.add(y, lift(b, y.rank, carriesBatch(b, 1, "bias", ctx)));
      }
      return act.fn(y);
    },
  };
}
