/** Shared timing helpers of the benchmarks. */
import { tf } from "../core/engine.js";

/** Median milliseconds per call of `f` after one warm-up call, over at least `minMs` and `minCalls` calls. */
export function msPerCall(f: () => void, minMs = 300, minCalls = 5): number {
  f();
  const times: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs || times.length < minCalls) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Two variants measured alternately over three rounds, each keeping its best result by `ms`,
 * so that a burst of load from other processes does not land on one of them only.
 */
export async function bestOfAlternating<T extends { ms: number }>(a: () => Promise<T>, b: () => Promise<T>, rounds = 3): Promise<[T, T]> {
  let best: [T | undefined, T | undefined] = [undefined, undefined];
  for (let round = 0; round < rounds; round++) {
    const [ra, rb] = [await a(), await b()];
    best = [best[0] === undefined || ra.ms < best[0].ms ? ra : best[0], best[1] === undefined || rb.ms < best[1].ms ? rb : best[1]];
  }
  return [best[0]!, best[1]!];
}

/** Kernels one call of `call` launches (tf.profile) and its median ms per call. */
export async function kernelsAndMs(call: () => void, minMs = 200, minCalls = 10): Promise<{ kernels: number; ms: number }> {
  const kernels = (await tf.profile(call)).kernels.length;
  return { kernels, ms: msPerCall(call, minMs, minCalls) };
}

/** CPU time of this process (every thread), in µs. */
export const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** The middle value (the upper of the two middle ones for an even count). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
