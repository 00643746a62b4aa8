// Tests of the wasm Concat/Pack replacements (concat.ts). References: the definitions worked
// by hand, and the cpu backend.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { det, liveCounts, maxRelDiff, onBackend } from "./testing.js";

afterAll(async () => {
  await initEngine("wasm");
});

describe("Concat and Pack on wasm", () => {
  it("stack along the last axis interleaves the inputs (hand-worked, on the transposed path)", async () => {
    // 2048 runs of one element: above the thresholds, so the replacement transposes.
    const a = Array.from({ length: 2048 }, (_, i) => i);
    const [out] = await onBackend("wasm", () => tf.stack([tf.tensor2d(a, [1024, 2]), tf.tensor2d(a.map((v) => -v), [1024, 2])], 2));
    expect(Array.from(out!.slice(0, 8))).toEqual([0, -0, 1, -1, 2, -2, 3, -3]);
    expect(out!.length).toBe(4096);
  });

  it("matches cpu on short-run and long-run joins, int32 included", async () => {
    const f = () => [
      tf.stack([det([256, 40], 1), det([256, 40], 2), det([256, 40], 3)], 2),
      tf.stack([det([64, 8, 3], 4), det([64, 8, 3], 5)], 1),
      tf.stack([det([3, 4], 6), det([3, 4], 7)], 0),
      tf.concat([det([512, 1], 8), det([512, 2], 9), det([512, 1], 10)], 1),
      tf.concat([det([2, 300, 3], 11), det([2, 300, 5], 12)], -1),
      tf.concat([det([4, 5], 13), det([4, 7], 14)], 1),
      tf.cast(tf.stack([tf.range(0, 2000, 1, "int32"), tf.range(2000, 0, -1, "int32")], 1), "float32"),
      tf.linalg.bandPart(det([3, 40, 40], 15), -1, 0),
    ];
    expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBe(0);
  });

  it("gives tf.stack and tf.concat their gradients like cpu", async () => {
    const f = () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.concat([tf.stack([a, b], 2), tf.stack([b, a], 2)], 2), det([600, 3, 4], 3))))([
        det([600, 3], 1),
        det([600, 3], 2),
      ]);
    expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBeLessThan(1e-6);
  });

  it("leaves no tensors or buffers behind", async () => {
    await initEngine("wasm");
    const a = det([700, 2], 1);
    const f = () => [tf.stack([a, a], 2), tf.concat([a, a, a], 1)];
    tf.dispose(tf.tidy(f));
    const before = liveCounts();
    for (let i = 0; i < 50; i++) tf.dispose(tf.tidy(f));
    expect(liveCounts()).toEqual(before);
    a.dispose();
  });
});
