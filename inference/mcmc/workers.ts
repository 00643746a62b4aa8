/**
 * Chains of a host-engine model spread over worker threads, one per core (issue 15's "lean
 * sampler"): the main thread compiled the model, each worker links the same generated code
 * (core/exec/host/compile-link.ts) and runs its share of the chains with the same driver
 * (run.ts) and the same per-chain keys, so the draws are those of an in-process run. Progress
 * from every worker is merged into one `onProgress` stream; aborting the signal stops every
 * worker after its current iteration and the completed draws come back, as in-process.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { HostProgram } from "../../core/exec/host/compile-link.js";
import type { WorkerInput, WorkerMessage } from "./chain-worker.js";
import { InitializationError } from "./init.js";
import { MetricAdaptationError } from "./adaptation.js";
import type { ProgressInfo, SampleOptions, SampleResult } from "./run.js";
import { StepSizeError } from "./stepsize.js";

/**
 * How many worker threads a run of `chains` chains would use: one per core up to one per
 * chain; 0 (run in-process) with one chain or one core, or where DLM_WORKERS=0. DLM_WORKERS=n
 * caps the count.
 */
export function workerCount(chains: number): number {
  const env = process.env.DLM_WORKERS;
  const cap = env === undefined || env === "" ? Infinity : Number(env);
  const n = Math.min(chains, availableParallelism(), Number.isFinite(cap) && cap >= 0 ? Math.floor(cap) : Infinity);
  return n >= 2 ? n : 0;
}

/**
 * The worker module beside this one: compiled JavaScript, or (running from the TypeScript
 * sources under tsx or vitest) the .ts file behind tsx's loader, registered inside the worker
 * because Node 20 does not pass a parent's module hooks on to its workers.
 */
function spawn(input: WorkerInput): Worker {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new Worker(new URL("./chain-worker.js", here), { workerData: input });
  const tsx = pathToFileURL(createRequire(here).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  const worker = new URL("./chain-worker.ts", here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`;
  return new Worker(boot, { eval: true, workerData: input });
}

/** A worker that could not start or stopped without its chains (not an error of the model or the sampler). */
export class WorkerFailure extends Error {
  override readonly name = "WorkerFailure";
}

const ERRORS: Readonly<Record<string, new (message: string) => Error>> = {
  InitializationError,
  StepSizeError,
  MetricAdaptationError,
  RangeError,
};

/** Per-chain arrays of the workers' results, back in chain order. */
function merge(parts: readonly SampleResult[], shares: readonly (readonly number[])[]): SampleResult {
  const C = shares.reduce((n, s) => n + s.length, 0);
  const slot = <T>(pick: (r: SampleResult) => readonly T[]): T[] => {
    const out = new Array<T>(C);
    parts.forEach((r, w) => shares[w]!.forEach((c, i) => (out[c] = pick(r)[i]!)));
    return out;
  };
  const first = parts[0]!;
  const calls = parts.reduce((n, r) => n + r.gradientCalls, 0);
  const nDraws = Math.min(...parts.map((r) => r.nDraws));
  const draws = slot((r) => r.draws).map((d) => (d.length === nDraws * first.dim ? d : d.slice(0, nDraws * first.dim)));
  const stats = slot((r) => r.stats).map((s) =>
    s.lp__.length === nDraws ? s : (Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.slice(0, nDraws)])) as typeof s),
  );
  return {
    dim: first.dim,
    chains: C,
    seed: first.seed,
    algorithm: first.algorithm,
    nDraws,
    draws,
    stats,
    stepSize: slot((r) => r.stepSize),
    metric: first.metric,
    inverseMetric: slot((r) => r.inverseMetric),
    // the workers ran side by side: each phase took as long as its slowest worker
    seconds: { warmup: Math.max(...parts.map((r) => r.seconds.warmup)), sampling: Math.max(...parts.map((r) => r.seconds.sampling)) },
    interrupted: parts.some((r) => r.interrupted),
    // each worker's lockstep efficiency over its own chains, weighted by its gradient calls
    lockstepEfficiency: parts.reduce((s, r) => s + r.lockstepEfficiency * r.gradientCalls, 0) / Math.max(calls, 1),
    gradientCalls: calls,
    gradientEvaluations: parts.reduce((n, r) => n + r.gradientEvaluations, 0),
    threads: parts.length,
  };
}

/**
 * Run `options.chains` chains of the program over `workers` threads. Options that are
 * functions (`kCheck`) are not supported here; `onProgress` and `signal` are.
 */
export async function sampleInWorkers(program: HostProgram, options: SampleOptions, workers: number): Promise<SampleResult> {
  const C = options.chains ?? 4;
  const ids = options.chainIds ?? Array.from({ length: C }, (_, c) => c);
  // one seed for all workers (each would otherwise read the clock)
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const shares = Array.from({ length: workers }, (_, w) => ids.map((_, c) => c).filter((c) => c % workers === w));
  const { onProgress, signal, kCheck: _, ...plain } = options;
  const infos: (ProgressInfo | undefined)[] = new Array(workers).fill(undefined);
  const report = (): void => {
    if (infos.some((i) => i === undefined)) return;
    const all = infos as ProgressInfo[];
    // the run is where its slowest worker is
    const behind = all.reduce((a, b) => (a.phase === b.phase ? (a.iteration <= b.iteration ? a : b) : a.phase === "warmup" ? a : b));
    const divergences = new Array<number>(C).fill(0);
    all.forEach((info, w) => {
      if (info.phase === behind.phase) shares[w]!.forEach((c, i) => (divergences[c] = info.divergences[i]!));
    });
    onProgress?.({ phase: behind.phase, iteration: behind.iteration, total: behind.total, divergences, chainsDone: all.reduce((n, i) => n + i.chainsDone, 0) });
  };
  const threads = shares.map((share) =>
    spawn({ program, options: { ...plain, seed, chains: share.length, chainIds: share.map((c) => ids[c]!) } }),
  );
  const abort = (): void => threads.forEach((t) => t.postMessage({ type: "abort" }));
  signal?.addEventListener("abort", abort);
  if (signal?.aborted) abort();
  try {
    const parts = await Promise.all(
      threads.map(
        (t, w) =>
          new Promise<SampleResult>((resolve, reject) => {
            t.on("message", (m: WorkerMessage) => {
              if (m.type === "progress") {
                infos[w] = m.info;
                report();
              } else if (m.type === "done") resolve(m.result);
              else reject(new (ERRORS[m.name] ?? Error)(m.message));
            });
            t.on("error", (e) => reject(new WorkerFailure(`sampler worker ${w + 1} failed: ${e instanceof Error ? e.message : String(e)}`)));
            t.on("exit", (code) => reject(new WorkerFailure(`sampler worker ${w + 1} stopped (exit code ${code}) before returning its chains`)));
          }),
      ),
    );
    return merge(parts, shares);
  } finally {
    signal?.removeEventListener("abort", abort);
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
