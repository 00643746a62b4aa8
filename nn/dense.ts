/**
 * Dense(in => out, activation; bias = true, init = glorot_uniform): y = σ(x W + b).
 *
 * Rows are observations, so the weight is stored `[in, out]` and applied as `x @ W`
 * (Flux stores `[out, in]` and computes `W * x` on columns; the two are transposes of each
 * other, and the parameter count and initialiser variance are the same).
 * Shapes: x `[N, in]` → `[N, out]`; with chain-batched weights `[C, in, out]`, x
 * `[B, N, in]` → `[C, N, out]` in one product (see batched.ts). Extra middle axes
 * (`[N, T, in]`) are carried through.
 */
import { tf } from "../core/engine.js";
import { toActivation, type Activation } from "./activations.js";
import { carriesBatch, lift, linear } from "./batched.js";
import { glorotUniform, zerosInit, type Initialiser } from "./init.js";
import { ShapeError, fmtShape, getParam, positiveInt, type ApplyContext, type Layer, type SpecTree } from "./layer.js";
import type { ParamTree, Shape } from "./tree.js";
import { denseLocal } from "./weight-noise.js";

export interface DenseOptions {
  readonly activation?: Activation | string;
  readonly bias?: boolean;
  readonly init?: Initialiser;
}

export interface DenseLayer extends Layer {
  readonly kind: "Dense";
  readonly nin: number;
  readonly nout: number;
  readonly activation: Activation;
  readonly bias: boolean;
}

/** `Dense(nin => nout, activation)`. Parameters: `weight` `[nin, nout]`, `bias` `[nout]` (zeros). */
export function dense(nin: number, nout: number, options: DenseOptions = {}): DenseLayer {
  positiveInt(nin, "Dense input size");
  positiveInt(nout, "Dense output size");
  const act = toActivation(options.activation ?? "identity");
  const useBias = options.bias ?? true;
  const init = options.init ?? glorotUniform();
  const specs: SpecTree = useBias
    ? { weight: { shape: [nin, nout], init }, bias: { shape: [nout], init: zerosInit } }
    : { weight: { shape: [nin, nout], init } };
  return {
    kind: "Dense",
    nin,
    nout,
    activation: act,
    bias: useBias,
    describe: () =>
      `Dense(${nin} => ${nout}${act.name === "identity" ? "" : `, ${act.name}`}${useBias ? "" : "; bias = false"})`,
    paramSpecs: () => specs,
    outputShape: (inputShape: Shape): Shape => {
      if (inputShape.at(-1) !== nin) {
        throw new ShapeError(`Dense(${nin} => ${nout}) expects inputs of size ${nin}, got shape ${fmtShape(inputShape)}`);
      }
      return [...inputShape.slice(0, -1), nout];
    },
    apply: (params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor => {
      // Bayes by Backprop: pre-activations drawn by local reparameterisation (weight-noise.ts).
      const g = ctx.gaussian?.at(ctx.path);
      if (g !== undefined) return act.fn(denseLocal(x, g, useBias, ctx));
      const w = getParam(params, "weight", ctx);
      let y = linear(x, w, carriesBatch(w, 2, "weight", ctx));
      if (useBias) {
        const b = getParam(params, "bias", ctx);
        y = tf.add(y, lift(b, y.rank, carriesBatch(b, 1, "bias", ctx)));
      }
      return act.fn(y);
    },
  };
}
