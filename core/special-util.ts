/**
 * Plumbing shared by the special functions: argument conversion, custom gradients with
 * broadcasting, and polynomial evaluation. Not part of the public surface.
 */
import { tf } from "./engine.js";

/** What every special function accepts: a tensor or a plain number (a float32 scalar). */
export type Arg = tf.Tensor | number;

/** A float32 tensor for `x` (numbers become scalars; int tensors are cast). */
export function toFloat(x: Arg): tf.Tensor {
  if (typeof x === "number") return tf.scalar(x, "float32");
  return x.dtype === "float32" ? x : tf.cast(x, "float32");
}

/**
 * Sum `g` (shaped like a broadcast result) back down to `shape`, the shape of an input that
 * was broadcast: the gradient of a broadcast is the sum over the broadcast axes.
 */
export function reduceTo(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? tf.sum(g, axes) : g;
  return tf.reshape(summed, [...shape]);
}

/** Horner evaluation of `c[0] + c[1]·t + … + c[n]·tⁿ` (coefficients in ascending order). */
export function poly(t: tf.Tensor, c: readonly number[]): tf.Tensor {
  let acc: tf.Tensor = tf.scalar(c[c.length - 1]!);
  for (let i = c.length - 2; i >= 0; i--) acc = tf.add(tf.mul(acc, t), c[i]!);
  return acc;
}

/**
 * An elementwise function `f` with the derivative `df(x, y)` (y = f(x)) as its gradient,
 * instead of whatever autodiff would make of the composed graph (which, through `where`
 * branches, can turn a finite gradient into NaN).
 */
export function unaryWithGrad(
  f: (x: tf.Tensor) => tf.Tensor,
  df: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor,
): (x: Arg) => tf.Tensor {
  const g = tf.customGrad((x, save) => {
    const xt = x as tf.Tensor;
    const value = f(xt);
    (save as tf.GradSaveFunc)([xt, value]);
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, df(saved[0]!, saved[1]!)) };
  });
  return (x) => tf.tidy(() => g(toFloat(x)));
}

/**
 * A broadcasting binary function `f(a, b)` with partial derivatives `df(a, b, y) = [∂f/∂a, ∂f/∂b]`
 * (each shaped like the broadcast result, or broadcastable to it).
 */
export function binaryWithGrad(
  f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  df: (a: tf.Tensor, b: tf.Tensor, y: tf.Tensor) => readonly [tf.Tensor, tf.Tensor],
): (a: Arg, b: Arg) => tf.Tensor {
  const g = tf.customGrad((a, b, save) => {
    const at = a as tf.Tensor;
    const bt = b as tf.Tensor;
    const value = f(at, bt);
    (save as tf.GradSaveFunc)([at, bt, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb, y] = [saved[0]!, saved[1]!, saved[2]!];
        const [da, db] = df(sa, sb, y);
        return [reduceTo(tf.mul(dy, da), sa.shape), reduceTo(tf.mul(dy, db), sb.shape)];
      },
    };
  });
  return (a, b) => tf.tidy(() => g(toFloat(a), toFloat(b)));
}
