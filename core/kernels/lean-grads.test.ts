// Tests of the lean Add/Sub/Multiply gradients (lean-grads.ts) and of the shared saved tensors
// (saved-tensors.ts). References: tfjs-core's own gradients (uninstalled and re-installed
// around each comparison) and the analytic derivatives in float64; kernel counts by tf.profile.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { installKernelFixes } from "./index.js";
import { installLeanGradients, uninstallLeanGradients } from "./lean-grads.js";
import { installSavedTensorSharing, uninstallSavedTensorSharing } from "./saved-tensors.js";
import { lcg } from "./testing.js";

afterAll(async () => {
  await initEngine("wasm");
  installKernelFixes("wasm");
});

const t = (shape: number[], seed: number): tf.Tensor => tf.tensor(lcg(shape.reduce((p, d) => p * d, 1), seed), shape);

/** Operand shape pairs: equal, row and column broadcasts, scalars, size-1 axes kept. */
const SHAPES: readonly (readonly [number[], number[]])[] = [
  [[3, 4], [3, 4]],
  [[3, 4], [4]],
  [[3, 1], [1, 4]],
  [[], [2, 3]],
  [[2, 1, 3], [3]],
  [[5], []],
];

/**
 * A function of two tensors that uses Add, Sub and Multiply with both operands, reuses
 * intermediate results (gradients accumulate) and feeds an op's output straight into another
 * (dy of one op is the gradient of the next).
 */
function f(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  const s = tf.add(a, b);
  const d = tf.sub(a, b);
  const p = tf.mul(s, d);
  const q = tf.mul(tf.add(p, s), tf.sub(b, s));
  return tf.sum(tf.add(tf.mul(q, q), tf.add(a, a)));
}

function gradsOf(a: tf.Tensor, b: tf.Tensor): number[][] {
  return tf.tidy(() => tf.grads(f)([a, b]).map((g) => Array.from(g.dataSync())));
}

for (const backend of ["wasm", "cpu"] as const) {
  describe(`lean Add/Sub/Multiply gradients (${backend})`, () => {
    it("agree with tfjs-core's gradients over broadcasts, reuse and chains", async () => {
      await initEngine(backend);
      for (const [sa, sb] of SHAPES) {
        const [a, b] = [t(sa, 1), t(sb, 2)];
        installLeanGradients();
        const ours = gradsOf(a, b);
        uninstallLeanGradients();
        const theirs = gradsOf(a, b);
        installLeanGradients();
        ours.forEach((g, i) => {
          expect(g.length).toBe(theirs[i]!.length);
          g.forEach((v, j) => expect(Math.abs(v - theirs[i]![j]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(theirs[i]![j]!))));
        });
        tf.dispose([a, b]);
      }
    });

    it("match the analytic gradient of Σ (a·b − a)·c with b broadcast", async () => {
      await initEngine(backend);
      const [a, b, c] = [t([4, 3], 3), t([3], 4), t([4, 3], 5)];
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.sub(tf.mul(x, y), x), c)))([a, b]);
      const [av, bv, cv] = [a.dataSync(), b.dataSync(), c.dataSync()];
      const wantA = Array.from(av, (_, k) => (bv[k % 3]! - 1) * cv[k]!);
      const wantB = [0, 1, 2].map((j) => [0, 1, 2, 3].reduce((acc, i) => acc + av[i * 3 + j]! * cv[i * 3 + j]!, 0));
      Array.from(ga!.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(wantA[k]!, 5));
      Array.from(gb!.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(wantB[k]!, 5));
      tf.dispose([a, b, c, ga!, gb!]);
    });

    it("launch fewer kernels: no Cast, no Identity, no Reshape of Add's or Multiply's gradient", async () => {
      await initEngine(backend);
      const [a, b] = [t([3, 4], 6), t([3, 4], 7)];
      const g = (): void => tf.dispose(tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.add(x, y), y)))([a, b]));
      const names = async (): Promise<string[]> => (await tf.profile(g)).kernels.map((k) => k.name);
      const lean = await names();
      uninstallLeanGradients();
      uninstallSavedTensorSharing();
      const stock = await names();
      installLeanGradients();
      installSavedTensorSharing();
      expect(lean.filter((k) => k === "Cast")).toEqual([]);
      expect(lean.filter((k) => k === "Identity")).toEqual([]);
      // the one Reshape left is the gradient of the final tf.sum (tfjs-core's)
      expect(lean.filter((k) => k === "Reshape")).toEqual(["Reshape"]);
      expect(stock.filter((k) => k === "Reshape").length).toBeGreaterThan(1);
      expect(stock.filter((k) => k === "Cast").length).toBeGreaterThan(0);
      expect(lean.length).toBeLessThan(stock.length);
      tf.dispose([a, b]);
    });

    it("leave no tensors or buffers behind over 500 gradient calls", async () => {
      await initEngine(backend);
      const [a, b] = [t([3, 1], 8), t([1, 4], 9)];
      gradsOf(a, b);
      const before = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
      for (let i = 0; i < 500; i++) gradsOf(a, b);
      expect([tf.memory().numTensors, tf.engine().backend.numDataIds()]).toEqual(before);
      tf.dispose([a, b]);
    });
  });
}
