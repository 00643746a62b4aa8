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
import { tf } from "../../core/engine.js";
import type { LogDensityModel } from "../../core/model.js";
import type { RandomStream } from "../../core/random.js";
import { energyError, leapfrog, type PhasePoint } from "./integrator.js";
import { drawMomentum, kinetic, type Metric } from "./metric.js";
import type { ChainState, TransitionResult } from "./state.js";
import { arena, select, tidy } from "./tensors.js";

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

/** One static-HMC transition of every chain (input state stays owned by the caller). */
export function hmcTransition(
  model: LogDensityModel,
  metric: Metric,
  state: ChainState,
  stepSize: readonly number[],
  streams: readonly RandomStream[],
  options: HmcOptions,
): TransitionResult {
  const C = stepSize.length;
  const jitter = options.jitter ?? 0;
  const A = arena();
  const p0 = A.own(drawMomentum(metric, streams));
  const eps = streams.map((s, c) => stepSize[c]! * (1 + jitter * (2 * s.uniform() - 1)));
  // as in Stan, L follows the nominal step size; the jitter changes ε only
  const steps = stepSize.map((e) => hmcSteps(options.length, e));
  const maxSteps = Math.max(...steps);
  const h = A.own(tf.tensor2d(Float32Array.from(eps), [C, 1]));
  const k0 = A.own(kinetic(metric, p0));
  let z: PhasePoint = { q: state.q, p: p0, lp: state.lp, grad: state.grad };
  for (let n = 0; n < maxSteps; n++) {
    const zNew = A.own(leapfrog(model, metric, z, h));
    if (steps.every((L) => L > n)) z = zNew;
    else {
      const live = tf.tensor1d(steps.map((L) => L > n), "bool");
      const zPrev = z;
      z = A.own(tidy(() => ({ q: select(live, zNew.q, zPrev.q), p: select(live, zNew.p, zPrev.p), lp: select(live, zNew.lp, zPrev.lp), grad: select(live, zNew.grad, zPrev.grad) })));
      live.dispose();
    }
    A.sweep([z, p0, h, k0]);
  }
  const u = tf.tensor1d(Float32Array.from(streams, (s) => s.uniform()));
  const out = tidy(() => {
    const k1 = kinetic(metric, z.p);
    const dh = energyError(z.lp, k1, state.lp, k0);
    const acceptProb = tf.minimum(1, tf.exp(tf.neg(dh)));
    const accept = tf.less(u, acceptProb) as tf.Tensor1D;
    const q = select(accept, z.q, state.q);
    const lp = select(accept, z.lp, state.lp);
    const grad = select(accept, z.grad, state.grad);
    const energy = select(accept, tf.sub(k1, z.lp) as tf.Tensor1D, tf.sub(k0, state.lp) as tf.Tensor1D);
    return { q, lp, grad, acceptProb, energy, divergent: tf.cast(tf.greater(dh, options.maxDeltaH ?? 1000), "float32") };
  });
  u.dispose();
  A.release([]);
  const read = (t: tf.Tensor): Float64Array => Float64Array.from(t.dataSync());
  const stats = {
    lp: read(out.lp),
    acceptStat: read(out.acceptProb),
    stepSize: Float64Array.from(eps),
    treeDepth: new Float64Array(C),
    nLeapfrog: Float64Array.from(steps),
    divergent: read(out.divergent),
    energy: read(out.energy),
  };
  tf.dispose([out.acceptProb, out.energy, out.divergent]);
  return { state: { q: out.q, lp: out.lp, grad: out.grad }, stats, gradientCalls: maxSteps };
}
