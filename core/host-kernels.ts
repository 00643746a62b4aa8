/**
 * Registration and dispatch shared by the host-loop kernels that exist only on the backends
 * whose buffers live in host memory (cpu, wasm): the interval transform (fused-interval.ts),
 * log-sum-exp (fused-logsumexp.ts), log Γ / ψ (fused-special.ts) and Cholesky
 * (fused-cholesky.ts). Each is a forward kernel
 * and a backward kernel; callers ask `hostKernelApplies` and compose from ops where it says no.
 *
 * This file imports TensorFlow.js directly (like kernels/), because engine.ts installs it.
 */
import * as tf from "@tensorflow/tfjs";
import { isHostBackend } from "./host-memory.js";
import type { KernelFunc } from "./kernels/compose.js";

export type Attrs = NonNullable<Parameters<KernelFunc>[0]["attrs"]>;

/** A kernel name and its implementation for a given host backend. */
export type HostKernel = readonly [kernelName: string, factory: (backendName: string) => KernelFunc];

/** Register the kernels on every host-memory backend tfjs knows, and the gradient; idempotent. */
export function registerHostKernels(kernels: readonly HostKernel[], gradient: tf.GradConfig): void {
  for (const backendName of tf.engine().backendNames()) {
    if (!isHostBackend(backendName)) continue;
    for (const [kernelName, factory] of kernels) {
      if (!tf.getKernel(kernelName, backendName)) tf.registerKernel({ kernelName, backendName, kernelFunc: factory(backendName) });
    }
  }
  if (tf.getGradient(gradient.kernelName)?.gradFunc !== gradient.gradFunc) tf.registerGradient(gradient);
}

/**
 * The gradient of an elementwise or reducing forward kernel with one input `x`: the backward
 * kernel `gradKernelName` with inputs x (saved) and dy, and the forward kernel's attributes.
 */
export function gradientFromX(kernelName: string, gradKernelName: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      return { x: () => tf.engine().runKernel(gradKernelName, { x, dy: dy as tf.Tensor }, attrs as Attrs) as tf.Tensor };
    },
  };
}

/**
 * Whether the current backend runs `kernelName` on the float32 tensor `x`: a
 * host-memory backend where it is registered, and on wasm only up to `wasmMaxSize` elements
 * (above it wasm's vectorised kernels are faster).
 */
export function hostKernelApplies(kernelName: string, x: tf.Tensor, wasmMaxSize: number): boolean {
  const backendName = tf.getBackend();
  if (!isHostBackend(backendName) || !tf.getKernel(kernelName, backendName)) return false;
  return x.dtype === "float32" && !(backendName === "wasm" && x.size > wasmMaxSize);
}
