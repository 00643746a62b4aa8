// Tests of the wasm Tile replacement (tile.ts). References: the definition
// tile(x, reps)[…, r·d + j, …] = x[…, j, …] worked by hand, and the cpu backend.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { det, liveCounts, maxRelDiff, onBackend } from "./testing.js";

afterAll(async () => {
  await initEngine("wasm");
});

describe("Tile on wasm", () => {
  it("repeats along every axis (hand-worked), int32 included", async () => {
    const [f, i] = await onBackend("wasm", () => [
      tf.tile(tf.tensor2d([[1, 2], [3, 4]]), [2, 3]),
      tf.cast(tf.tile(tf.tensor1d([5, -6], "int32"), [3]), "float32"),
    ]);
    expect(Array.from(f!)).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
    expect(Array.from(i!)).toEqual([5, -6, 5, -6, 5, -6]);
  });

  it("keeps NaN, ±∞ and −0 exactly", async () => {
    const [out] = await onBackend("wasm", () => tf.tile(tf.tensor1d([NaN, Infinity, -Infinity, -0]), [2]));
    expect(Array.from(out!)).toEqual([NaN, Infinity, -Infinity, -0, NaN, Infinity, -Infinity, -0]);
  });

  it("matches cpu for broadcasts, mixed repeats, rank 3 and 4, and through tf.where and its gradient", async () => {
    const f = () => [
      tf.tile(det([6, 1], 1), [1, 7]),
      tf.tile(det([2, 3, 4], 2), [3, 1, 2]),
      tf.tile(det([1, 2, 1, 3], 3), [2, 2, 3, 1]),
      tf.broadcastTo(tf.scalar(2.5), [3, 4]),
      tf.grad((x: tf.Tensor) => tf.sum(tf.where(tf.greater(det([5, 4], 4), 0), tf.mul(x, x), tf.scalar(-3))))(det([5, 4], 5)),
    ];
    expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBe(0);
  });

  it("leaves no tensors or buffers behind", async () => {
    await initEngine("wasm");
    const x = det([4, 1], 6);
    const f = () => tf.where(tf.greater(tf.tile(x, [1, 5]), 0), tf.tile(x, [1, 5]), tf.scalar(-Infinity));
    tf.dispose(tf.tidy(f));
    const before = liveCounts();
    for (let i = 0; i < 50; i++) tf.dispose(tf.tidy(f));
    expect(liveCounts()).toEqual(before);
    x.dispose();
  });
});
