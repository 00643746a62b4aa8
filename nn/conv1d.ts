/**
 * Conv1D(k, cin => cout, activation; stride = 1, pad = "valid", init = glorot_uniform) on
 * sequences: y[n, t, o] = σ(Σ_{i,c} x[n, s·t + i, c] W[i, c, o] + b[o]), cross-correlation like
 * Conv2D (Flux's `Conv((k,), cin => cout)` on WCN arrays, laid out here as NWC).
 *
 * Weight `[k, cin, cout]`, bias `[cout]`; x `[N, L, cin]` → `[N, Lo, cout]`.
 * The sequence is run as a 1×L image through Conv2D with a (1, k) kernel, so the convolution,
 * the chain-batched product and the wasm gradients are Conv2D's. Numeric padding is applied
 * here to the length axis only: handed to Conv2D it would pad the unit height too.
 */
import { tf } from "../core/engine.js";
import { toActivation } from "./activations.js";
import { carriesBatch } from "./batched.js";
import { conv2d, type ConvOptions } from "./conv2d.js";
import { glorotUniform, zerosInit } from "./init.js";
import { ShapeError, fmtShape, getParam, positiveInt, type ApplyContext, type Layer } from "./layer.js";
import { axisPad, describePad, isPadding } from "./padding.js";
import type { ParamTree, Shape } from "./tree.js";

export interface Conv1DLayer extends Layer {
  readonly kind: "Conv1D";
  readonly kernel: number;
  readonly cin: number;
  readonly cout: number;
}

export function conv1d(k: number, cin: number, cout: number, options: ConvOptions = {}): Conv1DLayer {
  positiveInt(k, "Conv1D kernel size");
  positiveInt(cin, "Conv1D input channels");
  positiveInt(cout, "Conv1D output channels");
  const stride = positiveInt(options.stride ?? 1, "Conv1D stride");
  const pad = options.pad ?? "valid";
  if (!isPadding(pad)) throw new ShapeError(`Conv1D padding must be "valid", "same" or a non-negative integer, got ${String(pad)}`);
  const act = toActivation(options.activation ?? "identity");
  const useBias = options.bias ?? true;
  const init = options.init ?? glorotUniform();
  // The fans of [k, cin, cout] and of Conv2D's [1, k, cin, cout] agree, so initialisers see
  // the same variance as Flux's `Conv((k,), cin => cout)`.
  const weight = { shape: [k, cin, cout], init };
  const specs = useBias ? { weight, bias: { shape: [cout], init: zerosInit } } : { weight };
  const inner = conv2d([1, k], cin, cout, { activation: act, stride, pad: typeof pad === "number" ? "valid" : pad, bias: useBias });
  const describe = (): string => {
    const extras = [stride !== 1 ? `stride = ${stride}` : "", pad !== "valid" ? `pad = ${describePad(pad)}` : ""].filter(Boolean);
    return `Conv1D(${k}, ${cin} => ${cout}${act.name === "identity" ? "" : `, ${act.name}`}${extras.length ? `; ${extras.join(", ")}` : ""})`;
  };
  return {
    kind: "Conv1D",
    kernel: k,
    cin,
    cout,
    describe,
    paramSpecs: () => specs,
    outputShape: (inputShape: Shape): Shape => {
      if (inputShape.length !== 2 || inputShape[1] !== cin) {
        throw new ShapeError(`${describe()} expects sequences (length, ${cin}), got shape ${fmtShape(inputShape)}`);
      }
      return [axisPad(inputShape[0]!, k, stride, pad).out, cout];
    },
    apply: (params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor => {
      if (x.rank !== 3 + Number(ctx.batched) || x.shape.at(-1) !== cin) {
        throw new ShapeError(`${describe()} expects sequences (N, length, ${cin}), got shape ${fmtShape(x.shape)}`);
      }
      const w = getParam(params, "weight", ctx);
      const batched = carriesBatch(w, 3, "weight", ctx);
      const w4 = tf.reshape(w, batched ? [w.shape[0]!, 1, k, cin, cout] : [1, k, cin, cout]);
      const inParams: ParamTree = useBias ? { weight: w4, bias: getParam(params, "bias", ctx) } : { weight: w4 };
      const lengthAxis = x.rank - 2;
      let xs = x;
      if (typeof pad === "number" && pad > 0) {
        xs = tf.pad(x, x.shape.map((_, a) => (a === lengthAxis ? [pad, pad] : [0, 0]) as [number, number]));
      }
      // [..., L, cin] → [..., 1, L, cin]: a one-row image
      const img = tf.reshape(xs, [...xs.shape.slice(0, lengthAxis), 1, ...xs.shape.slice(lengthAxis)]);
      const y = inner.apply(inParams, img, ctx);
      return tf.reshape(y, [...y.shape.slice(0, -3), ...y.shape.slice(-2)]);
    },
  };
}
