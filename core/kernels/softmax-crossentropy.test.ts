// The fused softmax cross-entropy against the same loss composed from tfjs ops
// (−Σ y · logSoftmax(z), tf.oneHot for labels): values and gradients for labels and
// probability targets, each aggregation, on wasm and cpu.
import { describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { fusedSoftmaxCrossEntropy, type XentAggregate } from "./softmax-crossentropy.js";
import { det, maxRelDiff } from "./testing.js";

function reference(z: tf.Tensor, y: tf.Tensor, labels: boolean, agg: XentAggregate): tf.Tensor {
  const k = z.shape.at(-1)!;
  const probs = labels ? tf.oneHot(tf.cast(tf.sub(y, 1), "int32"), k).toFloat() : y;
  const per = tf.neg(tf.sum(tf.mul(probs, tf.logSoftmax(z, -1)), -1));
  return agg === "mean" ? tf.mean(per) : agg === "sum" ? tf.sum(per) : per;
}

const CASES = [
  { shape: [6, 4], labels: true },
  { shape: [2, 3, 5], labels: true },
  { shape: [6, 4], labels: false },
  { shape: [2, 3, 5], labels: false },
] as const;

describe("fused softmax cross-entropy", () => {
  for (const backend of ["wasm", "cpu"] as const) {
    it(`equals the composed loss and its gradients on ${backend}`, async () => {
      await initEngine(backend);
      for (const c of CASES) {
        for (const agg of ["mean", "sum", "none"] as const) {
          const rows = c.shape.slice(0, -1).reduce((p, d) => p * d, 1);
          const k = c.shape.at(-1)!;
          const out = tf.tidy(() => {
            // Logits far apart (±60) as well as close: the log-sum-exp must stay finite.
            const z = tf.mul(det(c.shape, 3), tf.tensor([1, 60, 1, 1, 1].slice(0, k)));
            // Labels 1..K and one outside (a row of zeros, as tf.oneHot makes it); soft rows that do not sum to 1.
            const y = c.labels ? tf.tensor(Array.from({ length: rows }, (_, r) => (r === 1 ? k + 1 : (r % k) + 1)), c.shape.slice(0, -1), "int32") : tf.abs(det(c.shape, 4));
            const w = agg === "none" ? det(c.shape.slice(0, -1), 5) : tf.scalar(1.5);
            const f = (fused: boolean) => (zz: tf.Tensor, yy: tf.Tensor) => {
              const l = fused ? fusedSoftmaxCrossEntropy(zz, yy, c.labels, agg)! : reference(zz, yy, c.labels, agg);
              return tf.sum(tf.mul(l, w));
            };
            const value = (fused: boolean): tf.Tensor => (fused ? fusedSoftmaxCrossEntropy(z, y, c.labels, agg)! : reference(z, y, c.labels, agg));
            const grads = (fused: boolean): tf.Tensor[] => (c.labels ? [tf.grad((zz: tf.Tensor) => f(fused)(zz, y))(z)] : tf.grads(f(fused))([z, y]));
            return [[value(true), ...grads(true)], [value(false), ...grads(false)]].map((ts) => ts.map((t) => Float32Array.from(t.dataSync())));
          });
          const [fused, ops] = out as [Float32Array[], Float32Array[]];
          expect(fused[0]!.length, `${backend} ${c.shape} ${agg}`).toBe(agg === "none" ? rows : 1);
          expect(maxRelDiff(fused, ops), `${backend} ${c.shape} labels=${c.labels} ${agg}`).toBeLessThan(2e-6);
        }
      }
    });
  }

  it("is one kernel each way and keeps no tensors", async () => {
    await initEngine("wasm");
    const z = det([8, 10], 1);
    const y = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8], "int32");
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => tf.tidy(() => void tf.grad((zz: tf.Tensor) => fusedSoftmaxCrossEntropy(zz, y, true, "mean")!)(z).dispose()));
    expect(info.kernels.map((k) => k.name).filter((n) => n.startsWith("Dlm"))).toEqual(["DlmSoftmaxCrossEntropy", "DlmSoftmaxCrossEntropyGrad"]);
    expect(info.kernels.length).toBeLessThanOrEqual(4);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, y]);
  });
});
