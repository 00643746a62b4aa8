/**
 * `Identity` for tfjs-backend-wasm 4.22.0: share the buffer instead of copying it.
 *
 * Defect of the stock kernel (a cost, not a wrong result; measured with tf.profile on a
 * logistic-regression log density, see bench/RESULTS.md): it copies its input into a new
 * buffer. tfjs's gradient tape clones (`Identity`) every input an op saves for its backward
 * pass, so each recorded op copies its saved inputs, data matrices included, on every
 * `tf.grad` call; and because the copy has a new buffer id, the wasm `BatchMatMul` cannot
 * reuse the XNNPACK operator it packed for the original weights, and repacks them: 5 ms
 * instead of 0.12 ms for [1,100]·[100,10000] in the backward pass of that density.
 *
 * Tensor buffers are immutable in tfjs (a `Variable.assign` swaps buffers; no kernel
 * writes into its input), so a clone can share the buffer and count one more reference,
 * which is what the cpu backend's `Identity` does. Strings go to the stock kernel.
 */
import type { KernelFunc } from "./compose.js";

interface RefCounted {
  incRef(dataId: object): void;
}

/** The replacement kernel: the same buffer, one more reference. */
export function identityFix(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs["x"]!;
    if (x.dtype === "string") return stock(args);
    (args.backend as RefCounted).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}
