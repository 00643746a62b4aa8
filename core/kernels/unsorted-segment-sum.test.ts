// Regression tests for the wasm UnsortedSegmentSum kernel (unsorted-segment-sum.ts), which also
// gives tf.gather its gradient. References: sums worked by hand, and the cpu backend.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { withStockKernels } from "./index.js";
import { det, liveCounts, maxRelDiff, onBackend } from "./testing.js";

afterAll(async () => {
  await initEngine("wasm");
});

describe("UnsortedSegmentSum on wasm", () => {
  it("sums rows by segment, repeated ids added, out-of-range ids dropped (hand-worked)", async () => {
    const [out] = await onBackend("wasm", () =>
      tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]), tf.tensor1d([2, 0, 2, -1, 7], "int32"), 4),
    );
    // segment 0: row 1; segment 1: none; segment 2: rows 0 and 2; segment 3: none.
    expect(Array.from(out!)).toEqual([3, 4, 0, 0, 6, 8, 0, 0]);
  });

  it("matches cpu on a vector and on a matrix", async () => {
    const f = () => [
      tf.unsortedSegmentSum(det([9], 1), tf.tensor1d([0, 2, 2, 1, 0, 3, 3, 3, 4], "int32"), 5),
      tf.unsortedSegmentSum(det([6, 3], 2), tf.tensor1d([0, 2, 2, 1, 0, 3], "int32"), 4),
    ];
    expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBeLessThan(1e-6);
  });

  it("gives tf.gather a gradient like cpu (axis 0, axis 1, matrix of indices)", async () => {
    const f = () => {
      const x = det([4, 3], 3);
      return [
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.gather(v, tf.tensor1d([0, 2, 2, 1, 2], "int32")), det([5, 3], 4))))(x),
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.gather(v, tf.tensor1d([2, 2, 0], "int32"), 1), det([4, 3], 5))))(x),
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.gather(v, tf.tensor2d([[0, 3, 3], [1, 1, 0]], [2, 3], "int32")), det([2, 3, 3], 6))))(x),
      ];
    };
    expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBeLessThan(1e-6);
  });

  it("is missing from the stock backend", async () => {
    await initEngine("wasm");
    const f = () => tf.unsortedSegmentSum(tf.ones([3]), tf.tensor1d([0, 1, 1], "int32"), 2);
    expect(() => withStockKernels("wasm", () => tf.dispose(tf.tidy(f)), ["UnsortedSegmentSum"])).toThrow(/UnsortedSegmentSum/);
  });

  it("leaves no tensors or buffers behind", async () => {
    await initEngine("wasm");
    const ids = tf.tensor1d([0, 2, -1, 1, 5], "int32");
    const f = () => tf.grad((v: tf.Tensor) => tf.sum(tf.gather(v, tf.tensor1d([0, 2, 2], "int32"))))(tf.ones([3, 2]));
    const g = () => tf.unsortedSegmentSum(tf.ones([5, 2]), ids, 3);
    tf.dispose([tf.tidy(f), tf.tidy(g)]);
    const before = liveCounts();
    for (let i = 0; i < 100; i++) tf.dispose([tf.tidy(f), tf.tidy(g)]);
    expect(liveCounts()).toEqual(before);
    ids.dispose();
  });
});
