import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { key, normalArray } from "../core/random.js";
import { batchNorm } from "./batch-norm.js";
import { chain } from "./chain.js";
import { dense } from "./dense.js";
import { dropout } from "./dropout.js";
import { embedding } from "./embedding.js";
import { forward, initParams, stateStore } from "./layer.js";
import { layerNorm } from "./layer-norm.js";
import type { ParamTree } from "./tree.js";

const randn = (seed: number, shape: number[], scale = 1, shift = 0): tf.Tensor =>
  tf.add(tf.mul(tf.tensor(normalArray(key(seed), shape.reduce((a, b) => a * b, 1)), shape), scale), shift);

function rowMoments(y: tf.Tensor): { mean: number[]; variance: number[] } {
  const rows = y.arraySync() as number[][];
  return {
    mean: rows.map((r) => r.reduce((a, v) => a + v, 0) / r.length),
    variance: rows.map((r) => {
      const m = r.reduce((a, v) => a + v, 0) / r.length;
      return r.reduce((a, v) => a + (v - m) ** 2, 0) / r.length;
    }),
  };
}

describe("LayerNorm", () => {
  it("gives each row mean 0 and variance 1 (eps aside) with unit gain and zero bias", () => {
    const ln = layerNorm(16);
    const y = forward(ln, initParams(ln, key(1)), randn(2, [8, 16], 3, 5));
    const { mean, variance } = rowMoments(y);
    mean.forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-5));
    // var(x̂) = σ² / (σ² + eps) with σ² ≈ 9, so within 1e-5 / 9 of 1.
    variance.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(2e-5));
  });

  it("applies gain and bias, per chain when batched", () => {
    const ln = layerNorm(4);
    const x = randn(3, [5, 4]);
    const params: ParamTree = { gain: tf.tensor1d([1, 2, 3, 4]), bias: tf.tensor1d([0, 1, 0, -1]) };
    const plain = forward(ln, initParams(ln, key(1)), x);
    const y = forward(ln, params, x);
    const expected = tf.add(tf.mul(plain, params["gain"] as tf.Tensor), params["bias"] as tf.Tensor);
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBeLessThan(1e-5);
    const batched: ParamTree = { gain: tf.stack([tf.ones([4]), params["gain"] as tf.Tensor]), bias: tf.stack([tf.zeros([4]), params["bias"] as tf.Tensor]) };
    const yb = forward(ln, batched, x);
    expect(yb.shape).toEqual([2, 5, 4]);
    expect(tf.max(tf.abs(tf.sub(tf.gather(yb, 1), expected))).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(tf.sub(tf.gather(yb, 0), plain))).dataSync()[0]).toBeLessThan(1e-5);
  });
});

describe("BatchNorm", () => {
  it("normalises columns by batch statistics in training and tracks running statistics", () => {
    const bn = batchNorm(3, { momentum: 0.1 });
    const p = initParams(bn, key(1));
    const state = stateStore();
    const x1 = randn(4, [200, 3], 2, 1);
    const y = forward(bn, p, x1, { training: true, state });
    const cols = tf.transpose(y);
    const { mean, variance } = rowMoments(cols);
    mean.forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-5));
    variance.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(1e-4));
    expect(state.names().sort()).toEqual(["BatchNorm.mean", "BatchNorm.var"]);
    const m1 = Array.from(tf.mean(x1, 0).dataSync());
    // First batch initialises the running mean; a second batch blends with momentum 0.1.
    const x2 = randn(5, [200, 3], 1, -1);
    forward(bn, p, x2, { training: true, state });
    const m2 = Array.from(tf.mean(x2, 0).dataSync());
    const run = Array.from(state.get("BatchNorm.mean")!.dataSync());
    run.forEach((r, i) => expect(r).toBeCloseTo(0.9 * m1[i]! + 0.1 * m2[i]!, 5));
    // Inference uses the running statistics, not the batch's.
    const v = Array.from(state.get("BatchNorm.var")!.dataSync());
    const probe = tf.tensor2d([[0, 0, 0]]);
    const out = Array.from(forward(bn, p, probe, { state }).dataSync());
    out.forEach((o, i) => expect(o).toBeCloseTo(-run[i]! / Math.sqrt(v[i]! + 1e-5), 4));
    state.dispose();
  });

  it("names its state by its path inside a Chain", () => {
    const net = chain(dense(2, 3), batchNorm(3));
    const state = stateStore();
    forward(net, initParams(net, key(2)), randn(6, [10, 2]), { training: true, state });
    expect(state.names().sort()).toEqual(["[2].mean", "[2].var"]);
    state.dispose();
  });
});

describe("Dropout", () => {
  const x = tf.ones([100, 50]);
  it("is the identity outside training", () => {
    expect(forward(dropout(0.5), {}, x).arraySync()).toEqual(x.arraySync());
  });

  it("drops a fraction p, rescales the rest, and is reproducible from the key", () => {
    const y = forward(dropout(0.3), {}, x, { training: true, key: key(3) });
    const v = Array.from(y.dataSync());
    const zeros = v.filter((a) => a === 0).length / v.length;
    // 5000 Bernoulli(0.3) draws: sd of the fraction is √(0.21/5000) ≈ 0.0065; 5 sd tolerance.
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.033);
    v.filter((a) => a !== 0).forEach((a) => expect(a).toBeCloseTo(1 / 0.7, 5));
    const again = Array.from(forward(dropout(0.3), {}, x, { training: true, key: key(3) }).dataSync());
    expect(again).toEqual(v);
    expect(() => forward(dropout(0.3), {}, x, { training: true })).toThrow(/key/);
  });
});

describe("Embedding", () => {
  it("looks up 1-based tokens, also with per-chain tables", () => {
    const emb = embedding(4, 2);
    const w = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const tokens = tf.tensor2d([[1, 4], [2, 2]]);
    const y = forward(emb, { weight: w }, tokens);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.arraySync()).toEqual([[[1, 2], [7, 8]], [[3, 4], [3, 4]]]);
    const wb = tf.stack([w, tf.neg(w)]);
    const yb = forward(emb, { weight: wb }, tf.tensor1d([3, 1]));
    expect(yb.arraySync()).toEqual([[[5, 6], [1, 2]], [[-5, -6], [-1, -2]]]);
    expect(emb.outputShape([7])).toEqual([7, 2]);
  });
});
