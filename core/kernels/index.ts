/**
 * Replacement kernels for known defects of a backend, installed by `initEngine` right after
 * the backend starts. See the individual files for each defect, how it was measured, and
 * the regression tests beside them.
 *
 * Nearly all are for tfjs-backend-wasm 4.22.0; the cpu backend gets one (its conv2d filter
 * gradient, a scalar loop), and on every backend the gradient corrections of
 * broadcast-grads.ts (which are backend-independent) are installed.
 * Installing twice is harmless: the stock kernel is saved once and a fix is registered only
 * where the registry does not already hold it.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendName } from "../engine.js";
import type { KernelFunc } from "./compose.js";
import { batchMatMulFix } from "./batch-matmul.js";
import { installBroadcastGradients } from "./broadcast-grads.js";
import { installSavedTensorSharing, uninstallSavedTensorSharing } from "./saved-tensors.js";
import { installLeanGradients } from "./lean-grads.js";
import { concatFix, packFix } from "./concat.js";
import { conv2dBackpropFilterFix, conv2dBackpropInputFix } from "./conv2d-backprop.js";
import { depthwiseBackpropFilterFix, depthwiseBackpropInputFix } from "./depthwise-backprop.js";
import { identityFix } from "./identity.js";
import { maxPoolGradFix } from "./max-pool-grad.js";
import { maxPoolWithArgmaxFix } from "./max-pool-with-argmax.js";
import { oneHotFix } from "./one-hot.js";
import { tileFix } from "./tile.js";
import { unsortedSegmentSumFix } from "./unsorted-segment-sum.js";
import { installNativeKernels } from "./native.js";

/** One replacement: the kernel it replaces and how to build it from the stock kernel (if any). */
export interface KernelFix {
  readonly kernelName: string;
  readonly backendName: BackendName;
  /** What is wrong with the stock kernel, in a line. */
  readonly defect: string;
  readonly make: (stock: KernelFunc | undefined) => KernelFunc;
}

function needStock(name: string, stock: KernelFunc | undefined): KernelFunc {
  if (!stock) throw new Error(`cannot fix '${name}' on wasm: the stock kernel is not registered`);
  return stock;
}

/** Every fix this project applies. */
export const KERNEL_FIXES: readonly KernelFix[] = [
  {
    kernelName: "BatchMatMul",
    backendName: "wasm",
    defect: "transposed operands leave the fast path (0.4–1.9 GFLOP/s); inner dimension 0 returns garbage",
    make: (stock) => batchMatMulFix(needStock("BatchMatMul", stock), "wasm"),
  },
  {
    kernelName: "Concat",
    backendName: "wasm",
    defect: "one JavaScript copy per run: joining along an inner axis of short runs is ~100× slow",
    make: (stock) => concatFix(needStock("Concat", stock), "wasm"),
  },
  {
    kernelName: "Pack",
    backendName: "wasm",
    defect: "one JavaScript copy per element when stacking along the last axis (tf.stack, bandPart)",
    make: (stock) => packFix(needStock("Pack", stock), "wasm"),
  },
  {
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    defect: "not registered: no conv2d filter gradient",
    make: () => conv2dBackpropFilterFix("wasm"),
  },
  {
    kernelName: "Conv2DBackpropFilter",
    backendName: "cpu",
    defect: "a scalar loop: about 7 s for one filter gradient of a small CNN's batch (the wasm fix runs on cpu's arrays too)",
    make: () => conv2dBackpropFilterFix("cpu"),
  },
  {
    kernelName: "Conv2DBackpropInput",
    backendName: "wasm",
    defect: "naive scalar loop",
    make: () => conv2dBackpropInputFix("wasm"),
  },
  {
    kernelName: "DepthwiseConv2dNativeBackpropFilter",
    backendName: "wasm",
    defect: "not registered: no depthwiseConv2d filter gradient",
    make: () => depthwiseBackpropFilterFix("wasm"),
  },
  {
    kernelName: "DepthwiseConv2dNativeBackpropInput",
    backendName: "wasm",
    defect: "not registered: no depthwiseConv2d input gradient",
    make: () => depthwiseBackpropInputFix("wasm"),
  },
  {
    kernelName: "Identity",
    backendName: "wasm",
    defect: "copies the buffer: every tensor the gradient tape saves is copied, and XNNPACK repacks matmul weights",
    make: (stock) => identityFix(needStock("Identity", stock)),
  },
  {
    kernelName: "MaxPoolGrad",
    backendName: "wasm",
    defect: "running maximum starts at 0: wrong gradient for windows of negative values",
    make: () => maxPoolGradFix("wasm"),
  },
  {
    kernelName: "MaxPoolWithArgmax",
    backendName: "wasm",
    defect: "running maximum starts at 0: windows of negative values report 0 and the wrong index",
    make: () => maxPoolWithArgmaxFix("wasm"),
  },
  {
    kernelName: "OneHot",
    backendName: "wasm",
    defect: "writes int32 bits whatever dtype is asked for: float32 one-hots hold 1.4e-45",
    make: (stock) => oneHotFix(needStock("OneHot", stock), "wasm"),
  },
  {
    kernelName: "Tile",
    backendName: "wasm",
    defect: "generic per-element loop: ~40× slower than a broadcast; tf.where with a scalar and broadcastTo use it",
    make: (stock) => tileFix(needStock("Tile", stock), "wasm"),
  },
  {
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    defect: "not registered: no gradient of tf.gather",
    make: () => unsortedSegmentSumFix("wasm"),
  },
];

