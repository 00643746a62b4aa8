/**
 * `runChains(source, options)`: the asynchronous driver of HMC/NUTS for many chains in
 * lockstep (one batched model gradient per leapfrog, the sampler's arithmetic on the host),
 * with Stan's warm-up (design/inference.md §3): initial points, the step-size
 * heuristic, per-chain dual averaging, the windowed metric adaptation, then the sampling
 * phase. Every random number is a function of (seed, chain, purpose, iteration), so C chains
 * in one batch give the same draws as C single-chain runs with the same per-chain keys.
 *
 * The driver calls `onProgress` after every iteration and yields to the event loop at least
 * every 20 ms (SIGINT handlers and messages run; yielding after every iteration would cost
 * more than a transition of a small model on the host engine) and, when `signal` is aborted,
 * stops after the current iteration and returns every completed draw with `interrupted: true`.
 *
 * The driver sees the model only as a `GradientSource` and is free of tfjs, so that worker
 * threads run it on the host engine's float64 gradients (sample.ts chooses where chains run).
 */
import { fold, key, split, stream, type Key, type RandomStream } from "../../core/keys.js";
import {
  DUAL_AVERAGING_DEFAULTS,
  dualAveragingFinal,
  dualAveragingInit,
  dualAveragingLearn,
  inSlowWindow,
  regularisedMetric,
  welfordAdd,
  welfordInit,
  windowInit,
  windowStep,
  type DualAveraging,
  type Welford,
} from "./adaptation.js";
import type { HmcLength } from "./hmc.js";
import { hmc as hmcKernel, nuts } from "./kernel.js";
import { initialState } from "./init.js";
import { denseMetric, diagMetric, unitMetric, type Metric, type MetricKind } from "./metric.js";
import { STAT_COLUMNS, type ChainState, type StatColumn, type TransitionStats } from "./state.js";
import { initStepSize } from "./stepsize.js";
import type { HostGradient } from "./float64-gradient.js";

/** What the driver needs of a model: its dimension and batch gradients. */
export interface GradientSource {
  readonly dim: number;
  /** The batch gradient for `chains` rows (made once per run). */
  gradient(chains: number): HostGradient;
  /** For a point where the log density is not finite, the model statement responsible. */
  explain?(row: Float32Array): string | undefined;
}

export interface HmcSettings {
  /** A fixed step size: turns every adaptation off (the metric stays the unit metric). */
  readonly stepSize?: number;
  /** Number of leapfrog steps per transition. */
  readonly steps?: number;
  /** Integration time T, L = floor(T/ε) (used when `steps` is not given; default 2π as in Stan). */
  readonly trajectoryLength?: number;
  /** Step-size jitter in [0, 1] (default 0). */
  readonly jitter?: number;
}

export interface ProgressInfo {
  readonly phase: "warmup" | "sampling";
  /** Iterations completed in this phase. */
  readonly iteration: number;
  /** Iterations in this phase. */
  readonly total: number;
  /** Divergent transitions so far in this phase, per chain. */
  readonly divergences: readonly number[];
  /** Chains that have finished every iteration. */
  readonly chainsDone: number;
}

export interface SampleOptions {
  readonly chains?: number;
  /**
   * Identities of the chains for key derivation (default 0 … chains − 1): chain `id` of a run
   * draws the same numbers whatever batch it is in, so `{ chains: 1, chainIds: [c] }`
   * reproduces chain c of a larger run.
   */
  readonly chainIds?: readonly number[];
  readonly warmup?: number;
  readonly draws?: number;
  /** Seed of every random number of the run (default: from the clock, reported in the result). */
  readonly seed?: number;
  readonly algorithm?: "nuts" | "hmc";
  readonly hmc?: HmcSettings;
  readonly adaptDelta?: number;
  readonly maxDepth?: number;
  readonly metric?: MetricKind;
  /** Keep every `thin`-th sampling iteration. */
  readonly thin?: number;
  /** Initial unconstrained values, one row per chain. */
  readonly init?: readonly (readonly number[])[];
  readonly initRadius?: number;
  /** Starting step size before the heuristic (Stan: 1). */
  readonly stepSize?: number;
  /** NUTS: how often (in leaves) a subtree that no chain still needs is stopped early, per subtree depth (see `NutsOptions.kCheck`; default every leaf). */
  readonly kCheck?: (depth: number) => number;
  readonly onProgress?: (info: ProgressInfo) => void;
  readonly signal?: AbortSignal;
}

