// Regression tests for the wasm BatchMatMul replacement (batch-matmul.ts). References: the
// cpu backend, and the empty sum (an inner dimension of 0 gives exact zeros).
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { withStockKernels } from "./index.js";
import { det, liveCounts, maxRelDiff, onBackend } from "./testing.js";

afterAll(async () => {
  await initEngine("wasm");
});

describe("BatchMatMul on wasm", () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 3], [5, 4], true, false],
    [[3, 5], [4, 5], false, true],
    [[5, 3], [4, 5], true, true],
    [[2, 5, 3], [2, 4, 5], true, true],
    [[2, 1, 5, 3], [3, 5, 4], true, false],
    [[1, 3, 5], [2, 4, 5], false, true],
    [[64, 1], [64, 7], true, false],
    // large enough for the replacement to materialise the transposes (≥ 16,384 multiply-adds;
    // for transposeB alone, more than 8 rows of A)
    [[64, 40], [64, 30], true, false],
    [[20, 50], [30, 50], false, true],
    [[4, 50], [300, 50], false, true],
    [[3, 48, 20], [3, 30, 48], true, true],
    [[2, 1, 64, 24], [3, 64, 40], true, false],
  ];
  for (const [as, bs, ta, tb] of cases) {
    it(`matches cpu for ${as.join("×")}${ta ? "ᵀ" : ""} · ${bs.join("×")}${tb ? "ᵀ" : ""}`, async () => {
      const f = () => tf.matMul(det(as, 1), det(bs, 2), ta, tb);
      expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBeLessThan(1e-6);
    });
  }

  it("returns exact zeros for an inner dimension of 0 (the stock kernel returns stale memory)", async () => {
    await initEngine("wasm");
    const product = (as: number[], bs: number[], tb: boolean) => () =>
      tf.tidy(() => Array.from(tf.matMul(tf.ones(as), tf.ones(bs), false, tb).dataSync()));
    // Leave non-zero values in freed heap memory, as a real program would.
    const dirty = () => tf.dispose(tf.fill([100_000], 7.5));
    dirty();
    expect(product([64, 0], [0, 64], false)()).toEqual(new Array<number>(64 * 64).fill(0));
    expect(product([2, 3, 0], [1, 4, 0], true)()).toEqual(new Array<number>(24).fill(0));
    dirty();
    const stock = withStockKernels("wasm", product([64, 0], [0, 64], false), ["BatchMatMul"]);
    expect(stock.some((v) => v !== 0)).toBe(true);
  });

  it("gives the gradients of a Dense layer like cpu", async () => {
    const f = () => {
      const dy = det([16, 12], 9);
      return tf.grads((w: tf.Tensor, x: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.matMul(x, w)), dy)))([det([20, 12], 2), det([16, 20], 3)]);
    };
    expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBeLessThan(1e-6);
  });

  it("leaves no tensors or buffers behind", async () => {
    await initEngine("wasm");
    const f = () => [tf.matMul(det([7, 3], 1), det([7, 4], 2), true, false), tf.matMul(tf.ones([3, 0]), tf.ones([0, 2]))];
    tf.dispose(tf.tidy(f));
    const before = liveCounts();
    for (let i = 0; i < 100; i++) tf.dispose(tf.tidy(f));
    expect(liveCounts()).toEqual(before);
  });
});
