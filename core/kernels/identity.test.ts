// Regression tests for the wasm Identity replacement (identity.ts): clones share buffers.
import { describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { withStockKernels } from "./index.js";
import { liveCounts } from "./testing.js";

describe("Identity on wasm", () => {
  it("clones share the buffer (one more reference, no new buffer); the stock kernel copies", async () => {
    await initEngine("wasm");
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const [, buffersBefore] = liveCounts();
    const y = tf.clone(x);
    expect(liveCounts()[1]).toBe(buffersBefore);
    const z = withStockKernels("wasm", () => tf.clone(x), ["Identity"]);
    expect(liveCounts()[1]).toBe(buffersBefore + 1);
    // the shared buffer outlives the original
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([y, z]);
    expect(liveCounts()[1]).toBe(buffersBefore - 1);
  });

  it("leaves gradients unchanged and leaks nothing over repeated tf.grad calls", async () => {
    await initEngine("wasm");
    const data = tf.tensor2d([[1, -2, 0.5], [0.3, 0.7, -1.1]]);
    // f(q) = Σ (q·dataᵀ)² / 2  ⇒  ∇f = (q·dataᵀ)·data
    const q = tf.tensor2d([[0.2, -0.4, 1]]);
    const g = () => tf.grad((v: tf.Tensor) => tf.mul(0.5, tf.sum(tf.square(tf.matMul(v, data, false, true)))))(q);
    const eta = [0.2 * 1 + -0.4 * -2 + 1 * 0.5, 0.2 * 0.3 + -0.4 * 0.7 + 1 * -1.1];
    const expected = [0, 1, 2].map((j) => eta[0]! * [1, -2, 0.5][j]! + eta[1]! * [0.3, 0.7, -1.1][j]!);
    const first = tf.tidy(g);
    Array.from(first.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 5));
    first.dispose();
    const before = liveCounts();
    for (let i = 0; i < 100; i++) tf.dispose(tf.tidy(g));
    expect(liveCounts()).toEqual(before);
    tf.dispose([data, q]);
  });
});