export interface SampleResult {
  readonly dim: number;
  readonly chains: number;
  readonly seed: number;
  readonly algorithm: "nuts" | "hmc";
  /** Saved draws per chain. */
  readonly nDraws: number;
  /** Per chain, `nDraws × dim` unconstrained draws, row-major. */
  readonly draws: readonly Float32Array[];
  /** Per chain, Stan's sampler columns over the saved draws. */
  readonly stats: readonly Readonly<Record<StatColumn, Float64Array>>[];
  /** Adapted step size per chain. */
  readonly stepSize: readonly number[];
  readonly metric: MetricKind;
  /** Per chain: the D diagonal entries (diag) or the row-major D × D matrix (dense) of Minv. */
  readonly inverseMetric: readonly Float64Array[];
  readonly seconds: { readonly warmup: number; readonly sampling: number };
  readonly interrupted: boolean;
  /** Mean over iterations of mean_c(n_leapfrog_c) / max_c(n_leapfrog_c). */
  readonly lockstepEfficiency: number;
  /** Batched gradient evaluations (each one evaluates all chains). */
  readonly gradientCalls: number;
  /** Gradient evaluations actually computed: gradientCalls × chains (masked chains included). */
  readonly gradientEvaluations: number;
  /** Threads the chains ran on (1: this thread; more: worker threads, workers.ts). */
  readonly threads: number;
}

/** Longest stretch of sampling between two yields to the event loop. */
const YIELD_MS = 20;

const nextTick = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof setImmediate === "function") setImmediate(resolve);
    else setTimeout(resolve, 0);
  });

const streamsAt = (keys: readonly Key[], i: number): RandomStream[] => keys.map((k) => stream(fold(k, i)));

function metricFrom(kind: MetricKind, inverse: Float64Array[], dim: number): Metric {
  return kind === "diag" ? diagMetric(inverse, dim) : denseMetric(inverse, dim);
}

function validate(o: SampleOptions): void {
  const int = (name: string, v: number | undefined, min: number): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
  };
  int("chains", o.chains, 1);
  int("warmup", o.warmup, 0);
  int("draws", o.draws, 0);
  int("thin", o.thin, 1);
  int("maxDepth", o.maxDepth, 1);
  if (o.adaptDelta !== undefined && !(o.adaptDelta > 0 && o.adaptDelta < 1)) throw new RangeError(`adaptDelta must lie in (0, 1), got ${o.adaptDelta}`);
}

