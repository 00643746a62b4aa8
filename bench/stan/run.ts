/**
 * Our NUTS against Stan (rstan) on the same posteriors, in the same run.
 *
 *   npx tsx bench/stan/run.ts [--stan] [--install-stan] [--seed 4711] [--warmup 1000] [--draws 1000]
 *       [--scaling name,name] [--scaling-chains 1,4,16,64,256] [--no-compare]
 *       [--check-seeds 4711,1,2,3] [models...]
 *
 * For each posterior (default: every one with a Stan program here; names may be unique
 * substrings) it samples our `.dlm` translation (bench/posteriordb/models) with 1 and 4 chains,
 * Stan's defaults (1,000 warm-up + 1,000 draws, diagonal metric, δ = 0.8, depth 10), and with
 * `--stan` runs rstan on the same data with the same settings through run_stan.R. Both runs'
 * draws go through the same min bulk ESS (our inference/diagnostics `essBulk`, over the
 * posteriordb reference scalars that the Stan program defines). Printed per run: min bulk ESS,
 * sampling seconds, ESS per second of sampling, ESS per gradient (sum of n_leapfrog over the
 * sampling phase, all chains), µs per gradient, and the ratios ours/Stan.
 *
 * Without `--stan`, or when R + rstan are missing (with `--install-stan` the script first tries
 * `apt-get install -y r-cran-rstan`), the Stan columns come from the recorded anchors in
 * stan_rstan221_results.csv (same machine, rstan 2.21.7, seed 4711) and are labelled
 * "recorded", not same-run. `--scaling` adds ESS/s of our sampler at 1, 4, 16, 64, 256 chains.
 * `--check-seeds` (needs rstan) judges Stan's own 4-chain runs, one per seed, by the posteriordb
 * acceptance check that our runs must pass (bench/posteriordb/check.ts: |z| ≤ 4, R-hat < 1.01,
 * divergences), with our diagnostics on Stan's draws: where Stan itself fails it at these
 * settings, our failing run is no evidence against our sampler.
 * Progress goes to stderr, Markdown tables to stdout.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { initEngine } from "../../core/engine.js";
import { essBulk, summarize } from "../../inference/diagnostics/index.js";
import { sample } from "../../inference/mcmc/index.js";
import { posteriorModel } from "../../interpreter/instance.js";
import { chainOutputs } from "../../cli/to-draws.js";
import { DATA_DIR, instantiatePosterior, loadPosterior } from "../posteriordb/posteriors.js";
import { checkPosterior } from "../posteriordb/check.js";
import { benchPath } from "../paths.js";

const HERE = benchPath("stan");

/** Our Stan programs, by posterior, with the names (before any `[`) they define. */
const PROGRAMS: Readonly<Record<string, { readonly file: string; readonly names: readonly string[] }>> = {
  "eight_schools-eight_schools_noncentered": { file: "eight_schools_noncentered.stan", names: ["theta", "mu", "tau"] },
  "kidiq-kidscore_interaction": { file: "kidscore_interaction.stan", names: ["beta", "sigma"] },
  "GLM_Poisson_Data-GLM_Poisson_model": { file: "GLM_Poisson_model.stan", names: ["alpha", "beta1", "beta2", "beta3"] },
  "arK-arK": { file: "arK.stan", names: ["alpha", "beta", "sigma"] },
  "mesquite-logmesquite": { file: "logmesquite.stan", names: ["beta", "sigma"] },
  "eight_schools-eight_schools_centered": { file: "eight_schools_centered.stan", names: ["theta", "mu", "tau"] },
  "irt_2pl-irt_2pl": { file: "irt_2pl.stan", names: ["sigma_theta", "theta", "sigma_a", "a", "mu_b", "sigma_b", "b"] },
  "mcycle_gp-accel_gp": { file: "accel_gp.stan", names: ["Intercept", "sdgp_1", "lscale_1", "zgp_1", "Intercept_sigma", "sdgp_sigma_1", "lscale_sigma_1", "zgp_sigma_1"] },
  // With our translation's float32 jitter, not posteriordb's 1e-10 (see the .stan file).
  "gp_pois_regr-gp_pois_regr": { file: "gp_pois_regr_jitter.stan", names: ["rho", "alpha", "f"] },
};

