/**
 * Explicit, reproducible randomness (core/keys.ts: keys, streams and host arrays) and its
 * tensor forms: float32 tensors of draws made on the host from a key.
 */
import { normalArray, uniformArray, type Key } from "./keys.js";
import { tf } from "./engine.js";

export * from "./keys.js";

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A float32 tensor of standard normals. */
export function normal(k: Key, shape: readonly number[]): tf.Tensor {
  return tf.tensor(normalArray(k, sizeOf(shape)), [...shape], "float32");
}

/** A float32 tensor of uniforms on [lo, hi). */
export function uniform(k: Key, shape: readonly number[], lo = 0, hi = 1): tf.Tensor {
  return tf.tensor(uniformArray(k, sizeOf(shape), lo, hi), [...shape], "float32");
}
