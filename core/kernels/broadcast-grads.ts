/**
 * Gradients of broadcasting binary ops that tfjs-core 4.22.0 gets wrong on every backend.
 *
 * Defect (found with tf.grads over broadcast operands; regression test in
 * broadcast-grads.test.ts): the registered gradients of `SquaredDifference`, `Maximum` and
 * `Minimum` return dy-shaped gradients without summing over the broadcast axes, so
 * differentiating e.g. `tf.squaredDifference(x, mu)` with respect to both x `[n, k]` and a
 * broadcast mu `[k]` throws "The gradient of input 'b' has shape 'n,k', which does not match
 * the shape of the input 'k'". (`Sub`, `Mul`, `Div`, `Pow`, `Atan2`, `Mod`, `FloorDiv`, `Prelu`
 * and `SelectV2` reduce correctly.)
 *
 * Gradients are registered per kernel name for all backends, so unlike the kernel
 * replacements these apply on cpu too: there they turn the exception into the right
 * gradient and change no result that was computed before. The element-wise rules are those
 * of tfjs-core (ties of maximum go to a, of minimum to a):
 *   (a−b)²: ∂a = 2(a−b)·dy, ∂b = −∂a;  max: ∂a = [a ≥ b]·dy, ∂b = [a < b]·dy;
 *   min: ∂a = [a ≤ b]·dy, ∂b = [a > b]·dy;  each then summed to the operand's shape.
 */
import * as tf from "@tensorflow/tfjs";

/** Sum `g` (shaped like the broadcast output) down to `shape`. */
export function sumToShape(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes([...shape], g.shape);
  const summed = axes.length > 0 ? tf.sum(g, axes) : g;
  return tf.reshape(summed, [...shape]);
}

type Rule = (a: tf.Tensor, b: tf.Tensor, dy: tf.Tensor) => [tf.Tensor, tf.Tensor];

const mask = (t: tf.Tensor, dy: tf.Tensor): tf.Tensor => tf.mul(dy, tf.cast(t, "float32"));

const RULES: Readonly<Record<string, Rule>> = {
  SquaredDifference: (a, b, dy) => {
    const da = tf.mul(dy, tf.mul(2, tf.sub(a, b)));
    return [da, tf.neg(da)];
  },
  Maximum: (a, b, dy) => [mask(tf.greaterEqual(a, b), dy), mask(tf.less(a, b), dy)],
  Minimum: (a, b, dy) => [mask(tf.lessEqual(a, b), dy), mask(tf.greater(a, b), dy)],
};

const installed = new Map<string, tf.GradFunc>();

/** Register the corrected gradients (idempotent; backend-independent). */
export function installBroadcastGradients(): void {
  for (const [kernelName, rule] of Object.entries(RULES)) {
    const ours = installed.get(kernelName);
    if (ours !== undefined && tf.getGradient(kernelName)?.gradFunc === ours) continue;
    const gradFunc: tf.GradFunc = (dy, saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const d = dy as tf.Tensor;
      return {
        a: () => sumToShape(rule(a, b, d)[0], a.shape),
        b: () => sumToShape(rule(a, b, d)[1], b.shape),
      };
    };
    installed.set(kernelName, gradFunc);
    tf.registerGradient({ kernelName, inputsToSave: ["a", "b"], gradFunc });
  }
}
