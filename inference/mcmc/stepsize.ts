/**
 * Stan's initial step-size heuristic (`base_hmc::init_stepsize`, design/inference.md §3.2),
 * run for every chain at once with per-chain state kept on the host.
 *
 * From ε, one leapfrog with a fresh momentum gives ΔH = H0 − H1 (NaN → −∞). The direction is
 * +1 when ΔH > log 0.8 (ε too small: double it) and −1 otherwise (halve it). Each further trial
 * draws a fresh momentum at the current ε; a chain stops at the first trial whose ΔH falls on
 * the other side of log 0.8, else ε is doubled or halved and tried again. ε > 1e7 means the
 * density never bends (an improper posterior); ε = 0 means no step is ever accepted.
 */
import type { RandomStream } from "../../core/keys.js";
import type { HostGradient } from "./float64-gradient.js";
import { integrator, type Integrator, type PhasePoint } from "./integrator.js";
import { drawMomentum, kineticRow, type Metric } from "./metric.js";
import type { ChainState } from "./state.js";

/** Raised when the step-size heuristic shows the target cannot be sampled. */
export class StepSizeError extends Error {
  override readonly name = "StepSizeError";
}

const LOG_08 = Math.log(0.8);

/**
 * H0 − H1 = (lp1 − lp0) − (K1 − K0) per chain (NaN → −∞) after one leapfrog from `state` with
 * fresh momenta (D normals per chain) and per-chain steps `eps`.
 */
function trial(leap: Integrator, metric: Metric, state: ChainState, eps: Float64Array, streams: readonly RandomStream[]): Float64Array {
  const D = metric.dim;
  const p = drawMomentum(metric, streams);
  const z: PhasePoint = { q: state.q.slice(), p: p.slice(), lp: state.lp.slice(), grad: state.grad.slice() };
  leap.step(z, eps);
  return Float64Array.from({ length: eps.length }, (_, c) => {
    const d = z.lp[c]! - state.lp[c]! - (kineticRow(metric, c, z.p, c * D) - kineticRow(metric, c, p, c * D));
    return Number.isNaN(d) ? -Infinity : d;
  });
}

/**
 * Per-chain initial step sizes from the current ε (`stepSize`) under the current metric.
 * Consumes D normals per trial from each chain's stream. Returns the new ε per chain; the
 * chains do not move. Throws `StepSizeError` for an improper posterior or a vanishing ε.
 */
export function initStepSize(
  gradient: HostGradient,
  metric: Metric,
  state: ChainState,
  stepSize: readonly number[],
  streams: readonly RandomStream[],
): number[] {
  const eps = [...stepSize];
  if (gradient.dim === 0) return eps.map(() => NaN);
  const done = eps.map((e) => e === 0 || e > 1e7 || Number.isNaN(e));
  if (done.every(Boolean)) return eps;
  if (gradient.chains !== eps.length) throw new RangeError(`${eps.length} step sizes for ${gradient.chains} chains`);
  const leap = integrator(gradient, metric);
  const h = Float64Array.from(eps);
  const first = trial(leap, metric, state, h, streams);
  const direction = eps.map((_, c) => (first[c]! > LOG_08 ? 1 : -1));
  while (!done.every(Boolean)) {
    h.set(eps);
    const d = trial(leap, metric, state, h, streams);
    for (let c = 0; c < eps.length; c++) {
      if (done[c]) continue;
      const dh = d[c]!;
      if ((direction[c] === 1 && !(dh > LOG_08)) || (direction[c] === -1 && !(dh < LOG_08))) {
        done[c] = true;
        continue;
      }
      eps[c] = direction[c] === 1 ? 2 * eps[c]! : eps[c]! / 2;
      if (eps[c]! > 1e7) {
        throw new StepSizeError(
          `posterior is improper: the step-size heuristic grew the step size of chain ${c + 1} beyond 1e7 ` +
            "without the log density bending; check that every parameter has a proper prior",
        );
      }
      if (eps[c] === 0) {
        throw new StepSizeError(`no acceptably small step size for chain ${c + 1}: the log density or its gradient may be wrong`);
      }
    }
  }
  return eps;
}
