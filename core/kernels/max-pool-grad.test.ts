// Regression tests for the wasm MaxPoolGrad replacement (max-pool-grad.ts). References: the
// cpu backend (its MaxPoolGrad sends dy to the first maximum of each window, as TensorFlow
// does) and a hand-worked 4×4 example.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { withStockKernels } from "./index.js";
import { det, liveCounts, maxRelDiff, onBackend } from "./testing.js";

const zeros4 = (shape: number[]): tf.Tensor4D => tf.zeros(shape).as4D(shape[0]!, shape[1]!, shape[2]!, shape[3]!);

type Pad = "valid" | "same";
const poolGrad = (xShape: number[], k: number, s: number, pad: Pad, shift = 0, relu = false) => () => {
  const x = tf.add(det(xShape, 11), shift);
  const yShape = tf.tidy(() => tf.maxPool(zeros4(xShape), k, s, pad).shape);
  const dy = det(yShape, 5);
  return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool((relu ? tf.relu(v) : v) as tf.Tensor4D, k, s, pad), dy)))(x);
};

afterAll(async () => {
  await initEngine("wasm");
});

describe("MaxPoolGrad on wasm", () => {
  it("routes dy to the window maximum (hand-worked example, all values negative)", async () => {
    // x = -[1..16] on a 4×4 grid; 2×2 windows, stride 2: each window's maximum is its
    // top-left element (-1, -3, -9, -11 at flat positions 0, 2, 8, 10).
    const grad = await onBackend("wasm", () =>
      tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 2, 2, "valid"), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]))))(
        tf.neg(tf.range(1, 17).reshape([1, 4, 4, 1])),
      ),
    );
    const expected = new Array<number>(16).fill(0);
    expected[0] = 1;
    expected[2] = 2;
    expected[8] = 3;
    expected[10] = 4;
    expect(Array.from(grad[0]!)).toEqual(expected);
  });

  const cases: [number[], number, number, Pad, number][] = [
    [[2, 6, 6, 3], 2, 2, "valid", 0],
    [[1, 6, 6, 1], 2, 2, "valid", -1.5],
    [[2, 5, 5, 2], 3, 2, "same", 0],
    [[1, 7, 7, 4], 3, 1, "same", -2],
    [[2, 8, 8, 3], 3, 3, "same", 0.3],
    [[2, 7, 7, 2], 2, 2, "same", -0.5],
  ];
  for (const [shape, k, s, pad, shift] of cases) {
    it(`matches cpu for x ${shape.join("×")}, ${k}×${k} windows, stride ${s}, '${pad}', x shifted by ${shift}`, async () => {
      const cpu = await onBackend("cpu", poolGrad(shape, k, s, pad, shift));
      const wasm = await onBackend("wasm", poolGrad(shape, k, s, pad, shift));
      expect(maxRelDiff(cpu, wasm)).toBeLessThan(1e-6);
    });
  }

  it("breaks ties like cpu: relu zeros give the gradient to the first zero of the window", async () => {
    const cpu = await onBackend("cpu", poolGrad([2, 6, 6, 3], 3, 2, "same", -0.4, true));
    const wasm = await onBackend("wasm", poolGrad([2, 6, 6, 3], 3, 2, "same", -0.4, true));
    expect(maxRelDiff(cpu, wasm)).toBeLessThan(1e-6);
  });

  it("differs from the stock wasm kernel, which loses windows of negative values", async () => {
    const f = poolGrad([2, 6, 6, 3], 2, 2, "valid", -1.5);
    const cpu = await onBackend("cpu", f);
    await initEngine("wasm");
    const stock = withStockKernels("wasm", () => tf.tidy(() => Float32Array.from(f().dataSync())), ["MaxPoolGrad"]);
    expect(maxRelDiff(cpu, [stock])).toBeGreaterThan(0.1);
  });

  it("leaves no tensors or buffers behind", async () => {
    await initEngine("wasm");
    const f = poolGrad([2, 6, 6, 3], 3, 2, "same");
    tf.dispose(tf.tidy(f));
    const before = liveCounts();
    for (let i = 0; i < 50; i++) tf.dispose(tf.tidy(f));
    expect(liveCounts()).toEqual(before);
  });
});

describe("AvgPoolGrad on wasm (stock kernel, checked because it shares the pooling code path)", () => {
  it("matches cpu with several channels, 'same' padding and stride 2", async () => {
    const f = () => {
      const x = det([2, 7, 7, 3], 3);
      const dy = det([2, 4, 4, 3], 4);
      return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(v as tf.Tensor4D, 3, 2, "same"), dy)))(x);
    };
    expect(maxRelDiff(await onBackend("cpu", f), await onBackend("wasm", f))).toBeLessThan(1e-6);
  });
});
