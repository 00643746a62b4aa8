/**
 * Which executor runs a recorded graph, from its cost: the host executor (float64 generated
 * code, one call per chain, chains spread over worker threads) or the tfjs executor (one
 * batched call for all chains, float32). The host executor wins by orders of magnitude on
 * small and medium models (bench/RESULTS.md, "Host engine"); tfjs can win where dense products
 * dominate, since its matrix kernels are vectorised and it pays its per-op dispatch once for
 * every chain. So: a static estimate of the host's time per gradient first (ns per element
 * of each op, measured with bench/host-grad-cost.ts), and only where that exceeds
 * MEASURE_ABOVE_US are the candidates timed on this machine and the fastest taken: both
 * executors, and the interpreter's own tfjs log density, whose fused kernels (Normal sums, …)
 * can beat the recorded graph on tfjs (a wide Bayesian network, bench/bnn-executors.ts).
 */
import { tf } from "../engine.js";
import { valueAndGrad } from "../autodiff.js";
import { sizeOf, type Graph } from "../ir/graph.js";
import type { CompiledHost } from "./host/compile.js";
import type { TfjsLogDensity } from "./tfjs/execute.js";

/** The host and tfjs executors of the recorded graph, or the interpreter's own tfjs log density. */
export type Executor = "host" | "tfjs" | "interpreter";

/** Below this estimated host time per gradient (µs) the host executor is taken unmeasured. */
export const MEASURE_ABOVE_US = 300;

/** Rough host cost of one value-and-gradient call in µs, from the graph's op sizes. */
export function estimateHostMicros(g: Graph): number {
  let ns = 0;
  for (const n of g.nodes) {
    switch (n.op) {
      case "param": case "const": break;
      case "matmul": ns += 3 * n.m * n.k * n.n; break;
      case "cholesky": ns += n.n ** 3; break;
      case "trisolve": ns += 2 * n.n * n.n * n.m; break;
      case "lpdf": ns += 25 * Math.max(...n.args.map((a) => sizeOf(g.shape(a)))); break;
      case "sum": ns += 2 * sizeOf(g.shape(n.a)); break;
      case "reduce": case "cumsum": ns += 4 * sizeOf(g.shape(n.a)); break;
      default: ns += 4 * sizeOf(n.shape);
    }
  }
  return ns / 1000;
}

export interface ExecutorChoice {
  readonly executor: Executor;
  /** Why, in a few words, for the engine note. */
  readonly why: string;
}

/** Median of `reps` timed calls (ms) after one untimed warm-up call. */
function timed(reps: number, call: () => void): number {
  call();
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    call();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

/**
 * The fastest way to the gradient for `chains` chains of which `threads` run at once on the
 * host: by the static estimate where the host is clearly cheap, else by timing the host
 * executor, the tfjs executor and, where given, another batched tfjs log density of the same
 * model (the interpreter's, whose fused kernels can beat the recorded graph on tfjs).
 */
export function chooseExecutor(g: Graph, host: CompiledHost, tfjs: () => TfjsLogDensity, chains: number, threads: number, interpreter?: TfjsLogDensity): ExecutorChoice {
  const estimate = estimateHostMicros(g);
  if (estimate < MEASURE_ABOVE_US) return { executor: "host", why: `estimated ${estimate < 1 ? "<1" : Math.round(estimate)} µs per gradient` };
  // a point near the origin of θ: every transform is defined there
  const theta = Float64Array.from({ length: g.dim }, (_, i) => 0.1 * Math.sin(i + 1));
  const grad = new Float64Array(g.dim);
  const hostMs = timed(3, () => host.valueAndGrad(theta, grad)) * Math.ceil(chains / Math.max(1, threads));
  const q = tf.tidy(() => tf.tile(tf.tensor2d(Float32Array.from(theta), [1, g.dim]), [chains, 1])) as tf.Tensor2D;
  const batched = (f: () => TfjsLogDensity): number => {
    try {
      const run = f();
      return timed(3, () => {
        const r = valueAndGrad(run, q);
        r.grad.dataSync();
        tf.dispose([r.value, r.grad]);
      });
    } catch {
      // one that fails is not a choice (the host executor already ran)
      return Infinity;
    }
  };
  const candidates: [Executor, number][] = [["host", hostMs], ["tfjs", batched(tfjs)]];
  if (interpreter !== undefined) candidates.push(["interpreter", batched(() => interpreter)]);
  q.dispose();
  const fmt = (ms: number): string => (!Number.isFinite(ms) ? "a failure" : ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(2)} ms`);
  const best = candidates.reduce((a, b) => (b[1] < a[1] ? b : a));
  const label: Record<Executor, string> = { host: "the host", tfjs: "the tfjs executor", interpreter: "the interpreter" };
  const why = `measured ${candidates.map(([e, ms]) => `${fmt(ms)} on ${label[e]}`).join(", ")} per gradient of ${chains} chains`;
  return { executor: best[0], why };
}