/** What one run (ours or Stan's) measured. */
interface Measure {
  readonly minEss: number;
  readonly samplingSeconds: number;
  /** Gradient evaluations in the sampling phase, summed over chains. */
  readonly gradients: number;
  readonly divergences: number;
}

interface Row {
  readonly name: string;
  readonly chains: number;
  readonly ours: Measure;
  readonly stan: Measure | undefined;
  readonly stanSource: "same run" | "recorded" | "none";
}

interface Options {
  readonly names: string[];
  readonly stan: boolean;
  readonly install: boolean;
  readonly compare: boolean;
  readonly seed: number;
  readonly warmup: number;
  readonly draws: number;
  readonly scaling: string[];
  readonly scalingChains: number[];
  readonly checkSeeds: number[];
}

function resolve(n: string): string {
  const all = Object.keys(PROGRAMS);
  if (all.includes(n)) return n;
  const hits = all.filter((x) => x.includes(n));
  if (hits.length !== 1) throw new Error(`'${n}' matches ${hits.length === 0 ? "no posterior with a Stan program" : hits.join(", ")}`);
  return hits[0]!;
}

function parseArgs(argv: readonly string[]): Options {
  const num = (flag: string, v: string | undefined): number => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x)) throw new Error(`${flag} needs a number`);
    return x;
  };
  const names: string[] = [];
  let o: Omit<Options, "names"> = { stan: false, install: false, compare: true, seed: 4711, warmup: 1000, draws: 1000, scaling: [], scalingChains: [1, 4, 16, 64, 256], checkSeeds: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case "--stan": o = { ...o, stan: true }; break;
      case "--install-stan": o = { ...o, stan: true, install: true }; break;
      case "--no-compare": o = { ...o, compare: false }; break;
      case "--seed": o = { ...o, seed: num(a, argv[++i]) }; break;
      case "--warmup": o = { ...o, warmup: num(a, argv[++i]) }; break;
      case "--draws": o = { ...o, draws: num(a, argv[++i]) }; break;
      case "--scaling": o = { ...o, scaling: (argv[++i] ?? "").split(",").filter((s) => s !== "").map(resolve) }; break;
      case "--scaling-chains": o = { ...o, scalingChains: (argv[++i] ?? "").split(",").map((s) => num(a, s)) }; break;
      case "--check-seeds": o = { ...o, stan: true, checkSeeds: (argv[++i] ?? "").split(",").map((s) => num(a, s)) }; break;
      default:
        if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
        names.push(resolve(a));
    }
  }
  return { names: names.length > 0 ? names : Object.keys(PROGRAMS), ...o };
}

/** The reference scalars of a posterior that the Stan program defines (compared on both sides). */
function comparedNames(name: string): string[] {
  const p = loadPosterior(name);
  const defined = new Set(PROGRAMS[name]!.names);
  return p.referenceNames.filter((n) => defined.has(n.split("[")[0]!));
}

const minEss = (perParam: readonly (readonly Float64Array[])[]): number => Math.min(...perParam.map((chains) => essBulk(chains)));

const sum = (xs: ArrayLike<number>): number => Array.from(xs).reduce((a, b) => a + b, 0);

async function runOurs(name: string, chains: number, o: Options): Promise<Measure> {
  const model = posteriorModel(instantiatePosterior(loadPosterior(name)));
  const r = await sample(model, { chains, warmup: o.warmup, draws: o.draws, seed: o.seed });
  const outs = r.draws.map((q) => chainOutputs(model, q, r.nDraws));
  const cols = comparedNames(name).map((n) => {
    const j = model.outputNames.indexOf(n);
    if (j < 0) throw new Error(`${name}: our model has no output ${n}`);
    return outs.map((c) => c[j]!);
  });
  return {
    minEss: minEss(cols),
    samplingSeconds: r.seconds.sampling,
    gradients: sum(r.stats.map((s) => sum(s.n_leapfrog__))),
    divergences: sum(r.stats.map((s) => sum(s.divergent__))),
  };
}

