import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { fold, key, normalArray, uniformArray } from "../core/random.js";
import { chain } from "./chain.js";
import { minibatches, takeRows, trainTestSplit } from "./data.js";
import { dense } from "./dense.js";
import { valueAndGrads } from "./grad.js";
import { forward, initParams, type Layer } from "./layer.js";
import { binaryCrossentropy, mse, type Loss } from "./losses.js";
import { adam, disposeOptimiserState, type Optimiser } from "./optimisers.js";
import { disposeParams, type ParamTree } from "./tree.js";

/** One optimiser step on a minibatch; old params and state are disposed. */
function fit(net: Layer, params: ParamTree, opt: Optimiser, loss: Loss, x: tf.Tensor, y: tf.Tensor, batches: Iterable<{ indices: Int32Array }>): ParamTree {
  let state = opt.init(params);
  for (const { indices } of batches) {
    const [xb, yb] = [takeRows(x, indices), takeRows(y, indices)];
    const { value, grads } = valueAndGrads((p) => loss(forward(net, p, xb), yb) as tf.Scalar, params);
    const next = opt.step(state, params, grads);
    disposeOptimiserState(state);
    disposeParams(params);
    disposeParams(grads);
    tf.dispose([value, xb, yb]);
    ({ params, state } = next);
  }
  disposeOptimiserState(state);
  return params;
}

describe("training sanity", () => {
  it("a 2-16-1 tanh MLP fits a noisy smooth regression down to the noise level", () => {
    // y = sin(2 x₁) + x₁x₂/2 + ε, ε ~ N(0, σ²), σ = 0.1, x uniform on [−1.5, 1.5]².
    // A fit that captures the function has mean squared error ≈ σ² = 0.01 on fresh data;
    // thresholds of 1.5σ² (training) and 2σ² (held out) leave room for optimisation error only.
    const n = 300;
    const sigma = 0.1;
    const xs = uniformArray(key(1), 2 * n, -1.5, 1.5);
    const eps = normalArray(key(2), n);
    const ys = Float32Array.from({ length: n }, (_, i) => Math.sin(2 * xs[2 * i]!) + (xs[2 * i]! * xs[2 * i + 1]!) / 2 + sigma * eps[i]!);
    const x = tf.tensor2d(xs, [n, 2]);
    const y = tf.tensor2d(ys, [n, 1]);
    const split = trainTestSplit(n, 2 / 3, key(3));
    const [xtr, ytr, xte, yte] = [takeRows(x, split.train), takeRows(y, split.train), takeRows(x, split.test), takeRows(y, split.test)];
    const net = chain(dense(2, 16, { activation: "tanh" }), dense(16, 1));
    const before = tf.memory().numTensors;
    const params = fit(net, initParams(net, key(4)), adam(0.03), mse, xtr, ytr, minibatches(split.train.length, 400, { batchSize: 100, key: key(5) }));
    expect(tf.memory().numTensors - before).toBe(4); // exactly the four parameter tensors
    const trainMse = mse(forward(net, params, xtr), ytr).dataSync()[0]!;
    const testMse = mse(forward(net, params, xte), yte).dataSync()[0]!;
    expect(trainMse).toBeLessThan(1.5 * sigma ** 2);
    expect(testMse).toBeLessThan(2 * sigma ** 2);
  });

  it("learns XOR with binary cross-entropy", () => {
    const x = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tf.tensor2d([[0], [1], [1], [0]]);
    const net = chain(dense(2, 16, { activation: "tanh" }), dense(16, 1));
    const full = Array.from({ length: 250 }, () => ({ indices: Int32Array.from([0, 1, 2, 3]) }));
    const params = fit(net, initParams(net, fold(key(6), 1)), adam(0.05), binaryCrossentropy, x, y, full);
    // Every point classified with probability > 0.9, i.e. loss < −log 0.9 ≈ 0.105 per point.
    const probs = Array.from(tf.sigmoid(forward(net, params, x)).dataSync());
    [0, 1, 1, 0].forEach((t, i) => expect(Math.abs(probs[i]! - t)).toBeLessThan(0.1));
  });
});
