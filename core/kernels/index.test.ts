// Installation of the kernel fixes: wasm only, idempotent, reversible.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { KERNEL_FIXES, installKernelFixes, restoreStockKernels, withStockKernels } from "./index.js";

const registered = (backend: string) => KERNEL_FIXES.map((f) => tf.getKernel(f.kernelName, backend)?.kernelFunc);

afterAll(async () => {
  await initEngine("wasm");
});

describe("installKernelFixes", () => {
  it("replaces every listed wasm kernel, and a second installation changes nothing", async () => {
    await initEngine("wasm");
    const first = registered("wasm");
    expect(first.every((k) => k !== undefined)).toBe(true);
    installKernelFixes("wasm");
    installKernelFixes("wasm");
    expect(registered("wasm")).toEqual(first);
  });

  it("leaves the cpu backend's kernels alone", async () => {
    await initEngine("cpu");
    const before = registered("cpu");
    installKernelFixes("cpu");
    expect(registered("cpu")).toEqual(before);
    // cpu's own kernels, not ours: the wasm replacements are different functions
    expect(before.some((k, i) => k !== undefined && k === registered("wasm")[i])).toBe(false);
  });

  it("can put the stock wasm kernels back and re-install the fixes", async () => {
    await initEngine("wasm");
    const fixed = registered("wasm");
    restoreStockKernels("wasm");
    const stock = registered("wasm");
    KERNEL_FIXES.forEach((_, i) => expect(stock[i]).not.toBe(fixed[i]));
    // kernels that tfjs-backend-wasm 4.22.0 lacks are absent again
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeUndefined();
    expect(tf.getKernel("UnsortedSegmentSum", "wasm")).toBeUndefined();
    installKernelFixes("wasm");
    expect(registered("wasm")).toEqual(fixed);
    const inside = withStockKernels("wasm", () => tf.getKernel("BatchMatMul", "wasm")?.kernelFunc, ["BatchMatMul"]);
    expect(inside).toBe(stock[KERNEL_FIXES.findIndex((f) => f.kernelName === "BatchMatMul")]);
    expect(registered("wasm")).toEqual(fixed);
  });
});
