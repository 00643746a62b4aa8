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

/**
 * `[rows, dim]` → named tensors of shape `[rows, ...shape]`.
 * One Split for all blocks rather than a Slice per block: its gradient is a single Concat,
 * where per-block slices would cost a PadV2 and an Add per block in the backward pass. A block
 * already of shape `[rows, size]` is not reshaped.
 */
export function unflatten(lay: Layout, q: tf.Tensor2D): Record<string, tf.Tensor> {
  if (q.shape[1] !== lay.dim) {
    throw new Error(`flat vector has ${q.shape[1]} columns, the layout needs ${lay.dim}`);
  }
  const rows = q.shape[0];
  const out: Record<string, tf.Tensor> = {};
  const entries = lay.entries;
  if (entries.length === 0) return out;
  const shaped = (e: LayoutEntry, t: tf.Tensor): tf.Tensor =>
    e.shape.length === 1 ? t : tf.reshape(t, [rows, ...e.shape]);
  if (entries.length === 1) {
    // the caller owns every returned tensor, so never hand back q itself
    out[entries[0]!.name] = tf.reshape(q, [rows, ...entries[0]!.shape]);
    return out;
  }
  if (entries.some((e) => e.size === 0)) {
    for (const e of entries) out[e.name] = tf.tidy(() => shaped(e, tf.slice(q, [0, e.offset], [rows, e.size])));
    return out;
  }
  const parts = tf.split(q, entries.map((e) => e.size), 1);
  entries.forEach((e, i) => {
    const part = parts[i]!;
    const t = shaped(e, part);
    if (t !== part) part.dispose();
    out[e.name] = t;
  });
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