/** Whether R with rstan is usable (optionally installing Debian's r-cran-rstan first). */
function stanAvailable(install: boolean): boolean {
  const ok = (): boolean => spawnSync("Rscript", ["-e", "suppressPackageStartupMessages(library(rstan)); library(jsonlite)"], { stdio: "ignore" }).status === 0;
  if (ok()) return true;
  if (!install) return false;
  const apt = spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
  if (!apt) {
    process.stderr.write("apt-get not available: cannot install r-cran-rstan\n");
    return false;
  }
  process.stderr.write("installing r-cran-rstan with apt-get (a few minutes) ...\n");
  spawnSync("apt-get", ["install", "-y", "r-cran-rstan"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return ok();
}

interface StanJson {
  readonly sampling_s: number;
  readonly grad_sampling: number;
  readonly divergences: number;
  readonly draws: readonly Readonly<Record<string, readonly number[]>>[];
}

function runStan(name: string, chains: number, o: Options, work: string): Measure {
  return runStanDraws(name, chains, o, work).measure;
}

/** One rstan run: what it measured, and the draws of the compared names (`cols[name][chain]`). */
function runStanDraws(name: string, chains: number, o: Options, work: string): { measure: Measure; names: string[]; cols: Float64Array[][] } {
  const out = join(work, `${name}-${chains}-${o.seed}.json`);
  const names = comparedNames(name);
  const args = [join(HERE, "run_stan.R"), join(HERE, PROGRAMS[name]!.file), join(DATA_DIR, name, "data.json"), out,
    String(chains), String(o.warmup), String(o.draws), String(o.seed), process.env["STAN_CACHE"] ?? join(tmpdir(), "dlm-stan-cache"), ...names];
  const r = spawnSync("Rscript", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`rstan failed on ${name}: ${r.stderr.slice(-2000)}`);
  const j = JSON.parse(readFileSync(out, "utf8")) as StanJson;
  const cols = names.map((n) => j.draws.map((c) => {
    const v = c[n];
    if (v === undefined) throw new Error(`${name}: Stan output lacks ${n}`);
    return Float64Array.from(v);
  }));
  return { measure: { minEss: minEss(cols), samplingSeconds: j.sampling_s, gradients: j.grad_sampling, divergences: j.divergences }, names, cols };
}

/** Stan's own 4-chain runs judged by the posteriordb check, one row per seed. */
function checkStan(name: string, o: Options, work: string): string[] {
  const p = loadPosterior(name);
  return o.checkSeeds.map((seed) => {
    process.stderr.write(`${name}: rstan, 4 chains, seed ${seed} ...\n`);
    const { measure, names, cols } = runStanDraws(name, 4, { ...o, seed }, work);
    const chains = [0, 1, 2, 3].map((c) => cols.map((perChain) => perChain[c]!));
    const summary = summarize({ names, chains }, { includeLp: false });
    const check = checkPosterior(summary.rows, p.reference, p.referenceNames.filter((n) => names.includes(n)), measure.divergences, true);
    const worst = check.worst ? `${Math.abs(check.worst.z).toFixed(2)} (${check.worst.name})` : "–";
    const verdict = check.pass ? "pass" : `FAIL: ${check.failures.join("; ")}`;
    return `| ${name} | ${seed} | ${fmt(check.minEssBulk, 0)} | ${check.maxRhat.toFixed(3)} | ${measure.divergences} | ${worst} | ${verdict} |`;
  });
}

/** The recorded rstan figures (stan_rstan221_results.csv), by posterior and config. */
function recorded(): Map<string, Measure> {
  const path = join(DATA_DIR, "stan_rstan221_results.csv");
  const out = new Map<string, Measure>();
  if (!existsSync(path)) return out;
  for (const r of parseCsv(readFileSync(path, "utf8"), { columns: true, skip_empty_lines: true }) as Record<string, string>[]) {
    out.set(`${r["posterior"]}/${r["config"]}`, {
      minEss: Number(r["min_bulk_ess"]),
      samplingSeconds: Number(r["sampling_s"]),
      gradients: Number(r["grad_evals_sampling"]),
      divergences: Number(r["divergences"]),
    });
  }
  return out;
}

const fmt = (x: number | undefined, d: number): string => (x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(d));
/** Ratios span orders of magnitude: two significant digits. */
const ratio = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? "–" : x.toPrecision(2));
const perS = (m: Measure): number => m.minEss / m.samplingSeconds;
const perGrad = (m: Measure): number => m.minEss / m.gradients;
const usPerGrad = (m: Measure): number => (1e6 * m.samplingSeconds) / m.gradients;

function table(rows: readonly Row[]): string {
  const head =
    "| posterior | chains | ours min ESS | ours ESS/s | ours ESS/grad | ours µs/grad | Stan min ESS | Stan ESS/s | Stan ESS/grad | Stan µs/grad | ESS/s ours/Stan | ESS/grad ours/Stan | divergences ours/Stan | Stan figures |";
  const sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|";
  const lines = rows.map((r) => {
    const s = r.stan;
    return `| ${r.name} | ${r.chains} | ${fmt(r.ours.minEss, 0)} | ${fmt(perS(r.ours), 1)} | ${fmt(perGrad(r.ours), 4)} | ${fmt(usPerGrad(r.ours), 1)} | ${fmt(s?.minEss, 0)} | ${fmt(s && perS(s), 1)} | ${fmt(s && perGrad(s), 4)} | ${fmt(s && usPerGrad(s), 1)} | ${ratio(s && perS(r.ours) / perS(s))} | ${ratio(s && perGrad(r.ours) / perGrad(s))} | ${r.ours.divergences}/${s?.divergences ?? "–"} | ${r.stanSource} |`;
  });
  return [head, sep, ...lines].join("\n");
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  await initEngine();
  let source: Row["stanSource"] = "recorded";
  if (o.stan) {
    if (stanAvailable(o.install)) source = "same run";
    else process.stderr.write("R + rstan not available: skipping Stan; the Stan columns are the RECORDED anchors (not this run)\n");
  }
  const anchors = recorded();
  const work = mkdtempSync(join(tmpdir(), "dlm-stan-"));
  const rows: Row[] = [];
  for (const name of o.compare ? o.names : []) {
    for (const chains of [1, 4]) {
      process.stderr.write(`${name}, ${chains} chain(s): ours ...\n`);
      const ours = await runOurs(name, chains, o);
      let stan: Measure | undefined;
      let stanSource: Row["stanSource"] = source;
      if (source === "same run") {
        process.stderr.write(`${name}, ${chains} chain(s): rstan ...\n`);
        stan = runStan(name, chains, o, work);
      } else {
        stan = anchors.get(`${name}/${chains === 1 ? "1chain" : "4chains"}`);
        if (stan === undefined) stanSource = "none";
      }
      rows.push({ name, chains, ours, stan, stanSource });
      writeFileSync(join(work, "rows.json"), JSON.stringify(rows, null, 1));
      process.stderr.write(`${table(rows.slice(-1))}\n`);
    }
  }
  if (rows.length > 0) process.stdout.write(`\n${o.warmup} warm-up + ${o.draws} draws per chain, seed ${o.seed}\n\n${table(rows)}\n`);
  if (o.checkSeeds.length > 0 && source === "same run") {
    const lines = ["| posterior | seed | min bulk ESS | max R-hat | divergences | worst \\|z\\| | posteriordb check |", "|---|---:|---:|---:|---:|---:|---|"];
    for (const name of o.names) lines.push(...checkStan(name, o, work));
    process.stdout.write(`\nStan's own runs (4 chains, ${o.warmup} + ${o.draws}) under the posteriordb check:\n\n${lines.join("\n")}\n`);
  }
  if (o.scaling.length > 0) {
    const lines = ["| posterior | " + o.scalingChains.map((c) => `${c} ch`).join(" | ") + " |", "|---|" + o.scalingChains.map(() => "---:").join("|") + "|"];
    for (const name of o.scaling) {
      const cells: string[] = [];
      for (const c of o.scalingChains) {
        process.stderr.write(`scaling ${name}, ${c} chains ...\n`);
        const m = await runOurs(name, c, o);
        cells.push(`${fmt(perS(m), 0)} (ESS ${fmt(m.minEss, 0)}, ${fmt(m.samplingSeconds, 1)} s)`);
        process.stderr.write(`  ${cells.at(-1)}\n`);
      }
      lines.push(`| ${name} | ${cells.join(" | ")} |`);
    }
    process.stdout.write(`\nOur NUTS, min bulk ESS per second of sampling by number of chains (${o.warmup} + ${o.draws}):\n\n${lines.join("\n")}\n`);
  }
}

await main();
