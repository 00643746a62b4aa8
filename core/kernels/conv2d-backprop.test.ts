// Regression tests for the wasm conv2d gradient kernels (conv2d-backprop.ts). Reference: the
// cpu backend's Conv2DBackpropFilter / Conv2DBackpropInput, plus a hand-worked 1-channel case.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { withStockKernels } from "./index.js";
import { det, liveCounts, maxRelDiff, onBackend } from "./testing.js";

const zeros4 = (shape: number[]): tf.Tensor4D => tf.zeros(shape).as4D(shape[0]!, shape[1]!, shape[2]!, shape[3]!);

type Pad = "valid" | "same" | [[0, 0], [number, number], [number, number], [0, 0]];
const convGrads = (xShape: number[], wShape: number[], s: number | [number, number], pad: Pad) => () => {
  const x = det(xShape, 1);
  const w = det(wShape, 2);
  const yShape = tf.tidy(() => tf.conv2d(zeros4(xShape), zeros4(wShape), s, pad).shape);
  const dy = det(yShape, 3);
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad), dy)))([x, w]);
};

afterAll(async () => {
  await initEngine("wasm");
});

describe("conv2d gradients on wasm", () => {
  it("give the hand-worked gradients of a 1-channel 3×3 input with a 2×2 filter", async () => {
    // y[i,j] = Σ_ab x[i+a, j+b] w[a,b] ('valid', stride 1) and L = Σ y, so
    // dL/dw[a,b] = Σ_ij x[i+a, j+b] (sum of a 2×2 sub-grid of x = 1..9) and
    // dL/dx[p,q] = Σ of w over the offsets that reach (p,q) (w = [1,2;3,4]).
    const [dx, dw] = await onBackend("wasm", () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid")))([
        tf.range(1, 10).reshape([1, 3, 3, 1]),
        tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]),
      ]),
    );
    expect(Array.from(dw!)).toEqual([1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9]);
    expect(Array.from(dx!)).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });

  const cases: [number[], number[], number | [number, number], Pad][] = [
    [[2, 7, 7, 3], [3, 3, 3, 4], 1, "valid"],
    [[2, 7, 7, 3], [3, 3, 3, 4], 2, "same"],
    [[2, 8, 8, 3], [3, 3, 3, 5], 2, "same"],
    [[1, 9, 9, 2], [2, 2, 2, 3], 3, "same"],
    [[2, 8, 6, 3], [3, 2, 3, 4], 2, "valid"],
    [[2, 7, 6, 3], [3, 2, 3, 4], [2, 1], [[0, 0], [2, 1], [0, 3], [0, 0]]],
    [[2, 5, 5, 3], [2, 2, 3, 4], 1, [[0, 0], [3, 0], [0, 2], [0, 0]]],
    [[3, 6, 6, 4], [1, 1, 4, 2], 2, "same"],
  ];
  for (const [xs, ws, s, pad] of cases) {
    it(`match cpu for x ${xs.join("×")}, filter ${ws.join("×")}, stride ${String(s)}, padding ${JSON.stringify(pad)}`, async () => {
      const f = convGrads(xs, ws, s, pad);
      expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBeLessThan(1e-5);
    });
  }

  it("conv2dTranspose (Conv2DBackpropInput) matches cpu", async () => {
    const f = () => tf.conv2dTranspose(det([2, 4, 4, 4], 3) as tf.Tensor4D, det([3, 3, 3, 4], 2) as tf.Tensor4D, [2, 8, 8, 3], 2, "same");
    expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBeLessThan(1e-5);
  });

  it("replace a stock backend that has no filter gradient at all", async () => {
    await initEngine("wasm");
    const f = convGrads([2, 7, 7, 3], [3, 3, 3, 4], 2, "same");
    expect(() => withStockKernels("wasm", () => tf.dispose(tf.tidy(f)), ["Conv2DBackpropFilter"])).toThrow(
      /Conv2DBackpropFilter/,
    );
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
  });

  it("leave no tensors or buffers behind", async () => {
    await initEngine("wasm");
    const f = convGrads([2, 7, 7, 3], [3, 3, 3, 4], 2, "same");
    tf.dispose(tf.tidy(f));
    const before = liveCounts();
    for (let i = 0; i < 30; i++) tf.dispose(tf.tidy(f));
    expect(liveCounts()).toEqual(before);
  });
});
