/**
 * The leapfrog (velocity Verlet) integrator on a batch of chains (design/inference.md §1.2).
 *
 * With G = ∇ log π̃(q) = −∇V(q) and a signed per-chain step h = ±ε:
 *   p½ = p + (h/2)·G(q);   q' = q + h·Minv·p½;   p' = p½ + (h/2)·G(q')
 * One batched gradient evaluation per step; (log π̃, G) travel with every point so nothing is
 * evaluated twice. Reference: Neal (2011) "MCMC using Hamiltonian dynamics", §5.2.3.
 */
import { tf } from "../../core/engine.js";
import { valueAndGrad } from "../../core/autodiff.js";
import type { LogDensityModel } from "../../core/model.js";
import { kinetic, velocity, type Metric } from "./metric.js";
import { select } from "./tensors.js";

/** A batch of phase-space points: positions and momenta `[C, D]`, log density `[C]`, its gradient `[C, D]`. */
export interface PhasePoint {
  readonly q: tf.Tensor2D;
  readonly p: tf.Tensor2D;
  readonly lp: tf.Tensor1D;
  readonly grad: tf.Tensor2D;
}

/** Log density and gradient at a batch of positions (caller owns both). */
export function evaluate(model: LogDensityModel, q: tf.Tensor2D): { lp: tf.Tensor1D; grad: tf.Tensor2D } {
  const { value, grad } = valueAndGrad((x) => model.logDensity(x), q);
  // valueAndGrad returns its value through tf.keep, which every enclosing tidy would then
  // leave alive: hand back an ordinary (tidy-tracked) copy instead.
  const lp = tf.clone(value);
  value.dispose();
  return { lp, grad };
}

/**
 * One leapfrog step of every chain with per-chain signed step sizes `h` (`[C, 1]`), and optionally
 * the precomputed half step `halfStep` = 0.5·h (the same values, one kernel fewer per call). Returns
 * new tensors owned by the caller; the input point is untouched.
 */
export function leapfrog(model: LogDensityModel, metric: Metric, z: PhasePoint, h: tf.Tensor2D, halfStep?: tf.Tensor2D): PhasePoint {
  return tf.tidy(() => {
    // `halfStep` (= h/2, `[C, 1]`) lets a caller that takes many steps of one h compute it once
    const half = halfStep ?? tf.mul(0.5, h);
    const pHalf = tf.add(z.p, tf.mul(half, z.grad)) as tf.Tensor2D;
    const q = tf.add(z.q, tf.mul(h, velocity(metric, pHalf))) as tf.Tensor2D;
    const { lp, grad } = evaluate(model, q);
    const p = tf.add(pHalf, tf.mul(half, grad)) as tf.Tensor2D;
    return { q, p, lp, grad };
  });
}

/**
 * Energy error ΔH = H(z) − H0 per chain, computed as (V − V0) + (K − K0) with V = −lp so that
 * large totals never cancel (§1.3); NaN becomes +∞ (an impossible point).
 */
export function energyError(lp: tf.Tensor1D, k: tf.Tensor1D, lp0: tf.Tensor1D, k0: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const dh = tf.add(tf.sub(lp0, lp), tf.sub(k, k0));
    return select(tf.isNaN(dh) as tf.Tensor1D, tf.fill([dh.shape[0]], Infinity) as tf.Tensor1D, dh as tf.Tensor1D);
  });
}

export { kinetic };
