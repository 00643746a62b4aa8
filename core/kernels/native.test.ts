// The native accelerator's kernels against tfjs's own (and core/kernels' fixes) on the shapes
// training uses, with each GEMM the machine has, on wasm and cpu (a training step's losses with
// and without it: nn/native.test.ts). Where the addon is not built, the loader must fall back: checked too.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { NATIVE_KERNELS, nativeStatus, useNativeBlas, withoutNative } from "./native.js";
import { det, maxRelDiff } from "./testing.js";

const BUILT = existsSync(new URL("../../native/build/Release/dlm_native.node", import.meta.url).pathname) && process.env["DLM_NATIVE"] !== "0";
const BACKENDS = ["wasm", "cpu"] as const;
/** The GEMMs to test: the built-in one always, OpenBLAS where it was found. */
const GEMMS = (): ("builtin" | "openblas")[] => (nativeStatus().openblas ? ["builtin", "openblas"] : ["builtin"]);

/** Values of `f`'s outputs with the accelerator (GEMM `gemm`) and without, on `backend`. */
async function withAndWithout(backend: (typeof BACKENDS)[number], gemm: "builtin" | "openblas", f: () => tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  await initEngine(backend);
  const run = (): Float32Array[] => tf.tidy(() => f().map((t) => Float32Array.from(t.dataSync())));
  const before = nativeStatus().blas!;
  expect(useNativeBlas(gemm)).toBe(true);
  try {
    return [run(), withoutNative(backend, run)];
  } finally {
    useNativeBlas(before);
  }
}

describe("native accelerator: loading", () => {
  it("loads where it was built and registers its kernels; elsewhere tfjs's kernels stay", async () => {
    await initEngine("wasm");
    expect(nativeStatus().loaded).toBe(BUILT);
    const stock = withoutNative("wasm", () => NATIVE_KERNELS.map((n) => tf.getKernel(n, "wasm")?.kernelFunc));
    const now = NATIVE_KERNELS.map((n) => tf.getKernel(n, "wasm")?.kernelFunc);
    now.forEach((k, i) => expect(k === stock[i]).toBe(!BUILT));
    expect(useNativeBlas("builtin")).toBe(BUILT);
  });

  it("DLM_NATIVE=0 turns it off, and the summary says so", () => {
    const script = "import('./core/kernels/native.ts').then((m) => console.log(m.nativeSummary(), m.nativeStatus().loaded))";
    const root = new URL("../../", import.meta.url).pathname;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: root, env: { ...process.env, DLM_NATIVE: "0" }, encoding: "utf8" });
    expect(r.stdout.trim()).toBe("native accelerator: off (turned off by DLM_NATIVE=0) false");
  });
});

describe.runIf(BUILT)("native accelerator: kernels equal tfjs's", () => {
  const matmuls = (): tf.Tensor[] => {
    const out: tf.Tensor[] = [];
    // The MLP's products and their gradients' transposed forms, odd sizes, one past KC = 256.
    for (const [m, k, n] of [[128, 784, 64], [7, 257, 19], [1, 3, 1]] as const) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const a = det(tA ? [k, m] : [m, k], m + k);
        const b = det(tB ? [n, k] : [k, n], n + 1);
        out.push(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, tA, tB));
      }
    }
    // Batched: equal batches, a shared B (one tall product), a shared A, with transposes.
    out.push(tf.matMul(det([3, 5, 7], 1) as tf.Tensor3D, det([3, 7, 6], 2) as tf.Tensor3D));
    out.push(tf.matMul(det([3, 5, 7], 3) as tf.Tensor3D, det([3, 6, 7], 4) as tf.Tensor3D, false, true));
    out.push(tf.matMul(det([4, 9, 5], 5) as tf.Tensor3D, det([9, 6], 6) as tf.Tensor2D, true, false));
    out.push(tf.matMul(det([2, 3, 5, 9], 7) as tf.Tensor4D, det([9, 6], 8) as tf.Tensor2D));
    out.push(tf.matMul(det([5, 9], 9) as tf.Tensor2D, det([4, 9, 6], 10) as tf.Tensor3D));
    // A partial broadcast (falls back) and an empty inner dimension.
    out.push(tf.matMul(det([2, 1, 4, 5], 11) as tf.Tensor4D, det([1, 3, 5, 6], 12) as tf.Tensor4D));
    out.push(tf.matMul(tf.zeros([4, 0]) as tf.Tensor2D, tf.zeros([0, 3]) as tf.Tensor2D));
    return out;
  };

  const convs = (): tf.Tensor[] => {
    const out: tf.Tensor[] = [];
    const cases = [
      // The CNN's two layers, a strided 'same' one, a dilated one, a pointwise one.
      { x: [3, 28, 28, 1], w: [5, 5, 1, 16], s: 1, pad: "valid", d: 1 },
      { x: [3, 12, 12, 16], w: [5, 5, 16, 32], s: 1, pad: "valid", d: 1 },
      { x: [2, 9, 11, 3], w: [3, 3, 3, 4], s: 2, pad: "same", d: 1 },
      { x: [2, 9, 9, 2], w: [3, 3, 2, 3], s: 1, pad: "same", d: 2 },
      { x: [2, 5, 5, 6], w: [1, 1, 6, 4], s: 1, pad: "valid", d: 1 },
    ] as const;
    cases.forEach((c, i) => {
      const x = det(c.x, 20 + i) as tf.Tensor4D;
      const w = det(c.w, 30 + i) as tf.Tensor4D;
      const f = (x: tf.Tensor, w: tf.Tensor): tf.Tensor => tf.sum(tf.sin(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad, "NHWC", c.d)));
      out.push(tf.conv2d(x, w, c.s, c.pad, "NHWC", c.d));
      // Gradients exist for dilation 1 only (tfjs's rule).
      if (c.d === 1) out.push(...tf.grads(f)([x, w]));
    });
    // Max pooling's gradient: tiled 2×2 windows, overlapping 'same' windows over negative values.
    for (const [size, stride, pad] of [[2, 2, "valid"], [3, 2, "same"]] as const) {
      const x = tf.sub(det([2, 8, 7, 3], 40 + size), 0.5);
      out.push(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, size, stride, pad), det([2, 4, 4, 3].map((d, i) => (i === 2 && pad === "valid" ? 3 : d)), 50))))(x));
    }
    return out;
  };

  for (const backend of BACKENDS) {
    it(`BatchMatMul on ${backend}`, async () => {
      for (const gemm of GEMMS()) {
        const [on, off] = await withAndWithout(backend, gemm, matmuls);
        on.forEach((v, i) => expect(maxRelDiff([v], [off[i]!]), `${gemm}, product ${i}`).toBeLessThan(2e-6));
      }
    });

    it(`Conv2D, its two gradients and MaxPoolGrad on ${backend}`, async () => {
      for (const gemm of GEMMS()) {
        const [on, off] = await withAndWithout(backend, gemm, convs);
        on.forEach((v, i) => expect(maxRelDiff([v], [off[i]!]), `${gemm}, output ${i}`).toBeLessThan(5e-6));
      }
    });
  }

  it("leaves no tensors or buffers behind", async () => {
    await initEngine("wasm");
    matmuls().forEach((t) => t.dispose()); // warm-up
    const before = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
    tf.tidy(() => void [...matmuls(), ...convs()]);
    expect([tf.memory().numTensors, tf.engine().backend.numDataIds()]).toEqual(before);
  });
});
