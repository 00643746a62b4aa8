/** Shared timing helper of the benchmarks. */

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
