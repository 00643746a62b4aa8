/**
 * Gradients of Add, Sub and Multiply with fewer kernel launches than tfjs-core 4.22.0's.
 *
 * Cost (not a wrong result): tfjs-core's Multiply gradient multiplies dy by `cast(b,
 * 'float32')`, a Cast kernel even when b is already float32, and Add's and Sub's return
 * `reshape(dy, a.shape)`, a Reshape kernel even when nothing was broadcast; after a broadcast
 * they reshape the sum even when it already has the operand's shape. Every launch costs
 * microseconds of engine bookkeeping, and these three ops are most of a model's arithmetic:
 * 27 Casts and about 30 Reshapes of the 242 kernels of posteriordb's accel_gp gradient.
 *
 * The rules are tfjs-core's (∂(a ± b) = dy, ±dy; ∂(a·b) = dy·b, dy·a; each summed over the
 * axes its operand was broadcast along), with no Cast of a float32 operand, no Reshape where
 * the shape is already right, and, on the host backends (cpu, wasm), an unbroadcast dy handed
 * on as a new tensor over the same buffer (what the Reshape kernel does there, without the
 * launch). A gradient is never dy itself: tfjs's backward pass disposes accumulated gradients.
 */
import * as tf from "@tensorflow/tfjs";
import { shareBuffer, sharesBuffers } from "./saved-tensors.js";

const sameShape = (a: readonly number[], b: readonly number[]): boolean => tf.util.arraysEqual([...a], [...b]);

/** A new tensor of `shape` over g's buffer (g must have as many elements). */
const view = (g: tf.Tensor, shape: readonly number[]): tf.Tensor => (sharesBuffers() ? shareBuffer(g, shape) : tf.reshape(g, [...shape]));

/**
 * `g` (shaped like the broadcast output) summed down to `shape`. `fresh`: g was made by this
 * gradient and may be returned itself.
 */
function reduceTo(g: tf.Tensor, shape: readonly number[], fresh: boolean): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes([...shape], g.shape);
  if (axes.length === 0) return fresh && sameShape(g.shape, shape) ? g : view(g, shape);
  const s = tf.sum(g, axes);
  return sameShape(s.shape, shape) ? s : view(s, shape);
}

const asFloat = (t: tf.Tensor): tf.Tensor => (t.dtype === "float32" ? t : tf.cast(t, "float32"));

type Rule = (a: tf.Tensor, b: tf.Tensor, dy: tf.Tensor) => { a: () => tf.Tensor; b: () => tf.Tensor };

const RULES: Readonly<Record<string, Rule>> = {
  Add: (a, b, dy) => ({ a: () => reduceTo(dy, a.shape, false), b: () => reduceTo(dy, b.shape, false) }),
  Sub: (a, b, dy) => ({ a: () => reduceTo(dy, a.shape, false), b: () => tf.neg(reduceTo(dy, b.shape, false)) }),
  Multiply: (a, b, dy) => ({ a: () => reduceTo(tf.mul(dy, asFloat(b)), a.shape, true), b: () => reduceTo(tf.mul(dy, asFloat(a)), b.shape, true) }),
};

const installed = new Map<string, tf.GradFunc>();
const stock = new Map<string, tf.GradConfig | undefined>();

/** Register the lean gradients (idempotent; backend-independent). */
export function installLeanGradients(): void {
  for (const [kernelName, rule] of Object.entries(RULES)) {
    const ours = installed.get(kernelName);
    if (ours !== undefined && tf.getGradient(kernelName)?.gradFunc === ours) continue;
    if (!stock.has(kernelName)) stock.set(kernelName, tf.getGradient(kernelName));
    const gradFunc: tf.GradFunc = (dy, saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      return rule(a, b, dy as tf.Tensor);
    };
    installed.set(kernelName, gradFunc);
    tf.registerGradient({ kernelName, inputsToSave: ["a", "b"], gradFunc });
  }
}

/** Put tfjs-core's gradients back (for the comparison test and benchmarks). */
export function uninstallLeanGradients(): void {
  for (const config of stock.values()) if (config) tf.registerGradient(config);
  installed.clear();
}
