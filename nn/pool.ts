/**
 * MaxPool(window; pad = 0, stride = window) and MeanPool (alias AvgPool) on NHWC images:
 * the max or mean of each window, channel by channel (Flux names and defaults).
 * x `[N, H, W, c]` → `[N, Ho, Wo, c]`; a chain axis in front is folded into N.
 * With pad = "same", MeanPool averages over the window's part inside the image (tfjs rule).
 */
import { tf } from "../core/engine.js";
import { foldBatch } from "./batched.js";
import { ShapeError, fmtShape, positiveInt, type Layer } from "./layer.js";
import { axisPad, describePad, type Padding } from "./padding.js";
import type { Shape } from "./tree.js";

export interface PoolOptions {
  readonly stride?: number | readonly [number, number];
  readonly pad?: Padding;
}

export interface PoolLayer extends Layer {
  readonly kind: "MaxPool" | "MeanPool";
  readonly window: readonly [number, number];
}

function pool(kind: "MaxPool" | "MeanPool", window: readonly [number, number], options: PoolOptions): PoolLayer {
  const [kh, kw] = window;
  positiveInt(kh, `${kind} window height`);
  positiveInt(kw, `${kind} window width`);
  const s = options.stride ?? window;
  const [sh, sw] = typeof s === "number" ? [s, s] : s;
  positiveInt(sh, `${kind} stride`);
  positiveInt(sw, `${kind} stride`);
  const pad = options.pad ?? "valid";
  const strideText = sh === kh && sw === kw ? "" : `stride = (${sh}, ${sw})`;
  const padText = pad === "valid" || pad === 0 ? "" : `pad = ${describePad(pad)}`;
  const extras = [strideText, padText].filter(Boolean).join(", ");
  const describe = (): string => `${kind}((${kh}, ${kw})${extras ? `; ${extras}` : ""})`;
  return {
    kind,
    window: [kh, kw],
    describe,
    paramSpecs: () => ({}),
    outputShape: (inputShape: Shape): Shape => {
      if (inputShape.length !== 3) throw new ShapeError(`${describe()} expects images (height, width, channels), got shape ${fmtShape(inputShape)}`);
      return [axisPad(inputShape[0]!, kh, sh, pad).out, axisPad(inputShape[1]!, kw, sw, pad).out, inputShape[2]!];
    },
    apply: (_params, x, ctx) => {
      if (x.rank !== 4 + Number(ctx.batched)) throw new ShapeError(`${describe()} expects images (N, height, width, channels), got shape ${fmtShape(x.shape)}`);
      const { x: x4, unfold } = foldBatch(x, ctx);
      const op = kind === "MaxPool" ? tf.maxPool : tf.avgPool;
      return unfold(op(x4 as tf.Tensor4D, [kh, kw], [sh, sw], pad));
    },
  };
}

export const maxPool = (window: readonly [number, number], options: PoolOptions = {}): PoolLayer => pool("MaxPool", window, options);
export const meanPool = (window: readonly [number, number], options: PoolOptions = {}): PoolLayer => pool("MeanPool", window, options);
