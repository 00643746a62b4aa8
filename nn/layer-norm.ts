/**
 * LayerNorm(d; eps = 1e-5, affine = true): normalise each observation over its last axis,
 * y = (x − mean(x)) / √(var(x) + eps) · gain + bias (Ba, Kiros & Hinton 2016), var biased.
 * Parameters `gain` `[d]` (ones) and `bias` `[d]` (zeros), or `[C, d]` per chain.
 */
import { tf } from "../core/engine.js";
import { toActivation, type Activation } from "./activations.js";
import { carriesBatch, lift } from "./batched.js";
import { onesInit, zerosInit } from "./init.js";
import { ShapeError, fmtShape, getParam, positiveInt, type ApplyContext, type Layer, type SpecTree } from "./layer.js";
import type { ParamTree, Shape } from "./tree.js";

export interface NormOptions {
  readonly activation?: Activation | string;
  readonly eps?: number;
  readonly affine?: boolean;
}

export interface LayerNormLayer extends Layer {
  readonly kind: "LayerNorm";
  readonly size: number;
  readonly eps: number;
  readonly affine: boolean;
  readonly activation: Activation;
}

/** `gain · x̂ + bias` with per-chain parameters lifted to broadcast against x̂. */
export function affineTransform(xhat: tf.Tensor, params: ParamTree, ctx: ApplyContext): tf.Tensor {
  const g = getParam(params, "gain", ctx);
  const b = getParam(params, "bias", ctx);
  const scaled = tf.mul(xhat, lift(g, xhat.rank, carriesBatch(g, 1, "gain", ctx)));
  return tf.add(scaled, lift(b, xhat.rank, carriesBatch(b, 1, "bias", ctx)));
}

export function affineSpecs(d: number, affine: boolean): SpecTree {
  return affine ? { gain: { shape: [d], init: onesInit }, bias: { shape: [d], init: zerosInit } } : {};
}

export function checkLastAxis(kind: string, d: number, inputShape: Shape): Shape {
  if (inputShape.at(-1) !== d) throw new ShapeError(`${kind}(${d}) expects a last axis of size ${d}, got shape ${fmtShape(inputShape)}`);
  return inputShape;
}

export function layerNorm(d: number, options: NormOptions = {}): LayerNormLayer {
  positiveInt(d, "LayerNorm size");
  const eps = options.eps ?? 1e-5;
  const affine = options.affine ?? true;
  const act = toActivation(options.activation ?? "identity");
  const specs = affineSpecs(d, affine);
  return {
    kind: "LayerNorm",
    size: d,
    eps,
    affine,
    activation: act,
    describe: () => `LayerNorm(${d}${act.name === "identity" ? "" : `, ${act.name}`})`,
    paramSpecs: () => specs,
    outputShape: (inputShape) => checkLastAxis("LayerNorm", d, inputShape),
    apply: (params, x, ctx) => {
      if (x.shape.at(-1) !== d) throw new ShapeError(`LayerNorm(${d}) got an input of shape ${fmtShape(x.shape)}`);
      const { mean, variance } = tf.moments(x, -1, true);
      const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
      return act.fn(affine ? affineTransform(xhat, params, ctx) : xhat);
    },
  };
}
