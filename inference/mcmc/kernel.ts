/**
 * HMC and NUTS as (init, step) state machines over immutable records (architecture §3.3; the
 * idea of NumPyro's `init_fn` / `sample_fn`). A `KernelState` holds everything a transition
 * needs: the chains' positions, metric, step sizes, per-chain keys and the iteration counter.
 * `step` returns a new record and never writes to the arrays of the input record (NUTS keeps
 * its buffers in a workspace and the kernel copies the chains' state out of it: three arrays
 * per transition instead of the workspace's thirty).
 * Transition i of chain c draws all its numbers from `stream(fold(keys[c], i))`.
 */
import { fold, stream, type Key, type RandomStream } from "../../core/keys.js";
import type { HostGradient } from "./float64-gradient.js";
import { hmcTransition, type HmcOptions } from "./hmc.js";
import type { Metric } from "./metric.js";
import { nutsWorkspace, type NutsOptions } from "./nuts.js";
import type { ChainState, TransitionResult, TransitionStats } from "./state.js";

export interface KernelState {
  readonly chain: ChainState;
  readonly metric: Metric;
  /** Nominal step size per chain. */
  readonly stepSize: readonly number[];
  /** One key per chain. */
  readonly keys: readonly Key[];
  /** Transitions taken so far (selects the random stream of the next one). */
  readonly iteration: number;
}

export interface StepInfo extends TransitionStats {
  /** Batched gradient evaluations spent by this transition. */
  readonly gradientCalls: number;
}

export interface Kernel {
  readonly name: "nuts" | "hmc";
  init(chain: ChainState, metric: Metric, stepSize: readonly number[], keys: readonly Key[], iteration?: number): KernelState;
  step(state: KernelState): { state: KernelState; info: StepInfo };
}

type Transition = (metric: Metric, chain: ChainState, stepSize: readonly number[], streams: readonly RandomStream[]) => TransitionResult;

function kernel(name: "nuts" | "hmc", run: Transition): Kernel {
  return {
    name,
    init(chain, metric, stepSize, keys, iteration = 0) {
      if (stepSize.length !== keys.length) throw new RangeError(`${keys.length} keys for ${stepSize.length} chains`);
      return { chain, metric, stepSize, keys, iteration };
    },
    step(s) {
      const streams = s.keys.map((k) => stream(fold(k, s.iteration)));
      const r = run(s.metric, s.chain, s.stepSize, streams);
      return { state: { ...s, chain: r.state, iteration: s.iteration + 1 }, info: { ...r.stats, gradientCalls: r.gradientCalls } };
    },
  };
}

/** Stan's NUTS (see `nutsWorkspace`) as a kernel of the chains of `gradient`. */
export function nuts(gradient: HostGradient, options: NutsOptions): Kernel {
  const transition = nutsWorkspace(gradient, options);
  return kernel("nuts", (metric, chain, eps, streams) => {
    const r = transition(metric, chain, eps, streams);
    const { q, lp, grad } = r.state;
    return { ...r, state: { q: q.slice(), lp: lp.slice(), grad: grad.slice() } };
  });
}

/** Static HMC (see `hmcTransition`) as a kernel. */
export function hmc(gradient: HostGradient, options: HmcOptions): Kernel {
  return kernel("hmc", (metric, chain, eps, streams) => hmcTransition(gradient, metric, chain, eps, streams, options));
}
