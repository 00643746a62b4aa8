/**
 * Runs the benchmarks one after another (each in its own process, so each starts its own
 * engine) and prints their tables. Each script measures its own baseline in the same run
 * (hand-written tfjs, stock kernels, the cpu backend or Stan) and prints the ratios.
 *
 *   npx tsx bench/run.ts            every benchmark below, with its default settings
 *   npx tsx bench/run.ts parse mcmc  only those
 *   npx tsx bench/run.ts --tsx ...   run them from the TypeScript sources through tsx
 *
 * By default the benchmarks are first compiled with tsc (tsconfig.bench.json → dist-bench/) and
 * run as plain JavaScript, as the `dlm` binary runs (from dist/): tsx compiles with esbuild's
 * keepNames, which wraps every function it creates in a naming call, and that costs the
 * closure-heavy interpreter measurably more than a hand-written baseline.
 *
 * Record figures in bench/RESULTS.md with the machine, its load and the date.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
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
  "grad-cost": ["bench/posteriordb/grad-cost.ts"],
  "host-engine": ["bench/host-engine.ts"],
  "ar1-loop": ["bench/ar1-loop.ts"],
  autodiff: ["bench/autodiff-patches.ts"],
  "fused-logpdf": ["bench/fused-logpdf.ts"],
  "interval-transform": ["bench/interval-transform.ts"],
  logsumexp: ["bench/logsumexp.ts"],
  cholesky: ["bench/cholesky.ts"],
  lgamma: ["bench/lgamma.ts"],
  "train-step": ["bench/train-step.ts"],
};

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const viaTsx = args.includes("--tsx");
const asked = args.filter((a) => a !== "--tsx");
const unknown = asked.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(BENCHMARKS).join(", ")}\n`);
  process.exit(2);
}
if (!viaTsx) {
  const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.bench.json"], { cwd: root, stdio: "inherit" });
  if (tsc.status !== 0) {
    process.stderr.write("bench: compiling the benchmarks failed (run with --tsx to use the sources)\n");
    process.exit(1);
  }
}
let failed = 0;
for (const name of asked.length > 0 ? asked : Object.keys(BENCHMARKS)) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const [script, ...rest] = BENCHMARKS[name]!;
  const argv = viaTsx ? ["--import", "tsx", script!, ...rest] : [join("dist-bench", script!.replace(/\.ts$/, ".js")), ...rest];
  const r = spawnSync(process.execPath, argv, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
