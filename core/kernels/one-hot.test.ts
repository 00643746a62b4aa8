// Regression tests for the wasm OneHot replacement (one-hot.ts). References: the definition
// (on at the index, off elsewhere) and the cpu backend.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { withStockKernels } from "./index.js";
import { maxRelDiff, onBackend } from "./testing.js";

afterAll(async () => {
  await initEngine("wasm");
});

describe("OneHot on wasm", () => {
  it("writes float32 ones and zeros when asked for float32", async () => {
    const [out] = await onBackend("wasm", () => tf.oneHot(tf.tensor1d([0, 2, 1], "int32"), 3, 1, 0, "float32"));
    expect(Array.from(out!)).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0]);
  });

  it("keeps fractional on/off values (label smoothing) and matches cpu", async () => {
    const f = () => [
      tf.oneHot(tf.tensor2d([[0, 3], [1, 1]], [2, 2], "int32"), 4, 0.925, 0.025, "float32"),
      tf.oneHot(tf.tensor1d([1, 0], "int32"), 2, 5, -1),
    ];
    const wasm = await onBackend("wasm", f);
    expect(Array.from(wasm[0]!.slice(0, 4))).toEqual([0.925, 0.025, 0.025, 0.025].map(Math.fround));
    expect(maxRelDiff(await onBackend("cpu", f), wasm)).toBe(0);
  });

  it("differs from the stock wasm kernel, which writes int32 bit patterns", async () => {
    await initEngine("wasm");
    const f = () => tf.tidy(() => Array.from(tf.oneHot(tf.tensor1d([1], "int32"), 2, 1, 0, "float32").dataSync()));
    expect(withStockKernels("wasm", f, ["OneHot"])[1]).not.toBe(1);
  });
});
