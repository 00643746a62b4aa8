// Regression tests for the wasm MaxPoolWithArgmax replacement (max-pool-with-argmax.ts).
// References: a hand-worked example and the cpu backend.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { withStockKernels } from "./index.js";
import { det, liveCounts, maxRelDiff, onBackend } from "./testing.js";

afterAll(async () => {
  await initEngine("wasm");
});

const pooled = (shape: number[], k: number, s: number, pad: "valid" | "same", withBatch: boolean, shift: number) => () => {
  const r = tf.maxPoolWithArgmax(tf.add(det(shape, 7), shift) as tf.Tensor4D, k, s, pad, withBatch);
  return [r.result!, tf.cast(r.indexes!, "float32")];
};

describe("MaxPoolWithArgmax on wasm", () => {
  it("finds the maximum of windows of negative values (hand-worked)", async () => {
    // x = -[1..16] on a 4×4 grid, 2×2 windows, stride 2: maxima -1, -3, -9, -11 at 0, 2, 8, 10.
    const [values, indexes] = await onBackend("wasm", () => {
      const r = tf.maxPoolWithArgmax(tf.neg(tf.range(1, 17).reshape([1, 4, 4, 1])) as tf.Tensor4D, 2, 2, "valid");
      return [r.result!, tf.cast(r.indexes!, "float32")];
    });
    expect(Array.from(values!)).toEqual([-1, -3, -9, -11]);
    expect(Array.from(indexes!)).toEqual([0, 2, 8, 10]);
  });

  const cases: [number[], number, number, "valid" | "same", boolean, number][] = [
    [[2, 6, 6, 3], 2, 2, "valid", true, -0.5],
    [[2, 7, 7, 2], 3, 2, "same", false, -0.3],
    [[1, 5, 5, 4], 3, 1, "same", true, 0],
  ];
  for (const [shape, k, s, pad, withBatch, shift] of cases) {
    it(`matches cpu for x ${shape.join("×")}, ${k}×${k}/${s} '${pad}', batch in index ${withBatch}`, async () => {
      const f = pooled(shape, k, s, pad, withBatch, shift);
      expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBe(0);
    });
  }

  it("differs from the stock wasm kernel", async () => {
    const f = pooled([2, 6, 6, 3], 2, 2, "valid", true, -0.5);
    const cpu = await onBackend("cpu", f);
    await initEngine("wasm");
    const stock = withStockKernels("wasm", () => tf.tidy(() => f().map((t) => Float32Array.from(t.dataSync()))), ["MaxPoolWithArgmax"]);
    expect(maxRelDiff(cpu, stock)).toBeGreaterThan(0.01);
  });

  it("leaves no tensors or buffers behind", async () => {
    await initEngine("wasm");
    const f = pooled([2, 7, 7, 2], 3, 2, "same", false, 0);
    tf.dispose(tf.tidy(f));
    const before = liveCounts();
    for (let i = 0; i < 30; i++) tf.dispose(tf.tidy(f));
    expect(liveCounts()).toEqual(before);
  });
});
