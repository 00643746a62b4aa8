/**
 * Bayes by Backprop's layers (nn/weight-noise.ts): for weights W ~ N(μ, σ²) independently,
 * every output of Dense (local reparameterisation) and Conv1D/Conv2D (Flipout) has the moments
 * of the output of a drawn W: mean conv(x, μ) + μ_b and variance conv(x², σ²) + σ_b², checked
 * over 4,000 draws to within 5 standard errors; examples get independent noise (local
 * reparameterisation), unlike one draw of W shared by the batch; and nothing leaks.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { key } from "../core/random.js";
import { conv1d } from "./conv1d.js";
import { conv2d } from "./conv2d.js";
import { dense } from "./dense.js";
import { forward, type GaussianWeights, type Layer } from "./layer.js";

const S = 4000;

function gaussian(mean: Record<string, tf.Tensor>, sd: Record<string, tf.Tensor>): GaussianWeights {
  return { draws: S, at: (path) => (path.length === 0 ? { mean, sd } : undefined) };
}

/** Outputs `[S, ...]` of `layer` on x under q, their mean and variance over the draws, and the expected ones. */
function check(layer: Layer, x: tf.Tensor, mean: Record<string, tf.Tensor>, sd: Record<string, tf.Tensor>, linear: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor): void {
  tf.tidy(() => {
    const y = forward(layer, { weight: tf.zeros([S, ...mean["weight"]!.shape]), bias: tf.zeros([S, ...mean["bias"]!.shape]) }, x, { key: key(7), gaussian: gaussian(mean, sd) });
    expect(y.shape[0]).toBe(S);
    const m = tf.mean(y, 0);
    const v = tf.sub(tf.mean(tf.square(y), 0), tf.square(m));
    const wantMean = tf.add(linear(x, mean["weight"]!), mean["bias"]!);
    const wantVar = tf.add(linear(tf.square(x), tf.square(sd["weight"]!)), tf.square(sd["bias"]!));
    const se = tf.sqrt(tf.div(wantVar, S)).dataSync();
    const dm = tf.sub(m, wantMean).dataSync();
    const wv = wantVar.dataSync();
    const gv = v.dataSync();
    for (let i = 0; i < dm.length; i++) {
      expect(Math.abs(dm[i]!)).toBeLessThan(5 * se[i]!);
      // the variance of a sample variance of normals is 2σ⁴/S
      expect(Math.abs(gv[i]! - wv[i]!)).toBeLessThan(5 * wv[i]! * Math.sqrt(2 / S));
    }
  });
}

describe("layers under Bayes by Backprop's Gaussian weights", () => {
  it("Dense: local reparameterisation gives the moments of a drawn weight, with independent noise per example", () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([[1, -2, 0.5], [0, 0, 0], [3, 1, -1], [1, -2, 0.5]]);
    const mean = { weight: tf.tensor2d([[0.5, -1], [0.2, 0.3], [-0.7, 1.1]]), bias: tf.tensor1d([0.1, -0.2]) };
    const sd = { weight: tf.tensor2d([[0.3, 0.1], [0.05, 0.4], [0.2, 0.2]]), bias: tf.tensor1d([0.1, 0.3]) };
    check(dense(3, 2), x, mean, sd, (a, w) => tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D));
    // Rows 1 and 4 are the same example: drawn weights would give them the same output, local
    // reparameterisation independent ones (correlation about 0).
    tf.tidy(() => {
      const y = forward(dense(3, 2), {}, x, { batched: true, key: key(8), gaussian: gaussian(mean, sd) });
      const a = tf.squeeze(tf.slice(y, [0, 0, 0], [S, 1, 1]));
      const b = tf.squeeze(tf.slice(y, [0, 3, 0], [S, 1, 1]));
      const ca = tf.sub(a, tf.mean(a));
      const cb = tf.sub(b, tf.mean(b));
      const corr = tf.div(tf.mean(tf.mul(ca, cb)), tf.sqrt(tf.mul(tf.mean(tf.square(ca)), tf.mean(tf.square(cb))))).dataSync()[0]!;
      expect(Math.abs(corr)).toBeLessThan(5 / Math.sqrt(S));
    });
    tf.dispose([x, ...Object.values(mean), ...Object.values(sd)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("Conv2D and Conv1D: Flipout gives the moments of a drawn kernel", () => {
    const before = tf.memory().numTensors;
    const x = tf.tidy(() => tf.div(tf.reshape(tf.range(0, 2 * 4 * 4 * 2), [2, 4, 4, 2]), 16));
    const mean = { weight: tf.randomNormal([2, 2, 2, 3], 0, 0.5, "float32", 3), bias: tf.tensor1d([0.1, 0, -0.3]) };
    const sd = { weight: tf.randomUniform([2, 2, 2, 3], 0.05, 0.3, "float32", 4), bias: tf.tensor1d([0.2, 0.1, 0.05]) };
    check(conv2d([2, 2], 2, 3), x, mean, sd, (a, w) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, "valid"));
    const first = (t: tf.Tensor, size: number[], shape: number[]): tf.Tensor => tf.tidy(() => tf.reshape(tf.slice(t, 0, size), shape));
    const x1 = first(x, [2, 1, 4, 2], [2, 4, 2]);
    const mean1 = { weight: first(mean.weight, [1, 2, 2, 3], [2, 2, 3]), bias: mean.bias };
    const sd1 = { weight: first(sd.weight, [1, 2, 2, 3], [2, 2, 3]), bias: sd.bias };
    check(conv1d(2, 2, 3), x1, mean1, sd1, (a, w) => tf.conv1d(a as tf.Tensor3D, w as tf.Tensor3D, 1, "valid"));
    tf.dispose([x, x1, mean1.weight, sd1.weight, ...Object.values(mean), ...Object.values(sd)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
