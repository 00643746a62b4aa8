/**
 * The float64 host engine (interpreter/record.ts → core/exec/host/) against the tfjs path on
 * posteriordb posteriors, in one process:
 *
 *   1. µs of CPU time per gradient call as the samplers make it (inference/mcmc/gradient.ts's
 *      hostGradient, 4 chains per call), host and tfjs measured in alternating blocks, medians;
 *   2. NUTS, 4 chains × 1,000 draws after 1,000 warm-up (seed 4711), host then tfjs on each
 *      posterior: min bulk ESS of the reference parameters per second of the sampling phase
 *      (as bench/posteriordb/run.ts reports it), CPU seconds of the whole run, and the
 *      posteriordb check.
 *
 *   npx tsx bench/host-engine.ts [--no-nuts] [--nuts-tfjs fragment,...] [name-fragment ...]
 *
 * `--nuts-tfjs` limits the tfjs NUTS runs to the posteriors named (a tfjs run of kidiq takes
 * several minutes even on a quiet machine); by default both engines run on each.
 *
 * Results: bench/RESULTS.md ("Host engine").
 */
import { initEngine } from "../core/engine.js";
import { summarize } from "../inference/diagnostics/index.js";
import { hostGradient, sample } from "../inference/mcmc/index.js";
import { posteriorModel } from "../interpreter/instance.js";
import type { PosteriorModel } from "../core/model.js";
import { chainOutputs } from "../cli/to-draws.js";
import { checkPosterior } from "./posteriordb/check.js";
import { dataAvailable, instantiatePosterior, loadPosterior } from "./posteriordb/posteriors.js";
import { cpuMicros, median } from "./timing.js";

const POSTERIORS = [
  "eight_schools-eight_schools_noncentered",
  "GLM_Poisson_Data-GLM_Poisson_model",
  "kidiq-kidscore_interaction",
  "wells_data-wells_dist",
  "radon_mn-radon_hierarchical_intercept_noncentered",
];
const CHAINS = 4;

/** µs of CPU time per call of `f`, over `calls` calls. */
function block(f: () => void, calls: number): number {
  const t0 = cpuMicros();
  for (let i = 0; i < calls; i++) f();
  return (cpuMicros() - t0) / calls;
}

/** Calls per block so that a block takes about `targetMs` of CPU time. */
function callsFor(f: () => void, targetMs: number): number {
  let calls = 1;
  while (block(f, calls) * calls < targetMs * 1000 && calls < 1e7) calls *= 4;
  return calls;
}

function gradientCall(model: PosteriorModel): () => void {
  const g = hostGradient(model, CHAINS);
  const q = Float64Array.from({ length: CHAINS * model.dim }, (_, i) => Math.fround(0.5 * Math.sin(i)));
  const lp = new Float64Array(CHAINS);
  const grad = new Float64Array(CHAINS * model.dim);
  return () => g.evaluate(q, lp, grad);
}

const models = (name: string): { host: PosteriorModel; tfjs: PosteriorModel } => {
  const inst = instantiatePosterior(loadPosterior(name));
  const host = posteriorModel(inst, { engine: "host", note: (l) => process.stderr.write(`${name}: ${l}\n`) });
  if (host.hostValueAndGrad === undefined) throw new Error(`${name} does not record`);
  return { host, tfjs: posteriorModel(inst, { engine: "tfjs" }) };
};

async function gradients(names: readonly string[]): Promise<void> {
  console.log(`\nµs of CPU time per gradient call (${CHAINS} chains per call), medians of 9 alternating blocks\n`);
  console.log("| posterior | dim | host µs | tfjs µs | tfjs / host |");
  console.log("|---|---:|---:|---:|---:|");
  for (const name of names) {
    const { host, tfjs } = models(name);
    const [h, t] = [gradientCall(host), gradientCall(tfjs)];
    const [nh, nt] = [callsFor(h, 30), callsFor(t, 30)];
    const hs: number[] = [];
    const ts: number[] = [];
    for (let r = 0; r < 9; r++) {
      hs.push(block(h, nh));
      ts.push(block(t, nt));
    }
    const [mh, mt] = [median(hs), median(ts)];
    console.log(`| ${name} | ${host.dim} | ${mh.toFixed(2)} | ${mt.toFixed(0)} | ${(mt / mh).toFixed(0)} |`);
  }
}

async function nuts(names: readonly string[], tfjsToo: (name: string) => boolean): Promise<void> {
  console.log(`\nNUTS, ${CHAINS} chains × 1,000 draws after 1,000 warm-up, seed 4711: host then tfjs on each posterior\n`);
  console.log("| posterior | engine | min bulk ESS | ESS/s (sampling) | sampling s | CPU s (run) | check |");
  console.log("|---|---|---:|---:|---:|---:|---|");
  for (const name of names) {
    const p = loadPosterior(name);
    const pair = models(name);
    for (const engine of tfjsToo(name) ? (["host", "tfjs"] as const) : (["host"] as const)) {
      const model = pair[engine];
      const c0 = cpuMicros();
      const result = await sample(model, { chains: CHAINS, warmup: 1000, draws: 1000, seed: 4711 });
      const cpu = (cpuMicros() - c0) / 1e6;
      const chains = result.draws.map((q) => chainOutputs(model, q, result.nDraws));
      const summary = summarize({ names: model.outputNames, chains, sampler: result.stats }, { maxDepth: 10, includeLp: false });
      const check = checkPosterior(summary.rows, p.reference, p.referenceNames, summary.sampler?.divergences ?? 0, false);
      const verdict = check.pass ? "pass" : `FAIL: ${check.failures.join("; ")}`;
      console.log(`| ${name} | ${engine} | ${check.minEssBulk.toFixed(0)} | ${(check.minEssBulk / result.seconds.sampling).toFixed(1)} | ${result.seconds.sampling.toFixed(2)} | ${cpu.toFixed(2)} | ${verdict} |`);
    }
  }
}

await initEngine();
if (!dataAvailable()) {
  console.log("posteriordb data not found (set POSTERIORDB_DIR)");
  process.exit(0);
}
const args = process.argv.slice(2);
const at = args.indexOf("--nuts-tfjs");
const tfjsList = at >= 0 ? (args[at + 1] ?? "").split(",").filter((x) => x !== "") : undefined;
const want = args.filter((a, i) => !a.startsWith("--") && (at < 0 || i !== at + 1));
const names = POSTERIORS.filter((n) => want.length === 0 || want.some((w) => n.includes(w)));
await gradients(names);
if (!args.includes("--no-nuts")) await nuts(names, (n) => tfjsList === undefined || tfjsList.some((w) => n.includes(w)));
