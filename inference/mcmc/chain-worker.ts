/**
 * A worker thread's side of `sampleInWorkers` (workers.ts): links the host engine's program,
 * runs its share of the chains with the same driver as the main thread (run.ts, so chain c
 * draws the same numbers wherever it runs), and posts progress, then the result. The main
 * thread's "abort" message stops it after the current iteration, with the draws so far.
 *
 * Imports nothing that loads tfjs: a worker starts in tens of milliseconds.
 */
import { parentPort, workerData } from "node:worker_threads";
import { linkProgram, type HostProgram } from "../../core/exec/host/compile-link.js";
import { float64Gradient } from "./float64-gradient.js";
import { runChains, type ProgressInfo, type SampleOptions, type SampleResult } from "./run.js";

export interface WorkerInput {
  readonly program: HostProgram;
  /** The run's options without functions and signal; `chains` and `chainIds` are this worker's share. */
  readonly options: SampleOptions;
}

export type WorkerMessage =
  | { readonly type: "progress"; readonly info: ProgressInfo }
  | { readonly type: "done"; readonly result: SampleResult }
  | { readonly type: "error"; readonly name: string; readonly message: string };

/** Messages at most this often (ms), besides the last iteration of each phase. */
const PROGRESS_MS = 100;

async function main(port: NonNullable<typeof parentPort>, input: WorkerInput): Promise<void> {
  const f = linkProgram(input.program);
  const dim = input.program.dim;
  const stop = new AbortController();
  port.on("message", (m: { type: string }) => {
    if (m.type === "abort") stop.abort();
  });
  let last = 0;
  try {
    const result = await runChains(
      { dim, gradient: (chains) => float64Gradient(f, dim, chains) },
      {
        ...input.options,
        signal: stop.signal,
        onProgress: (info) => {
          const now = performance.now();
          if (now - last < PROGRESS_MS && info.iteration < info.total) return;
          last = now;
          port.postMessage({ type: "progress", info } satisfies WorkerMessage);
        },
      },
    );
    const buffers = new Set([...result.draws.map((d) => d.buffer), ...result.stats.flatMap((s) => Object.values(s).map((a) => a.buffer))]);
    port.postMessage({ type: "done", result } satisfies WorkerMessage, [...buffers] as ArrayBuffer[]);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    port.postMessage({ type: "error", name: err.name, message: err.message } satisfies WorkerMessage);
  } finally {
    port.close();
  }
}

if (parentPort !== null) void main(parentPort, workerData as WorkerInput);
