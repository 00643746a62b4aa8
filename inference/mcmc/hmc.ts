/**
 * Static HMC (Neal 2011, §5.3): per chain a fresh momentum, L leapfrog steps, and a
 * Metropolis accept with probability min(1, exp(H0 − H1)). L is fixed (`steps`) or set from a
 * trajectory length T as max(1, floor(T/ε)) (Stan's `static_hmc`), so chains with different ε
 * take different numbers of steps: all run in lockstep to the largest L, the others frozen.
 *
 * Randomness per chain per transition, in order: D normals (momentum), then one uniform for
 * the step-size jitter (always drawn), then one uniform for the accept decision. With a
 * trajectory length, L is computed from the nominal ε, so jitter varies the integration time.
 */
import type { RandomStream } from "../../core/keys.js";
import type { HostGradient } from "./float64-gradient.js";
import { integrator, type PhasePoint } from "./integrator.js";
import { drawMomentum, kineticRow, type Metric } from "./metric.js";
import type { ChainState, TransitionResult } from "./state.js";

export type HmcLength =
  | { readonly kind: "steps"; readonly steps: number }
  | { readonly kind: "trajectory"; readonly length: number };

export interface HmcOptions {
  readonly length: HmcLength;
  /** Step-size jitter in [0, 1]: ε_c = ε (1 + jitter (2u − 1)) each transition (Stan's `stepsize_jitter`). */
  readonly jitter?: number;
  /** Energy error reported as divergent (1000). */
  readonly maxDeltaH?: number;
}

/** The number of leapfrog steps for step size ε. */
export function hmcSteps(length: HmcLength, eps: number): number {
  switch (length.kind) {
    case "steps":
      return Math.max(1, Math.round(length.steps));
    case "trajectory":
      return Math.max(1, Math.floor(length.length / eps));
  }
}

/** One static-HMC transition of every chain (the input state is not modified). */
export function hmcTransition(
  gradient: HostGradient,
  metric: Metric,
  state: ChainState,
  stepSize: readonly number[],
  streams: readonly RandomStream[],
  options: HmcOptions,
): TransitionResult {
  const C = stepSize.length;
  const D = gradient.dim;
  const jitter = options.jitter ?? 0;
  const maxDeltaH = options.maxDeltaH ?? 1000;
  const p0 = drawMomentum(metric, streams);
  const eps = Float64Array.from(streams, (s, c) => stepSize[c]! * (1 + jitter * (2 * s.uniform() - 1)));
  // as in Stan, L follows the nominal step size; the jitter changes ε only
  const steps = stepSize.map((e) => hmcSteps(options.length, e));
  const maxSteps = Math.max(...steps);
  const k0 = Float64Array.from({ length: C }, (_, c) => kineticRow(metric, c, p0, c * D));
  const z: PhasePoint = { q: state.q.slice(), p: p0.slice(), lp: state.lp.slice(), grad: state.grad.slice() };
  const leap = integrator(gradient, metric);
  const live = new Uint8Array(C);
  for (let n = 0; n < maxSteps; n++) {
    // chains whose L is reached stay frozen
    for (let c = 0; c < C; c++) live[c] = steps[c]! > n ? 1 : 0;
    leap.step(z, eps, live);
  }
  const q = state.q.slice();
  const lp = state.lp.slice();
  const grad = state.grad.slice();
  const acceptStat = new Float64Array(C);
  const energy = new Float64Array(C);
  const divergent = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const u = streams[c]!.uniform();
    const k1 = kineticRow(metric, c, z.p, c * D);
    // ΔH = (V − V0) + (K − K0), each difference first (§1.3); NaN is +∞
    let dh = state.lp[c]! - z.lp[c]! + (k1 - k0[c]!);
    if (Number.isNaN(dh)) dh = Infinity;
    acceptStat[c] = Math.min(1, Math.exp(-dh));
    divergent[c] = dh > maxDeltaH ? 1 : 0;
    if (u < acceptStat[c]!) {
      const o = c * D;
      q.set(z.q.subarray(o, o + D), o);
      grad.set(z.grad.subarray(o, o + D), o);
      lp[c] = z.lp[c]!;
      energy[c] = k1 - z.lp[c]!;
    } else {
      energy[c] = k0[c]! - state.lp[c]!;
    }
  }
  return {
    state: { q, lp, grad },
    stats: { lp: lp.slice(), acceptStat, stepSize: eps, treeDepth: new Float64Array(C), nLeapfrog: Float64Array.from(steps), divergent, energy },
    gradientCalls: maxSteps,
  };
}
