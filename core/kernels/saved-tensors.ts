/**
 * The gradient tape's saved tensors without a kernel launch each, on the host backends.
 *
 * Cost (not a wrong result): while a tape records, tfjs-core 4.22.0 keeps every tensor an op
 * saves for its backward pass as `keep(clone(t))`, and its internal `clone` runs an `Identity`
 * kernel through the engine and records a tape node for it. On cpu and wasm (with
 * identity.ts) that Identity only shares the buffer and counts one more reference, but each
 * launch still pays the engine's bookkeeping (scope, kernel lookup, a Tensor, a tape node with
 * its closures): a third of the kernels of a typical log-density gradient (110 of 352 for
 * posteriordb's accel_gp, measured with tf.profile).
 *
 * Here a saved tensor is a new Tensor object over the same buffer, with one more reference on
 * the backend, made directly by the engine's own `makeTensorFromDataId` + `backend.incRef`
 * (what `Identity` does on these backends, without the launch and the unused tape node). The
 * saved tensors are read only by gradient functions and disposed by the engine after the
 * backward pass, exactly as before. Other backends keep tfjs's clone.
 */
import * as tf from "@tensorflow/tfjs";

interface EngineInternals {
  backendName: string;
  backend: { incRef(dataId: object): void };
  keep<T extends tf.Tensor>(t: T): T;
  makeTensorFromDataId(dataId: object, shape: number[], dtype: tf.DataType): tf.Tensor;
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
}

const SHARING_BACKENDS = new Set(["cpu", "wasm"]);

const engineInternals = (): EngineInternals => tf.engine() as unknown as EngineInternals;

/** Whether the active backend shares buffers between tensors (cpu, wasm: refcounted host memory). */
export const sharesBuffers = (): boolean => SHARING_BACKENDS.has(engineInternals().backendName);

/**
 * A new tensor of `shape` over t's buffer, with one more reference on the backend: what the
 * `Identity` and `Reshape` kernels of the sharing backends do, without a kernel launch.
 * Only where `sharesBuffers()`; `shape` must have t's number of elements.
 */
export function shareBuffer(t: tf.Tensor, shape: readonly number[] = t.shape): tf.Tensor {
  const engine = engineInternals();
  const shared = engine.makeTensorFromDataId(t.dataId, [...shape], t.dtype);
  engine.backend.incRef(t.dataId);
  return shared;
}

let original: ((tensors: tf.Tensor[]) => tf.Tensor[]) | undefined;

/** Install the shared-buffer version on the engine (idempotent; applies on cpu and wasm only). */
export function installSavedTensorSharing(): void {
  if (original !== undefined) return;
  const engine = engineInternals();
  const stock = engine.saveTensorsForBackwardMode.bind(engine);
  original = stock;
  engine.saveTensorsForBackwardMode = (tensors) => {
    if (!sharesBuffers()) return stock(tensors);
    return tensors.map((t) => (t.dtype === "string" ? stock([t])[0]! : engine.keep(shareBuffer(t))));
  };
}

/** Put tfjs's own clone back (tests and benchmarks of the stock behaviour). */
export function uninstallSavedTensorSharing(): void {
  if (original === undefined) return;
  // The own property set by the install shadows the prototype's method: removing it restores tfjs's.
  Reflect.deleteProperty(tf.engine(), "saveTensorsForBackwardMode");
  original = undefined;
}
