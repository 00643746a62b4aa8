/**
 * Runs the benchmarks one after another (each in its own process, so each starts its own
 * engine) and prints their tables. Each script measures its own baseline in the same run
 * (hand-written tfjs, stock kernels, the cpu backend or Stan) and prints the ratios.
 *
 *   npx tsx bench/run.ts            every benchmark below, with its default settings
 *   npx tsx bench/run.ts parse mcmc  only those
 *
 * Record figures in bench/RESULTS.md with the machine, its load and the date.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BENCHMARKS: Record<string, readonly string[]> = {
  parse: ["bench/parse-bench.ts"],
  "value-and-grad": ["bench/value-and-grad.ts"],
  matmul: ["bench/matmul-bench.ts"],
  interp: ["bench/interp-bench.ts"],
  mcmc: ["bench/mcmc-bench.ts"],
  "nuts-overhead": ["bench/nuts-overhead.ts"],
  stan: ["bench/stan/run.ts"],
  posteriordb: ["bench/posteriordb/run.ts"],
};

const root = fileURLToPath(new URL("..", import.meta.url));
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(BENCHMARKS).join(", ")}\n`);
  process.exit(2);
}
let failed = 0;
for (const name of asked.length > 0 ? asked : Object.keys(BENCHMARKS)) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const r = spawnSync(process.execPath, ["--import", "tsx", ...BENCHMARKS[name]!], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
