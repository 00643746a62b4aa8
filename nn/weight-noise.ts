/**
 * Layers under Bayes by Backprop's factorised Gaussian q(W) = N(μ, σ²) (ApplyContext.gaussian):
 * instead of one draw of the weights shared by every example of a minibatch, each example gets
 * its own noise, so the gradient's variance falls like 1/batch (design/inference.md §5.3).
 *
 * - Local reparameterisation (Kingma, Salimans & Welling 2015), for Dense: the pre-activations
 *   b = x W + c of independent Gaussian weights are themselves independent Gaussians,
 *   N(x μ_W + μ_c, (x∘x)(σ_W∘σ_W) + σ_c∘σ_c), so they are drawn directly, one per example, unit and
 *   draw. Exact for Dense; costs two products.
 * - Flipout (Wen, Vicol, Ba, Tran & Grosse 2018), for Conv1D and Conv2D (whose output positions
 *   share weights, so local reparameterisation would be an approximation): one perturbation
 *   ΔŴ = σ ∘ ε per draw, made pseudo-independent per example by random signs on the input
 *   channels (s_n) and output channels (r_n): y_n = conv(x_n, μ) + conv(x_n ∘ s_n, ΔŴ) ∘ r_n. The
 *   bias is drawn once per draw (TFP's convention). Unbiased; costs two convolutions.
 *
 * Both give outputs with `draws` rows on the chain axis. The noise comes from `ctx.key`, which
 * containers fold per child, so every layer draws its own.
 */
import { tf } from "../core/engine.js";
import { fold, normal, uniform, type Key } from "../core/random.js";
import { lift, linear } from "./batched.js";
import { ShapeError, type ApplyContext } from "./layer.js";

/** The Gaussian parameters of one layer, by parameter name (GaussianWeights.at). */
export interface LayerGaussian {
  readonly mean: Readonly<Record<string, tf.Tensor>>;
  readonly sd: Readonly<Record<string, tf.Tensor>>;
}

function keyOf(ctx: ApplyContext): Key {
  if (ctx.key === undefined) throw new ShapeError("a layer with Gaussian weights needs a random key");
  return ctx.key;
}

/** The shape of an output with the draws on the chain axis. */
function drawShape(shape: readonly number[], ctx: ApplyContext): number[] {
  const draws = ctx.gaussian?.draws ?? 1;
  if (!ctx.batched) {
    if (draws !== 1) throw new ShapeError(`${draws} draws of Gaussian weights need a chain axis`);
    return [...shape];
  }
  return [Math.max(draws, shape[0]!), ...shape.slice(1)];
}

const param = (g: LayerGaussian, part: "mean" | "sd", name: string): tf.Tensor => {
  const t = g[part][name];
  if (t === undefined) throw new ShapeError(`the Gaussian parameters lack the ${part} of '${name}'`);
  return t;
};

/** Dense's pre-activations x W + c drawn by local reparameterisation. */
export function denseLocal(x: tf.Tensor, g: LayerGaussian, bias: boolean, ctx: ApplyContext): tf.Tensor {
  let mean = linear(x, param(g, "mean", "weight"), false);
  let variance = linear(tf.square(x), tf.square(param(g, "sd", "weight")), false);
  if (bias) {
    mean = tf.add(mean, param(g, "mean", "bias"));
    variance = tf.add(variance, tf.square(param(g, "sd", "bias")));
  }
  // A row of zeros (a ReLU layer silent for an example) has zero variance without a bias, and
  // the square root's gradient there is infinite: a floor of 1e-12 (an sd of 1e-6) avoids it.
  return tf.add(mean, tf.mul(tf.sqrt(tf.add(variance, 1e-12)), normal(keyOf(ctx), drawShape(mean.shape, ctx))));
}

/** Random signs ±1 of `shape`. */
const signs = (k: Key, shape: readonly number[]): tf.Tensor => tf.sign(tf.sub(uniform(k, shape), 0.5));

/**
 * A convolution's pre-activations by Flipout. `correlate(x, w, batched)` is the layer's linear
 * map (without bias): w of the layer's weight shape, with a leading chain axis when `batched`;
 * x `[B, N, ...spatial, cin]`. The weight's means and sds are reshaped to `weightShape`.
 */
export function convFlipout(
  x: tf.Tensor, g: LayerGaussian, bias: boolean, ctx: ApplyContext, weightShape: readonly number[],
  correlate: (x: tf.Tensor, w: tf.Tensor, batched: boolean) => tf.Tensor,
): tf.Tensor {
  if (!ctx.batched) throw new ShapeError("Flipout needs a chain axis");
  const k = keyOf(ctx);
  const draws = ctx.gaussian?.draws ?? 1;
  const mu = tf.reshape(param(g, "mean", "weight"), [...weightShape]);
  const sd = tf.reshape(param(g, "sd", "weight"), [...weightShape]);
  const mean = correlate(x, mu, false);
  const rows = Math.max(draws, x.shape[0]!);
  const n = x.shape[1]!;
  const spatialIn = x.shape.slice(2, -1).map(() => 1);
  const spatialOut = mean.shape.slice(2, -1).map(() => 1);
  const delta = tf.mul(sd, normal(fold(k, 1), [rows, ...weightShape]));
  const cin = x.shape.at(-1)!;
  const cout = mean.shape.at(-1)!;
  const s = signs(fold(k, 2), [rows, n, ...spatialIn, cin]);
  const r = signs(fold(k, 3), [rows, n, ...spatialOut, cout]);
  let y = tf.add(mean, tf.mul(correlate(tf.mul(x, s), delta, true), r));
  if (bias) {
    const b = tf.add(param(g, "mean", "bias"), tf.mul(param(g, "sd", "bias"), normal(fold(k, 4), [rows, cout])));
    y = tf.add(y, lift(b, y.rank, true));
  }
  return y;
}
