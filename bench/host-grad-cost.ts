/**
 * µs of CPU time per value-and-gradient call of each posteriordb posterior on the host engine
 * (interpreter/record.ts → core/exec/host/compile.ts, one chain per call), with the recorded
 * graph's size. Each function first runs for 3 s of CPU time: V8 optimises a large generated
 * function in the background, and until then a call can cost milliseconds (TurboFan took
 * 1.5 s to compile bball_drive's on the loaded 2-core machine). Then medians of 9 blocks.
 *
 *   npx tsx bench/host-grad-cost.ts [name-fragment ...]
 *
 * Results: bench/RESULTS.md ("Host engine: Cholesky, matrix products, regressions").
 */
import { initEngine } from "../core/engine.js";
import { compileHost } from "../core/exec/host/compile.js";
import { recordInstance } from "../interpreter/record.js";
import { dataAvailable, instantiatePosterior, loadPosterior, posteriorNames } from "./posteriordb/posteriors.js";
import { cpuMicros, median } from "./timing.js";

await initEngine();
if (!dataAvailable()) {
  console.log("posteriordb data not found (set POSTERIORDB_DIR)");
  process.exit(0);
}
const want = process.argv.slice(2);
console.log("| posterior | dim | IR nodes | µs per gradient |");
console.log("|---|---:|---:|---:|");
for (const name of posteriorNames()) {
  if (want.length > 0 && !want.some((w) => name.includes(w))) continue;
  const rec = recordInstance(instantiatePosterior(loadPosterior(name)));
  const { dim, valueAndGrad } = compileHost(rec.graph, rec.output);
  const theta = Float64Array.from({ length: dim }, (_, i) => Math.fround(0.5 * Math.sin(i)));
  const grad = new Float64Array(dim);
  const call = (): void => void valueAndGrad(theta, grad);
  const warm = cpuMicros();
  while (cpuMicros() - warm < 3e6) for (let i = 0; i < 20; i++) call();
  let calls = 1;
  for (;;) {
    const t0 = cpuMicros();
    for (let i = 0; i < calls; i++) call();
    if (cpuMicros() - t0 > 20_000) break;
    calls *= 2;
  }
  const times: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = cpuMicros();
    for (let i = 0; i < calls; i++) call();
    times.push((cpuMicros() - t0) / calls);
  }
  console.log(`| ${name} | ${dim} | ${rec.graph.nodes.length} | ${median(times).toFixed(2)} |`);
}
