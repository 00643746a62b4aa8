/**
 * BatchNorm(d, activation; eps = 1e-5, momentum = 0.1) over the last (channel/feature) axis
 * (Ioffe & Szegedy 2015): y = (x − μ) / √(σ² + eps) · gain + bias.
 *
 * Training mode uses the statistics of the batch (every axis but the last, per chain when
 * ctx.batched; σ² biased) and, when `ctx.state` is given, updates the running statistics
 * kept there under `<path>.mean` / `<path>.var`:
 *   μ_run ← (1 − m) μ_run + m μ,  σ²_run ← (1 − m) σ²_run + m · n/(n − 1) σ²   (Flux, PyTorch),
 * starting from the first batch's statistics (Flux starts from 0 and 1).
 * Inference mode uses the running statistics when the store has them, else the batch's own.
 * Running statistics are state, not parameters: priors and optimisers never see them.
 */
import { tf } from "../core/engine.js";
import { toActivation } from "./activations.js";
import { affineSpecs, affineTransform, checkLastAxis, type NormOptions } from "./layer-norm.js";
import { ShapeError, fmtShape, positiveInt, type ApplyContext, type Layer } from "./layer.js";
import { paramName, type ParamTree } from "./tree.js";

export interface BatchNormOptions extends NormOptions {
  readonly momentum?: number;
}

export interface BatchNormLayer extends Layer {
  readonly kind: "BatchNorm";
  readonly size: number;
}

export function batchNorm(d: number, options: BatchNormOptions = {}): BatchNormLayer {
  positiveInt(d, "BatchNorm size");
  const eps = options.eps ?? 1e-5;
  const momentum = options.momentum ?? 0.1;
  const affine = options.affine ?? true;
  const act = toActivation(options.activation ?? "identity");
  const specs = affineSpecs(d, affine);
  return {
    kind: "BatchNorm",
    size: d,
    describe: () => `BatchNorm(${d}${act.name === "identity" ? "" : `, ${act.name}`})`,
    paramSpecs: () => specs,
    outputShape: (inputShape) => checkLastAxis("BatchNorm", d, inputShape),
    apply: (params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor => {
      if (x.shape.at(-1) !== d) throw new ShapeError(`BatchNorm(${d}) got an input of shape ${fmtShape(x.shape)}`);
      const axes = Array.from({ length: x.rank - 1 - Number(ctx.batched) }, (_, i) => i + Number(ctx.batched));
      const stateName = paramName(ctx.path) || "BatchNorm";
      const running = ctx.state?.get(`${stateName}.mean`);
      const runningVar = ctx.state?.get(`${stateName}.var`);
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (!ctx.training && running && runningVar) {
        [mean, variance] = [running, runningVar];
      } else {
        ({ mean, variance } = tf.moments(x, axes, true));
        if (ctx.training && ctx.state) {
          const n = axes.reduce((a, ax) => a * x.shape[ax]!, 1);
          const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
          const blend = (old: tf.Tensor | undefined, now: tf.Tensor): tf.Tensor =>
            old && old.shape.join() === now.shape.join() ? tf.add(tf.mul(old, 1 - momentum), tf.mul(now, momentum)) : now;
          ctx.state.set(`${stateName}.mean`, blend(running, mean));
          ctx.state.set(`${stateName}.var`, blend(runningVar, unbiased));
        }
      }
      const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
      return act.fn(affine ? affineTransform(xhat, params, ctx) : xhat);
    },
  };
}
