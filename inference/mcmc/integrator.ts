/**
 * The leapfrog (velocity Verlet) integrator on a batch of chains (design/inference.md §1.2),
 * on host float64 arrays with one batched model gradient per step.
 *
 * With G = ∇ log π̃(q) = −∇V(q) and a signed per-chain step h = ±ε:
 *   p½ = p + (h/2)·G(q);   q' = fround(q + h·Minv·p½);   p' = p½ + (h/2)·G(q')
 * (log π̃, G) travel with every point so nothing is evaluated twice. For a model that sees
 * positions in float32 (tfjs) they are rounded to float32 after the update: the stored point
 * is then exactly the one whose log density and gradient the step returns.
 * Reference: Neal (2011) "MCMC using Hamiltonian dynamics", §5.2.3.
 */
import type { HostGradient } from "./float64-gradient.js";
import { velocityRow, type Metric } from "./metric.js";

/** A batch of phase-space points: positions and momenta `[C·D]`, log density `[C]`, its gradient `[C·D]`. */
export interface PhasePoint {
  readonly q: Float64Array;
  readonly p: Float64Array;
  readonly lp: Float64Array;
  readonly grad: Float64Array;
}

/** Leapfrog steps for one batch size, metric and model (holds the gradient adapter and a row of scratch). */
export interface Integrator {
  readonly gradient: HostGradient;
  /**
   * One leapfrog step IN PLACE of every chain with `live[c] ≠ 0` (all chains without a mask),
   * with per-chain signed steps `h` (`[C]`). Other chains' points are left exactly as they were.
   * One batched gradient call.
   */
  step(z: PhasePoint, h: Float64Array, live?: Uint8Array): void;
}

/** The leapfrog integrator of a model's batch `gradient` under `metric`. */
export function integrator(gradient: HostGradient, metric: Metric): Integrator {
  return new Leapfrog(gradient, metric);
}

/** A class rather than a closure, so that V8's type feedback is shared by every integrator. */
class Leapfrog implements Integrator {
  private readonly v: Float64Array;

  constructor(
    readonly gradient: HostGradient,
    private readonly metric: Metric,
  ) {
    this.v = new Float64Array(gradient.dim);
  }

  step(z: PhasePoint, h: Float64Array, live?: Uint8Array): void {
    const { gradient, metric, v } = this;
    const chains = gradient.chains;
    const d = gradient.dim;
    const round = gradient.float32;
    const { q, p, grad } = z;
    for (let c = 0; c < chains; c++) {
      if (live !== undefined && live[c] === 0) continue;
      const half = 0.5 * h[c]!;
      const o = c * d;
      for (let i = 0; i < d; i++) p[o + i] = p[o + i]! + half * grad[o + i]!;
      velocityRow(metric, c, p, o, v, 0);
      const hc = h[c]!;
      if (round) for (let i = 0; i < d; i++) q[o + i] = Math.fround(q[o + i]! + hc * v[i]!);
      else for (let i = 0; i < d; i++) q[o + i] = q[o + i]! + hc * v[i]!;
    }
    gradient.evaluate(q, z.lp, grad, live);
    for (let c = 0; c < chains; c++) {
      if (live !== undefined && live[c] === 0) continue;
      const half = 0.5 * h[c]!;
      const o = c * d;
      for (let i = 0; i < d; i++) p[o + i] = p[o + i]! + half * grad[o + i]!;
    }
  }
}

/** A fresh copy of a phase point. */
export function copyPoint(z: PhasePoint): PhasePoint {
  return { q: z.q.slice(), p: z.p.slice(), lp: z.lp.slice(), grad: z.grad.slice() };
}

/** One leapfrog step of every chain from `z` with per-chain signed steps `h`; returns a new point. */
export function leapfrog(gradient: HostGradient, metric: Metric, z: PhasePoint, h: ArrayLike<number>): PhasePoint {
  const out = copyPoint(z);
  integrator(gradient, metric).step(out, Float64Array.from(h));
  return out;
}