/** Stock kernels saved before replacement, by `backend/kernel`; `null` where there was none. */
const stockKernels = new Map<string, tf.KernelConfig | null>();
/** Our replacement functions, so that a second installation recognises them. */
const installed = new Map<string, KernelFunc>();

const keyOf = (fix: KernelFix): string => `${fix.backendName}/${fix.kernelName}`;

function register(kernelName: string, backendName: string, config: tf.KernelConfig | null): void {
  if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
  if (config) tf.registerKernel(config);
}

/**
 * Install every fix that applies to `backend` (idempotent): the kernel replacements of that
 * backend, and the backend-independent gradient corrections of broadcast-grads.ts.
 */
export function installKernelFixes(backend: BackendName): void {
  installBroadcastGradients();
  installLeanGradients();
  installSavedTensorSharing();
  for (const fix of KERNEL_FIXES) {
    if (fix.backendName !== backend) continue;
    const key = keyOf(fix);
    const current = tf.getKernel(fix.kernelName, fix.backendName);
    const ours = installed.get(key);
    if (ours !== undefined && current?.kernelFunc === ours) continue;
    if (!stockKernels.has(key)) stockKernels.set(key, current ?? null);
    const kernelFunc = ours ?? fix.make(stockKernels.get(key)?.kernelFunc);
    installed.set(key, kernelFunc);
    register(fix.kernelName, fix.backendName, { kernelName: fix.kernelName, backendName: fix.backendName, kernelFunc });
  }
  // The native accelerator (when loaded) wraps some of these fixes: put it back over them.
  installNativeKernels(backend);
}

/**
 * Put the stock kernels of `backend` back (for regression tests and the stock-versus-fixed
 * benchmarks); `installKernelFixes` re-installs the fixes. `only` limits it to some kernels.
 */
export function restoreStockKernels(backend: BackendName, only?: readonly string[]): void {
  // The tape's saved tensors go back to tfjs's Identity clone with the stock Identity.
  if (only === undefined || only.includes("Identity")) uninstallSavedTensorSharing();
  for (const fix of KERNEL_FIXES) {
    if (fix.backendName !== backend || (only && !only.includes(fix.kernelName))) continue;
    const key = keyOf(fix);
    if (!stockKernels.has(key)) continue;
    register(fix.kernelName, fix.backendName, stockKernels.get(key) ?? null);
  }
}

/** Run `f` with the stock kernels `only` (default: all fixed ones) of `backend` in place, then re-install the fixes. */
export function withStockKernels<T>(backend: BackendName, f: () => T, only?: readonly string[]): T {
  restoreStockKernels(backend, only);
  try {
    return f();
  } finally {
    installKernelFixes(backend);
  }
}
