/**
 * Weight initialisers (Flux names), each a pure function of a `Key` and a shape.
 *
 * Fan sizes follow our layout, which stores a dense weight as `[in, out]` (x @ W, rows are
 * observations; Flux stores `[out, in]`) and a convolution kernel as `[kh, kw, cin, cout]`:
 *   rank 1 `[n]`:            fanIn = 1, fanOut = n (Flux `nfan(n)`)
 *   rank 2 `[in, out]`:      fanIn = in, fanOut = out
 *   rank ≥ 3 `[...k, cin, cout]`: fanIn = prod(k)·cin, fanOut = prod(k)·cout
 */
import { tf } from "../core/engine.js";
import { normalArray, uniformArray, type Key } from "../core/random.js";
import type { Shape } from "./tree.js";

export type Initialiser = (key: Key, shape: Shape) => tf.Tensor;

export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** Fan-in and fan-out of a weight of the given shape (see the module comment). */
export function fans(shape: Shape): Fans {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: 1, fanOut: shape[0]! };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: receptive * shape.at(-2)!, fanOut: receptive * shape.at(-1)! };
}

const size = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** Uniform on (−a, a), variance a²/3. */
function uniformInit(key: Key, shape: Shape, a: number): tf.Tensor {
  return tf.tensor(uniformArray(key, size(shape), -a, a), [...shape], "float32");
}

/** Normal(0, std²). */
function normalScaled(key: Key, shape: Shape, std: number): tf.Tensor {
  const z = normalArray(key, size(shape));
  for (let i = 0; i < z.length; i++) z[i] = z[i]! * std;
  return tf.tensor(z, [...shape], "float32");
}

/**
 * Glorot/Xavier uniform (Flux default; Glorot & Bengio 2010, eq. 16):
 * U(−a, a), a = gain·√(6 / (fanIn + fanOut)), variance gain²·2 / (fanIn + fanOut).
 */
export function glorotUniform(gain = 1): Initialiser {
  return (key, shape) => {
    const { fanIn, fanOut } = fans(shape);
    return uniformInit(key, shape, gain * Math.sqrt(6 / (fanIn + fanOut)));
  };
}

/** Glorot/Xavier normal: N(0, gain²·2 / (fanIn + fanOut)). */
export function glorotNormal(gain = 1): Initialiser {
  return (key, shape) => {
    const { fanIn, fanOut } = fans(shape);
    return normalScaled(key, shape, gain * Math.sqrt(2 / (fanIn + fanOut)));
  };
}

/** He/Kaiming uniform (He et al. 2015): U(−a, a), a = gain·√(3 / fanIn), gain = √2, variance 2 / fanIn. */
export function kaimingUniform(gain = Math.SQRT2): Initialiser {
  return (key, shape) => uniformInit(key, shape, gain * Math.sqrt(3 / fans(shape).fanIn));
}

/** He/Kaiming normal: N(0, gain² / fanIn), gain = √2, variance 2 / fanIn. */
export function kaimingNormal(gain = Math.SQRT2): Initialiser {
  return (key, shape) => normalScaled(key, shape, gain / Math.sqrt(fans(shape).fanIn));
}

/** N(0, std²), whatever the fans (Flux `randn32` is std = 1). */
export function normalInit(std = 0.01): Initialiser {
  return (key, shape) => normalScaled(key, shape, std);
}

export const zerosInit: Initialiser = (_key, shape) => tf.zeros([...shape]);
export const onesInit: Initialiser = (_key, shape) => tf.ones([...shape]);

/** Initialisers by user-facing name (Flux's, plus the `he_` aliases). */
export const INITIALISERS: Readonly<Record<string, Initialiser>> = {
  glorot_uniform: glorotUniform(),
  glorot_normal: glorotNormal(),
  kaiming_uniform: kaimingUniform(),
  kaiming_normal: kaimingNormal(),
  he_uniform: kaimingUniform(),
  he_normal: kaimingNormal(),
  randn: normalInit(1),
  zeros: zerosInit,
  ones: onesInit,
};
