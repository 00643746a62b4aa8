/**
 * The tensor engine, chosen in one place.
 *
 * Every part of the project reaches TensorFlow.js through `tf` from this module, and the
 * backend is chosen once by `initEngine`: an explicit name (the CLI's `--backend`), else the
 * `DLM_BACKEND` environment variable, else `wasm`. `tensorflow` (libtensorflow through
 * @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node) is used only when asked for and only
 * when one of those packages can be imported: their install downloads a native library,
 * so they are never a dependency of this project.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { installFusedLogPdfKernels } from "./fused-logpdf-kernels.js";
import { installFamilyKernels } from "./fused-family.js";
import { installIntervalKernels } from "./fused-interval.js";
import { installLogSumExpKernels } from "./fused-logsumexp.js";
import { installSpecialKernels } from "./fused-special.js";
import { installCholeskyKernels } from "./fused-cholesky.js";
import { installKernelFixes } from "./kernels/index.js";
import { installNativeKernels } from "./kernels/native.js";
import { installOptimiserStepKernel } from "./kernels/optimiser-step.js";
import { installSoftmaxCrossEntropyKernels } from "./kernels/softmax-crossentropy.js";

export { tf };

export type BackendName = "wasm" | "cpu" | "tensorflow";
export const BACKENDS: readonly BackendName[] = ["wasm", "cpu", "tensorflow"];
export const DEFAULT_BACKEND: BackendName = "wasm";

export interface EngineInfo {
  readonly backend: BackendName;
  /** The tfjs version in use. */
  readonly tfjsVersion: string;
  /** Backends that can be started on this machine. */
  readonly available: readonly BackendName[];
}

/** Raised for a backend that is unknown or cannot be started here. */
export class BackendError extends Error {
  override readonly name = "BackendError";
}

let current: EngineInfo | undefined;
let nativeChecked: boolean | undefined;

/** Whether a libtensorflow binding can be imported (the optional `tensorflow` backend). */
async function nativeAvailable(): Promise<boolean> {
  if (nativeChecked !== undefined) return nativeChecked;
  nativeChecked = false;
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      await import(/* @vite-ignore */ pkg);
      nativeChecked = true;
      break;
    } catch {
      // not installed: the optional backend is simply absent
    }
  }
  return nativeChecked;
}

/** The backends that can be started on this machine. */
export async function availableBackends(): Promise<BackendName[]> {
  const list: BackendName[] = ["wasm", "cpu"];
  if (await nativeAvailable()) list.push("tensorflow");
  return list;
}

function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

/**
 * tfjs's cpu backend greets its first tensor in Node.js with a console.warn banner ("Hi, looks
 * like you are running TensorFlow.js in Node.js ... install our node backend"): noise for dlm's
 * users, printed even with --quiet. The banner is guarded by the backend's private `firstUse`
 * flag (tfjs-backend-cpu, MathBackendCPU.write), so clearing that flag drops this one message;
 * the env flags that would also silence it (PROD, IS_TEST) silence every other tfjs warning too.
 * The cpu backend is started here if it was not yet, which is cheap and leaves the active
 * backend as it is.
 */
function skipCpuNodeNotice(): void {
  let cpu: unknown;
  try {
    cpu = tf.findBackend("cpu");
  } catch {
    return; // no cpu backend registered: no banner either
  }
  if (typeof cpu === "object" && cpu !== null && (cpu as { firstUse?: unknown }).firstUse === true) (cpu as { firstUse: boolean }).firstUse = false;
}

/**
 * Start the engine on the requested backend (idempotent for the same backend).
 * Order of precedence: `requested`, then `DLM_BACKEND`, then `wasm`.
 */
export async function initEngine(requested?: string): Promise<EngineInfo> {
  const name = (requested ?? process.env["DLM_BACKEND"] ?? DEFAULT_BACKEND).trim().toLowerCase();
  const available = await availableBackends();
  if (!isBackendName(name) || !available.includes(name)) {
    const why = isBackendName(name) ? "is not available on this machine" : "is not a known backend";
    throw new BackendError(`backend '${name}' ${why}; available: ${available.join(", ")}`);
  }
  if (current?.backend === name && tf.getBackend() === name) return current;
  const ok = await tf.setBackend(name);
  if (!ok) throw new BackendError(`backend '${name}' failed to start; available: ${available.join(", ")}`);
  await tf.ready();
  skipCpuNodeNotice();
  installKernelFixes(name);
  installFusedLogPdfKernels();
  installFamilyKernels();
  installIntervalKernels();
  installLogSumExpKernels();
  installSpecialKernels();
  installCholeskyKernels();
  installOptimiserStepKernel();
  installSoftmaxCrossEntropyKernels();
  // Last, so that the accelerator wraps the fixed kernels and falls back to them.
  installNativeKernels(name);
  current = { backend: name, tfjsVersion: tf.version.tfjs, available };
  return current;
}

/** The engine started by `initEngine`; throws if none was started yet. */
export function engineInfo(): EngineInfo {
  if (!current) throw new BackendError("the tensor engine has not been started (call initEngine first)");
  return current;
}
