/**
 * Conv2D((kh, kw), cin => cout, activation; stride = 1, pad = "valid", init = glorot_uniform)
 * on NHWC images: y[n, r, c, o] = σ(Σ_{i,j,k} x[n, s·r + i, s·c + j, k] W[i, j, k, o] + b[o])
 * (cross-correlation, as tf.conv2d and Flux's `CrossCor`; Flux's `Conv` flips the kernel).
 *
 * Weight `[kh, kw, cin, cout]`, bias `[cout]`; x `[N, H, W, cin]` → `[N, Ho, Wo, cout]`.
 *
 * Two implementations, the same function:
 * - a weight without chain axis (training, and every non-Bayesian use) goes to tf.conv2d, one
 *   kernel each way; on wasm its filter gradient is core/kernels/conv2d-backprop.ts, since
 *   tfjs-backend-wasm 4.22 registers none (the cpu backend's own is a scalar loop, there
 *   slower than im2col). A chain axis on the input alone is folded into N.
 * - chain-batched weights `[C, kh, kw, cin, cout]` (NUTS over the weights) go through im2col:
 *   kh·kw slices of the padded input side by side, then one product with the weights reshaped
 *   to `[C, kh·kw·cin, cout]` through `linear`, so every chain costs one batched product
 *   instead of a convolution each. The price is kh·kw copies of the input, and a gradient that
 *   splits them apart again (SplitV, then kh·kw padded slices): on wasm a training step of a
 *   small CNN takes over ten times as long as through tf.conv2d (bench/train-step.ts).
 */
import { tf } from "../core/engine.js";
import { toActivation, type Activation } from "./activations.js";
import { carriesBatch, foldBatch, lift, linear } from "./batched.js";
import { glorotUniform, zerosInit, type Initialiser } from "./init.js";
import { ShapeError, fmtShape, getParam, positiveInt, type ApplyContext, type Layer } from "./layer.js";
import { axisPad, describePad, type Padding } from "./padding.js";
import type { ParamTree, Shape } from "./tree.js";
import { convFlipout } from "./weight-noise.js";

export interface ConvOptions {
  readonly activation?: Activation | string;
  readonly stride?: number;
  readonly pad?: Padding;
  readonly bias?: boolean;
  readonly init?: Initialiser;
}

export interface Conv2DLayer extends Layer {
  readonly kind: "Conv2D";
  readonly kernel: readonly [number, number];
  readonly cin: number;
  readonly cout: number;
}

/** im2col: `[M, H, W, c]` → `[M, Ho, Wo, kh·kw·c]`, patch entries ordered (i, j, channel). */
export function patches(x: tf.Tensor, kh: number, kw: number, stride: number, pad: Padding): tf.Tensor {
  const [m, h, w, c] = x.shape as [number, number, number, number];
  const ph = axisPad(h, kh, stride, pad);
  const pw = axisPad(w, kw, stride, pad);
  // Each window start is sliced as stride·out rows and subsampled by a reshape, so the extent
  // needed is k − 1 + stride·out; pad the end with zeros where the input falls short.
  const extraH = Math.max(0, kh - 1 + stride * ph.out - (h + ph.before + ph.after));
  const extraW = Math.max(0, kw - 1 + stride * pw.out - (w + pw.before + pw.after));
  const xp = tf.pad(x, [[0, 0], [ph.before, ph.after + extraH], [pw.before, pw.after + extraW], [0, 0]]);
  const cols: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      let s = tf.slice(xp, [0, i, j, 0], [m, stride * ph.out, stride * pw.out, c]);
      if (stride > 1) {
        s = tf.reshape(s, [m, ph.out, stride, pw.out, stride, c]);
        s = tf.reshape(tf.slice(s, [0, 0, 0, 0, 0, 0], [m, ph.out, 1, pw.out, 1, c]), [m, ph.out, pw.out, c]);
      }
      cols.push(s);
    }
  }
  return cols.length === 1 ? cols[0]! : tf.concat(cols, 3);
}

export function conv2d(kernel: readonly [number, number], cin: number, cout: number, options: ConvOptions = {}): Conv2DLayer {
  const [kh, kw] = kernel;
  positiveInt(kh, "Conv2D kernel height");
  positiveInt(kw, "Conv2D kernel width");
  positiveInt(cin, "Conv2D input channels");
  positiveInt(cout, "Conv2D output channels");
  const stride = positiveInt(options.stride ?? 1, "Conv2D stride");
  const pad = options.pad ?? "valid";
  const act = toActivation(options.activation ?? "identity");
  const useBias = options.bias ?? true;
  const init = options.init ?? glorotUniform();
  const weight = { shape: [kh, kw, cin, cout], init };
  const specs = useBias ? { weight, bias: { shape: [cout], init: zerosInit } } : { weight };
  const describe = (): string => {
    const extras = [stride !== 1 ? `stride = ${stride}` : "", pad !== "valid" ? `pad = ${describePad(pad)}` : ""].filter(Boolean);
    return `Conv2D((${kh}, ${kw}), ${cin} => ${cout}${act.name === "identity" ? "" : `, ${act.name}`}${extras.length ? `; ${extras.join(", ")}` : ""})`;
  };
  return {
    kind: "Conv2D",
    kernel: [kh, kw],
    cin,
    cout,
    describe,
    paramSpecs: () => specs,
    outputShape: (inputShape: Shape): Shape => {
      if (inputShape.length !== 3 || inputShape[2] !== cin) {
        throw new ShapeError(`${describe()} expects images (height, width, ${cin}), got shape ${fmtShape(inputShape)}`);
      }
      return [axisPad(inputShape[0]!, kh, stride, pad).out, axisPad(inputShape[1]!, kw, stride, pad).out, cout];
    },
    apply: (params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor => {
      if (x.rank !== 4 + Number(ctx.batched) || x.shape.at(-1) !== cin) {
        throw new ShapeError(`${describe()} expects images (N, height, width, ${cin}), got shape ${fmtShape(x.shape)}`);
      }
      const correlate = (xs: tf.Tensor, w: tf.Tensor, batched: boolean): tf.Tensor => {
        const folded = foldBatch(xs, ctx);
        if (batched) {
          const cols = folded.unfold(patches(folded.x, kh, kw, stride, pad));
          return linear(cols, tf.reshape(w, [w.shape[0]!, kh * kw * cin, cout]), true);
        }
        // A numeric pad goes in explicitly: tf.conv2d takes a number as the same padding for a
        // kernel's height and width (tfjs 4.22 uses kh for both), wrong for kh ≠ kw.
        const input = typeof pad === "number" && pad > 0 ? tf.pad(folded.x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : folded.x;
        return folded.unfold(tf.conv2d(input as tf.Tensor4D, w as tf.Tensor4D, stride, typeof pad === "number" ? "valid" : pad));
      };
      // Bayes by Backprop: pre-activations by Flipout (weight-noise.ts).
      const g = ctx.gaussian?.at(ctx.path);
      if (g !== undefined) return act.fn(convFlipout(x, g, useBias, ctx, [kh, kw, cin, cout], correlate));
      const w = getParam(params, "weight", ctx);
      let y = correlate(x, w, carriesBatch(w, 4, "weight", ctx));
      if (useBias) {
        const b = getParam(params, "bias", ctx);
        y = tf.add(y, lift(b, y.rank, carriesBatch(b, 1, "bias", ctx)));
      }
      return act.fn(y);
    },
  };
}
