// Regression tests for the wasm depthwiseConv2d gradient kernels (depthwise-backprop.ts).
// References: the cpu backend's kernels and a hand-worked single-channel case.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { withStockKernels } from "./index.js";
import { det, liveCounts, maxRelDiff, onBackend } from "./testing.js";

type Pad = "valid" | "same";
const zeros4 = (shape: number[]): tf.Tensor4D => tf.zeros(shape).as4D(shape[0]!, shape[1]!, shape[2]!, shape[3]!);
const depthwiseGrads = (xShape: number[], wShape: number[], s: number, pad: Pad) => () => {
  const yShape = tf.tidy(() => tf.depthwiseConv2d(zeros4(xShape), zeros4(wShape), s, pad).shape);
  const dy = det(yShape, 3);
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad), dy)))([
    det(xShape, 1),
    det(wShape, 2),
  ]);
};

afterAll(async () => {
  await initEngine("wasm");
});

describe("depthwiseConv2d gradients on wasm", () => {
  it("give the hand-worked gradients of a 1-channel 3×3 input with a 2×2 filter", async () => {
    // One channel, multiplier 1: the same sums as a plain convolution (see conv2d-backprop.test.ts).
    const [dx, dw] = await onBackend("wasm", () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid")))([
        tf.range(1, 10).reshape([1, 3, 3, 1]),
        tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]),
      ]),
    );
    expect(Array.from(dw!)).toEqual([12, 16, 24, 28]);
    expect(Array.from(dx!)).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });

  const cases: [number[], number[], number, Pad][] = [
    [[2, 6, 6, 3], [3, 3, 3, 1], 1, "same"],
    [[2, 7, 7, 3], [3, 3, 3, 2], 2, "same"],
    [[1, 8, 8, 4], [2, 2, 4, 3], 2, "valid"],
    [[2, 9, 9, 2], [3, 3, 2, 2], 3, "valid"],
  ];
  for (const [xs, ws, s, pad] of cases) {
    it(`match cpu for x ${xs.join("×")}, filter ${ws.join("×")}, stride ${s}, '${pad}'`, async () => {
      const f = depthwiseGrads(xs, ws, s, pad);
      expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBeLessThan(1e-5);
    });
  }

  it("are missing from the stock backend", async () => {
    await initEngine("wasm");
    const f = depthwiseGrads([1, 5, 5, 2], [3, 3, 2, 1], 1, "same");
    expect(() => withStockKernels("wasm", () => tf.dispose(tf.tidy(f)), ["DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter"])).toThrow(
      /DepthwiseConv2dNativeBackprop/,
    );
  });

  it("leave no tensors or buffers behind", async () => {
    await initEngine("wasm");
    const f = depthwiseGrads([2, 7, 7, 3], [3, 3, 3, 2], 2, "same");
    tf.dispose(tf.tidy(f));
    const before = liveCounts();
    for (let i = 0; i < 30; i++) tf.dispose(tf.tidy(f));
    expect(liveCounts()).toEqual(before);
  });
});
