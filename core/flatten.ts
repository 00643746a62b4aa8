/**
 * Named parameter records ⇄ flat vectors (NumPyro's ravel_pytree, batched).
 *
 * A `Layout` fixes the order and shape of every named block; `unflatten` cuts a `[rows, dim]`
 * matrix into named tensors with a leading row axis, `flatten` joins them back.
 */
import { tf } from "./engine.js";

export interface LayoutEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

export interface Layout {
  readonly entries: readonly LayoutEntry[];
  readonly dim: number;
}

/** Lay out the named blocks in the given order. */
export function layout(blocks: readonly { name: string; shape: readonly number[] }[]): Layout {
  const seen = new Set<string>();
  let offset = 0;
  const entries = blocks.map(({ name, shape }) => {
    if (seen.has(name)) throw new Error(`duplicate parameter name '${name}' in layout`);
    seen.add(name);
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new Error(`parameter '${name}' has an invalid shape [${shape.join(", ")}]`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    const entry = { name, shape: [...shape], offset, size };
    offset += size;
    return entry;
  });
  return { entries, dim: offset };
}

/** `[rows, dim]` → named tensors of shape `[rows, ...shape]`. */
export function unflatten(lay: Layout, q: tf.Tensor2D): Record<string, tf.Tensor> {
  if (q.shape[1] !== lay.dim) {
    throw new Error(`flat vector has ${q.shape[1]} columns, the layout needs ${lay.dim}`);
  }
  const rows = q.shape[0];
  const out: Record<string, tf.Tensor> = {};
  for (const e of lay.entries) {
    out[e.name] = tf.tidy(() => tf.reshape(tf.slice(q, [0, e.offset], [rows, e.size]), [rows, ...e.shape]));
  }
  return out;
}

/** Named tensors of shape `[rows, ...shape]` → `[rows, dim]`. */
export function flatten(lay: Layout, values: Readonly<Record<string, tf.Tensor>>): tf.Tensor2D {
  return tf.tidy(() => {
    const parts = lay.entries.map((e) => {
      const v = values[e.name];
      if (!v) throw new Error(`missing value for parameter '${e.name}'`);
      const rows = v.shape[0] ?? 1;
      if (v.size !== rows * e.size) {
        throw new Error(`parameter '${e.name}' has shape [${v.shape.join(", ")}], expected [rows, ${e.shape.join(", ")}]`);
      }
      return tf.reshape(v, [rows, e.size]);
    });
    if (parts.length === 0) return tf.zeros([1, 0]) as tf.Tensor2D;
    return tf.concat(parts, 1) as tf.Tensor2D;
  });
}
