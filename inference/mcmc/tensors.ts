/**
 * Small tensor helpers shared by the samplers: masked selection, a guarded log-add-exp, and a
 * tiny reachability-based arena that frees the intermediate tensors of an iterative sampler.
 */
import { tf } from "../../core/engine.js";

/** A per-chain mask `[C]` repeated over `d` columns, `[C, d]`, to select many `[C, d]` tensors with one copy. */
export function widen(mask: tf.Tensor1D, d: number): tf.Tensor2D {
  return tf.tidy(() => tf.tile(mask.reshape([mask.shape[0], 1]), [1, d]) as tf.Tensor2D);
}

/**
 * `where(mask, a, b)` with a per-chain mask `[C]` (or one already widened to the shape of `a`) broadcast over the trailing dimensions of
 * `a` and `b` (`[C]`, `[C, D]` or `[C, D, D]`).
 */
export function select<T extends tf.Tensor>(mask: tf.Tensor, a: T, b: T): T {
  // The Select kernel is called directly with a condition of the operands' own shape: tf.where
  // would add three broadcastTo copies (tripling the kernel count of a NUTS leaf), and the wasm
  // Select kernel mis-indexes a rank-1 condition over rank-2 operands (it reads row c from
  // flat element c), so the mask is tiled here whenever the operands have more than one
  // element per chain.
  if (a.size === mask.size) {
    const m = a.rank === mask.rank ? mask : mask.reshape(a.shape);
    const out = tf.engine().runKernel("Select", { condition: m, t: a, e: b }) as T;
    if (m !== mask) m.dispose();
    return out;
  }
  return tf.tidy(() => {
    const m = tf.tile(mask.reshape([mask.shape[0], ...a.shape.slice(1).map(() => 1)]), [1, ...a.shape.slice(1)]);
    return tf.engine().runKernel("Select", { condition: m, t: a, e: b }) as T;
  });
}

/**
 * log(exp(a) + exp(b)) elementwise, = max + log1p(exp(−|a − b|)), and −∞ when both are −∞
 * (where the formula would give NaN).
 */
export function logAddExp(a: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy((): tf.Tensor1D => {
    const m = tf.maximum(a, b) as tf.Tensor1D;
    const r = tf.add(m, tf.log1p(tf.exp(tf.neg(tf.abs(tf.sub(a, b)))))) as tf.Tensor1D;
    return select(tf.equal(m, -Infinity) as tf.Tensor1D, m, r);
  });
}

/** Row-wise dot product of two `[C, D]` tensors: `[C]`. */
export function rowDot(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(a, b), 1) as tf.Tensor1D);
}

/**
 * Tracks the tensors a sampler allocates between tidy scopes and frees those no longer
 * reachable from a set of roots (a mark-and-sweep over a handful of tensors). This lets a
 * trajectory share one tensor between several roles (end point, checkpoint, proposal) without
 * reference counting by hand.
 */
export interface Arena {
  /** Register every tensor inside `x` as owned by the arena; returns `x`. */
  own<T>(x: T): T;
  /** Dispose every owned tensor not reachable from `roots`. */
  sweep(roots: readonly unknown[]): void;
  /** Dispose every owned tensor except those reachable from `keep`, and forget them all. */
  release(keep: readonly unknown[]): void;
}

/** `tf.tidy` for functions returning typed records of tensors (tidy keeps every tensor inside the result). */
export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}

function collect(x: unknown, out: Set<tf.Tensor>): void {
  if (x === null || x === undefined) return;
  if (x instanceof tf.Tensor) {
    out.add(x);
    return;
  }
  if (Array.isArray(x)) {
    for (const e of x) collect(e, out);
    return;
  }
  if (typeof x === "object") {
    for (const v of Object.values(x)) collect(v, out);
  }
}

export function arena(): Arena {
  let owned = new Set<tf.Tensor>();
  const sweep = (roots: readonly unknown[]): void => {
    const live = new Set<tf.Tensor>();
    for (const r of roots) collect(r, live);
    const next = new Set<tf.Tensor>();
    for (const t of owned) {
      if (live.has(t)) next.add(t);
      else t.dispose();
    }
    owned = next;
  };
  return {
    own(x) {
      collect(x, owned);
      return x;
    },
    sweep,
    release(keep) {
      sweep(keep);
      owned = new Set();
    },
  };
}
