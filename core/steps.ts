/**
 * Comparisons and logical ops on tensors as 0/1 float32 tensors with a zero gradient for
 * their inputs. tfjs registers no gradient for Less, Equal, LogicalAnd, … and refuses a tape
 * that passes through one, so a comparison of a parameter (`ifelse(a > 0, a, 0)`) would end
 * a gradient with an error; its derivative is 0 wherever it exists. The interpreter's operators
 * and the tfjs executor of the IR share these.
 */
import { tf } from "./engine.js";

/** `f`'s boolean result as 0/1 floats; the gradient function reads only shapes, so it holds no tensor a tidy has freed. */
function flag(f: (...xs: tf.Tensor[]) => tf.Tensor): (...xs: (tf.Tensor | number)[]) => tf.Tensor {
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = inputs.filter((x): x is tf.Tensor => x instanceof tf.Tensor);
    const shapes = xs.map((x) => x.shape);
    return { value: tf.cast(f(...xs), "float32"), gradFunc: () => shapes.map((s) => tf.zeros(s)) };
  }) as (...xs: tf.Tensor[]) => tf.Tensor;
  return (...xs) => op(...xs.map((x) => (typeof x === "number" ? tf.scalar(x) : x)));
}

const truthy = (x: tf.Tensor): tf.Tensor => tf.notEqual(x, 0);

export const lt = flag((a, b) => tf.less(a!, b!));
export const le = flag((a, b) => tf.lessEqual(a!, b!));
export const gt = flag((a, b) => tf.greater(a!, b!));
export const ge = flag((a, b) => tf.greaterEqual(a!, b!));
export const eq = flag((a, b) => tf.equal(a!, b!));
export const ne = flag((a, b) => tf.notEqual(a!, b!));
export const and = flag((a, b) => tf.logicalAnd(truthy(a!), truthy(b!)));
export const or = flag((a, b) => tf.logicalOr(truthy(a!), truthy(b!)));
/** 1 where x is 0. */
export const not = flag((x) => tf.equal(x!, 0));

/** The boolean mask `c ≠ 0` for tf.where, with no gradient path through the comparison. */
export const truthMask = (c: tf.Tensor): tf.Tensor => tf.cast(flag(truthy)(c), "bool");
