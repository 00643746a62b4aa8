/**
 * Moments of univariate densities by quadrature, for wrappers whose moments have no closed
 * form (truncated, ordered). The integral over the support is mapped onto t ∈ (0, 1):
 *   [lo, hi]:  x = lo + (hi − lo)·t
 *   [lo, ∞):   x = lo + s·t/(1 − t),         dx = s/(1 − t)² dt
 *   (−∞, hi]:  x = hi − s·t/(1 − t)
 *   (−∞, ∞):   x = c + s·tan(π(t − ½)),       dx = sπ/cos²(π(t − ½)) dt
 * and summed with the midpoint rule on N nodes. The density is renormalised by the same sum,
 * which cancels most of the discretisation error. Accurate (≈1e-5 relative) for smooth
 * densities whose scale is within a few orders of magnitude of `s`; heavy tails with infinite
 * moments give meaningless numbers.
 */
import { tf } from "../core/engine.js";

export type Range =
  | { readonly kind: "finite"; readonly lo: tf.Tensor; readonly hi: tf.Tensor }
  | { readonly kind: "lower"; readonly lo: tf.Tensor; readonly scale: tf.Tensor }
  | { readonly kind: "upper"; readonly hi: tf.Tensor; readonly scale: tf.Tensor }
  | { readonly kind: "real"; readonly center: tf.Tensor; readonly scale: tf.Tensor };

/**
 * Mean and variance of the density exp(logDensity(x)). `logDensity` receives x of shape
 * [N, ...ones(batchRank)] broadcast against the range tensors and returns [N, ...batch].
 */
export function quadratureMoments(
  logDensity: (x: tf.Tensor) => tf.Tensor,
  range: Range,
  batchRank: number,
  nodes = 4096,
): { mean: tf.Tensor; variance: tf.Tensor } {
  const tData = Float32Array.from({ length: nodes }, (_, i) => (i + 0.5) / nodes);
  const t = tf.tensor(tData, [nodes, ...new Array<number>(batchRank).fill(1)]);
  let x: tf.Tensor;
  let logDx: tf.Tensor;
  switch (range.kind) {
    case "finite": {
      const w = tf.sub(range.hi, range.lo);
      x = tf.add(range.lo, tf.mul(w, t));
      logDx = tf.log(w);
      break;
    }
    case "lower":
    case "upper": {
      const u = tf.div(t, tf.sub(1, t));
      x = range.kind === "lower" ? tf.add(range.lo, tf.mul(range.scale, u)) : tf.sub(range.hi, tf.mul(range.scale, u));
      logDx = tf.sub(tf.log(range.scale), tf.mul(2, tf.log(tf.sub(1, t))));
      break;
    }
    case "real": {
      const a = tf.mul(Math.PI, tf.sub(t, 0.5));
      x = tf.add(range.center, tf.mul(range.scale, tf.tan(a)));
      logDx = tf.sub(tf.log(tf.mul(range.scale, Math.PI)), tf.mul(2, tf.log(tf.cos(a))));
      break;
    }
  }
  const lw = tf.add(logDensity(x), logDx);
  const w = tf.exp(tf.sub(lw, tf.max(lw, 0, true)));
  const xb = tf.broadcastTo(x, w.shape);
  const z = tf.sum(w, 0);
  const mean = tf.div(tf.sum(tf.mul(w, xb), 0), z);
  const variance = tf.div(tf.sum(tf.mul(w, tf.square(tf.sub(xb, mean))), 0), z);
  return { mean, variance };
}