/** Run HMC or NUTS on the model of `source` (see `SampleOptions` for the defaults, which are Stan's). */
export async function runChains(source: GradientSource, options: SampleOptions = {}): Promise<SampleResult> {
  validate(options);
  const C = options.chains ?? 4;
  const warmup = options.warmup ?? 1000;
  const nIter = options.draws ?? 1000;
  const thin = options.thin ?? 1;
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const algorithm = options.algorithm ?? "nuts";
  const kind = options.metric ?? "diag";
  const D = source.dim;
  if (!(Number.isInteger(D) && D >= 1)) throw new RangeError(`the model has no parameters to sample (dim ${D})`);
  const hmc = options.hmc ?? {};
  const adapt = algorithm === "nuts" || hmc.stepSize === undefined;
  const daOptions = { ...DUAL_AVERAGING_DEFAULTS, delta: options.adaptDelta ?? DUAL_AVERAGING_DEFAULTS.delta };
  const hmcLength: HmcLength =
    hmc.steps !== undefined ? { kind: "steps", steps: hmc.steps } : { kind: "trajectory", length: hmc.trajectoryLength ?? 2 * Math.PI };

  // keys: chain c → (init, step-size heuristic calls, iterations)
  const root = key(seed);
  const ids = options.chainIds ?? Array.from({ length: C }, (_, c) => c);
  if (ids.length !== C) throw new RangeError(`chainIds needs ${C} entries, got ${ids.length}`);
  const chainKeys = ids.map((id) => split(fold(root, id), 3));
  const initKeys = chainKeys.map((k) => k[0]!);
  const heuristicKeys = chainKeys.map((k) => k[1]!);
  const iterKeys = chainKeys.map((k) => k[2]!);

  const gradient = source.gradient(C);
  const kernel =
    algorithm === "nuts"
      ? nuts(gradient, { maxDepth: options.maxDepth ?? 10, ...(options.kCheck ? { kCheck: options.kCheck } : {}) })
      : hmcKernel(gradient, { length: hmcLength, jitter: hmc.jitter ?? 0 });
  const transition = (m: Metric, s: ChainState, eps: readonly number[], i: number): { state: ChainState; stats: TransitionStats; gradientCalls: number } => {
    const r = kernel.step(kernel.init(s, m, eps, iterKeys, i));
    return { state: r.state.chain, stats: r.info, gradientCalls: r.info.gradientCalls };
  };

  const nSaved = Math.ceil(nIter / thin);
  const draws = Array.from({ length: C }, () => new Float32Array(nSaved * D));
  const stats = Array.from({ length: C }, () => Object.fromEntries(STAT_COLUMNS.map((n) => [n, new Float64Array(nSaved)])) as Record<StatColumn, Float64Array>);
  let saved = 0;
  let interrupted = false;
  let gradientCalls = 0;
  let efficiencySum = 0;
  let efficiencyN = 0;
  const seconds = { warmup: 0, sampling: 0 };

  const tStart = performance.now();
  let state: ChainState = initialState(gradient, streamsAt(initKeys, 0), {
    ...(source.explain ? { explain: (row: Float32Array) => source.explain!(row) } : {}),
    ...(options.init ? { init: options.init } : {}),
    ...(options.initRadius !== undefined ? { radius: options.initRadius } : {}),
  });
  let metric = unitMetric(kind, C, D);
  let eps = new Array<number>(C).fill(adapt ? (options.stepSize ?? 1) : hmc.stepSize!);
  let heuristicCalls = 0;
  const heuristic = (): number[] => initStepSize(gradient, metric, state, eps, streamsAt(heuristicKeys, heuristicCalls++));
  let da: DualAveraging[] = eps.map((e) => dualAveragingInit(Math.log(10 * e)));
  if (adapt) eps = heuristic();
  let win = windowInit(warmup);
  let welford: Welford[] = eps.map(() => welfordInit(kind, D));

  const step = (i: number): { q: Float64Array; st: TransitionStats } => {
    const r = transition(metric, state, eps, i);
    state = r.state;
    gradientCalls += r.gradientCalls;
    const n = r.stats.nLeapfrog;
    const max = Math.max(...n);
    efficiencySum += max > 0 ? n.reduce((a, b) => a + b, 0) / (C * max) : 1;
    efficiencyN += 1;
    return { q: state.q, st: r.stats };
  };

  const phases = [
    { phase: "warmup" as const, total: warmup },
    { phase: "sampling" as const, total: nIter },
  ];
  let offset = 0;
  let lastYield = performance.now();
  interrupted = options.signal?.aborted ?? false;
  for (const { phase, total } of phases) {
    const t0 = performance.now();
    const divergences = new Array<number>(C).fill(0);
    for (let i = 0; i < total && !interrupted; i++) {
      const { q, st } = step(offset + i);
      st.divergent.forEach((d, c) => (divergences[c] = divergences[c]! + d));
      if (phase === "warmup" && adapt) {
        for (let c = 0; c < C; c++) {
          const r = dualAveragingLearn(da[c]!, st.acceptStat[c]!, daOptions);
          da[c] = r.state;
          eps[c] = r.stepSize;
        }
        if (inSlowWindow(win)) welford.forEach((w, c) => welfordAdd(w, q.subarray(c * D, (c + 1) * D)));
        const ws = windowStep(win);
        win = ws.state;
        if (ws.windowEnd) {
          const inverse = welford.map((w) => regularisedMetric(w));
          metric = metricFrom(kind, inverse, D);
          welford = eps.map(() => welfordInit(kind, D));
          eps = heuristic();
          da = eps.map((e) => dualAveragingInit(Math.log(10 * e)));
        }
      }
      if (phase === "sampling" && i % thin === 0) {
        for (let c = 0; c < C; c++) {
          draws[c]!.set(q.subarray(c * D, (c + 1) * D), saved * D);
          const cols = [st.lp, st.acceptStat, st.stepSize, st.treeDepth, st.nLeapfrog, st.divergent, st.energy];
          STAT_COLUMNS.forEach((name, k) => (stats[c]![name][saved] = cols[k]![c]!));
        }
        saved += 1;
      }
      const last = i === total - 1 && phase === "sampling";
      options.onProgress?.({ phase, iteration: i + 1, total, divergences: [...divergences], chainsDone: last ? C : 0 });
      if (performance.now() - lastYield >= YIELD_MS) {
        await nextTick();
        lastYield = performance.now();
      }
      if (options.signal?.aborted) interrupted = true;
    }
    if (phase === "warmup" && adapt && warmup > 0 && !interrupted) eps = da.map(dualAveragingFinal);
    seconds[phase] = (performance.now() - (phase === "warmup" ? tStart : t0)) / 1000;
    offset += total;
    if (interrupted) break;
  }
  return {
    dim: D,
    chains: C,
    seed,
    algorithm,
    nDraws: saved,
    draws: draws.map((d) => (saved === nSaved ? d : d.slice(0, saved * D))),
    stats: stats.map((s) => Object.fromEntries(STAT_COLUMNS.map((n) => [n, saved === nSaved ? s[n] : s[n].slice(0, saved)])) as Record<StatColumn, Float64Array>),
    stepSize: eps,
    metric: kind,
    inverseMetric: metric.inverse.map((m) => Float64Array.from(m)),
    seconds,
    interrupted,
    lockstepEfficiency: efficiencyN > 0 ? efficiencySum / efficiencyN : 1,
    gradientCalls,
    gradientEvaluations: gradientCalls * C,
    threads: 1,
  };
}
