/**
 * Our NUTS against Stan (rstan) on the same posteriors, in the same run.
 *
 *   npx tsx bench/stan/run.ts [--stan] [--install-stan] [--engine auto|host|tfjs] [--seed 4711]
 *       [--warmup 1000] [--draws 1000] [--chains 1,4] [--goal] [--grad-us] [--no-tfjs-grad]
 *       [--max-seconds S] [--stan-dir DIR] [--stan-reuse all|name,name]
 *       [--scaling name,name] [--scaling-chains 1,4,16,64,256] [--no-compare]
 *       [--check-seeds 4711,1,2,3] [models...]
 *
 * Every posteriordb posterior of the set has a Stan program here (PROGRAMS: ours, written from
 * each model's math in rstan 2.21's syntax) and a `.dlm` translation (bench/posteriordb/models);
 * names on the command line may be unique substrings (default: all 20). Both sides run Stan's
 * defaults (1,000 warm-up + 1,000 draws, diagonal metric, δ = 0.8, depth 10) on the same data
 * and seed; with `--stan` rstan runs in the same run through run_stan.R. Both runs' draws go
 * through the same min bulk ESS (our inference/diagnostics `essBulk`, over the posteriordb
 * reference scalars). Ours runs on `--engine` (default auto: the float64 host engine where the
 * model records, tfjs otherwise; the engine that ran is reported).
 *
 * Modes:
 * - default: per posterior and chain count (`--chains`, default 1 and 4), min bulk ESS, ESS per
 *   second of the sampling phase, ESS per gradient, µs per gradient, the ratios ours/Stan.
 * - `--goal`: 4 chains each, min bulk ESS per second of warm-up + sampling: ours per CPU second
 *   (process.cpuUsage around the sample call, every thread of the process) and per wall second;
 *   Stan's per second of the smaller of its R process's CPU time over the sampling call and
 *   get_elapsed_time summed over its chains (rstan runs them one after another on one core, so
 *   on a quiet machine the two agree but for rstan's own set-up and post-processing), and per
 *   elapsed second for the wall ratio; the same CPU ratio over the sampling phase only (ours:
 *   CPU from the first sampling-phase progress report; Stan's CPU split by its elapsed times);
 *   the geometric means of the ratios over the posteriors; and the posteriordb check of both
 *   runs' draws (divergences not judged). Neither side counts compilation or start-up.
 * - `--grad-us`: µs per log density + gradient at three fixed unconstrained points (CPU time,
 *   median over batches of calls): our host executor (hostValueAndGrad, one chain), the tfjs
 *   executor of the same recorded graph and the interpreter's own tfjs log density (each with
 *   tfjs autodiff and the host read of the gradient, 1 chain, and per chain of a 4-chain call), Stan's `grad_log_prob` called from R
 *   (grad_stan.R), with R's own call overhead measured by a call into the same object that
 *   computes nothing and subtracted in the "net" column.
 *
 * `--stan-only` runs Stan's 4-chain runs alone (kept for a later `--goal --stan-reuse`).
 * `--max-seconds S` stops our run of a posterior after S seconds (the ESS is then over the draws
 * so far, and the row says so). Stan's outputs are kept in `--stan-dir` (default
 * $TMPDIR/dlm-stan-runs) by posterior, settings and program md5; `--stan-reuse` reads those
 * instead of running Stan again for the named posteriors, and the row says "earlier run" with
 * its time. Without `--stan`, or when R + rstan are missing (with `--install-stan` the script
 * first tries `apt-get install -y r-cran-rstan`), the Stan columns come from the recorded
 * anchors in stan_rstan221_results.csv (same machine, rstan 2.21.7, seed 4711) and are
 * labelled "recorded", not same-run. `--scaling` adds ESS/s of our sampler at 1, 4, 16, 64,
 * 256 chains. `--check-seeds` (needs rstan) judges Stan's own 4-chain runs, one per seed, by
 * the posteriordb acceptance check that our runs must pass (bench/posteriordb/check.ts: |z| ≤ 4,
 * R-hat < 1.01, divergences), with our diagnostics on Stan's draws.
 * Eight schools from the shell: shell-eight-schools.ts. Progress goes to stderr, Markdown
 * tables to stdout.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { initEngine, tf } from "../../core/engine.js";
import { valueAndGrad } from "../../core/autodiff.js";
import type { PosteriorModel } from "../../core/model.js";
import { essBulk, summarize } from "../../inference/diagnostics/index.js";
import { sample } from "../../inference/mcmc/index.js";
import { logDensityOf, posteriorModel } from "../../interpreter/instance.js";
import { ENGINES, engineNamed, type Engine } from "../../interpreter/record-model.js";
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
  "gp_pois_regr-gp_pois_regr": { file: "gp_pois_regr.stan", names: ["rho", "alpha", "f"] },
  "bball_drive_event_0-hmm_drive_0": { file: "hmm_drive_0.stan", names: ["theta1", "theta2", "phi", "lambda"] },
  "diamonds-diamonds": { file: "diamonds.stan", names: ["b", "Intercept", "sigma"] },
  "earnings-logearn_interaction": { file: "logearn_interaction.stan", names: ["beta", "sigma"] },
  "garch-garch11": { file: "garch11.stan", names: ["mu", "alpha0", "alpha1", "beta1"] },
  "hmm_example-hmm_example": { file: "hmm_example.stan", names: ["theta1", "theta2", "mu"] },
  "kilpisjarvi_mod-kilpisjarvi": { file: "kilpisjarvi.stan", names: ["alpha", "beta", "sigma"] },
  "low_dim_gauss_mix-low_dim_gauss_mix": { file: "low_dim_gauss_mix.stan", names: ["mu", "sigma", "theta"] },
  "nes2000-nes": { file: "nes.stan", names: ["beta", "sigma"] },
  "radon_mn-radon_hierarchical_intercept_noncentered": { file: "radon_hierarchical_intercept_noncentered.stan", names: ["alpha_raw", "beta", "mu_alpha", "sigma_alpha", "sigma_y", "alpha"] },
  "sblrc-blr": { file: "blr.stan", names: ["beta", "sigma"] },
  "wells_data-wells_dist": { file: "wells_dist.stan", names: ["beta"] },
};

/** What one run (ours or Stan's) measured. */
interface Measure {
  readonly minEss: number;
  /** Seconds of the sampling phase (ours: wall; Stan: summed over its sequential chains). */
  readonly samplingSeconds: number;
  /** Warm-up + sampling seconds (ours: wall of the sample call; Stan: summed over chains, i.e. its CPU time on one core). */
  readonly totalSeconds: number;
  /** CPU seconds (user + system) of the run: ours, every thread of the process over the sample call; Stan, its R process over the sampling call. */
  readonly cpuSeconds?: number;
  /** CPU seconds of the sampling phase: ours, from the first progress report of the phase to the end; Stan, cpuSeconds × its sampling share of elapsed time. */
  readonly samplingCpuSeconds?: number;
  /** Gradient evaluations in the sampling phase, summed over chains. */
  readonly gradients: number;
  readonly divergences: number;
  /** Draws per chain the ESS is over (fewer than asked where a run was capped). */
  readonly draws: number;
  /** Ours: which engine ran (posteriorModel's note). */
  readonly engine?: string;
  /** Why the run is not a full one, if it is not. */
  readonly note?: string;
  /** The posteriordb check (bench/posteriordb/check.ts, divergences not judged) on the run's draws. */
  readonly check?: string;
}

interface Row {
  readonly name: string;
  readonly chains: number;
  readonly ours: Measure;
  readonly stan: Measure | undefined;
  readonly stanSource: string;
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
  readonly engine: Engine;
  readonly chainCounts: number[];
  readonly goal: boolean;
  readonly gradUs: boolean;
  readonly tfjsGrad: boolean;
  readonly maxSeconds: number;
  readonly stanDir: string;
  readonly stanReuse: string[];
  readonly stanOnly: boolean;
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
  let o: Omit<Options, "names"> = {
    stan: false, install: false, compare: true, seed: 4711, warmup: 1000, draws: 1000, scaling: [], scalingChains: [1, 4, 16, 64, 256], checkSeeds: [],
    engine: "auto", chainCounts: [1, 4], goal: false, gradUs: false, tfjsGrad: true, maxSeconds: Infinity,
    stanDir: process.env["STAN_RUNS"] ?? join(tmpdir(), "dlm-stan-runs"), stanReuse: [], stanOnly: false,
  };
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
      case "--engine": {
        const e = engineNamed(argv[++i]);
        if (e === undefined) throw new Error(`--engine needs one of ${ENGINES.join(", ")}`);
        o = { ...o, engine: e };
        break;
      }
      case "--chains": o = { ...o, chainCounts: (argv[++i] ?? "").split(",").map((s) => num(a, s)) }; break;
      case "--goal": o = { ...o, goal: true, compare: false }; break;
      case "--grad-us": o = { ...o, gradUs: true }; break;
      case "--stan-only": o = { ...o, stan: true, stanOnly: true, compare: false }; break;
      case "--no-tfjs-grad": o = { ...o, tfjsGrad: false }; break;
      case "--max-seconds": o = { ...o, maxSeconds: num(a, argv[++i]) }; break;
      case "--stan-dir": o = { ...o, stanDir: argv[++i] ?? "" }; break;
      case "--stan-reuse": {
        const v = argv[++i] ?? "";
        o = { ...o, stanReuse: v === "all" ? Object.keys(PROGRAMS) : v.split(",").filter((x) => x !== "").map(resolve) };
        break;
      }
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

/** The posteriordb check of a run's draws of the compared names (`cols[name][chain]`): pass, or FAIL with why. */
function verdict(name: string, names: readonly string[], cols: readonly (readonly Float64Array[])[], divergences: number): string {
  const p = loadPosterior(name);
  const chains = cols[0]!.map((_, c) => cols.map((perChain) => perChain[c]!));
  const summary = summarize({ names: [...names], chains }, { includeLp: false });
  const check = checkPosterior(summary.rows, p.reference, p.referenceNames.filter((n) => names.includes(n)), divergences, true);
  const worst = check.worst ? `max \\|z\\| ${Math.abs(check.worst.z).toFixed(1)}` : "";
  return check.pass ? `pass (${worst})` : `FAIL: ${check.failures.join("; ")}`;
}

/** CPU seconds (user + system) of this process so far, every thread included. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Our posterior model on the chosen engine, with the engine's note. */
function ourModel(name: string, engine: Engine): { model: PosteriorModel; engine: string } {
  let note = "";
  // a tfjs run takes the float32 variant of a translation where there is one (posteriors.ts)
  const model = posteriorModel(instantiatePosterior(loadPosterior(name, engine)), { engine, note: (line) => { note = line.replace(/^engine: /, ""); } });
  return { model, engine: note || engine };
}

async function runOurs(name: string, chains: number, o: Options): Promise<Measure> {
  const { model, engine } = ourModel(name, o.engine);
  const abort = new AbortController();
  const wall0 = performance.now();
  const cpu0 = cpuSeconds();
  let cpuSampling: number | undefined;
  let where = "start";
  const r = await sample(model, {
    chains, warmup: o.warmup, draws: o.draws, seed: o.seed, signal: abort.signal,
    onProgress: (info) => {
      if (info.phase === "sampling" && cpuSampling === undefined) cpuSampling = cpuSeconds();
      where = `${info.phase} ${info.iteration}/${info.total}`;
      if ((performance.now() - wall0) / 1000 > o.maxSeconds) abort.abort();
    },
  });
  const cpuEnd = cpuSeconds();
  const wall = (performance.now() - wall0) / 1000;
  const outs = r.draws.map((q) => chainOutputs(model, q, r.nDraws));
  const names = comparedNames(name);
  const cols = names.map((n) => {
    const j = model.outputNames.indexOf(n);
    if (j < 0) throw new Error(`${name}: our model has no output ${n}`);
    return outs.map((c) => c[j]!);
  });
  const divergences = sum(r.stats.map((s) => sum(s.divergent__)));
  return {
    minEss: r.nDraws >= 20 ? minEss(cols) : NaN,
    ...(r.nDraws >= 20 ? { check: verdict(name, names, cols, divergences) } : {}),
    samplingSeconds: r.seconds.sampling,
    totalSeconds: wall,
    cpuSeconds: cpuEnd - cpu0,
    ...(cpuSampling !== undefined ? { samplingCpuSeconds: cpuEnd - cpuSampling } : {}),
    gradients: sum(r.stats.map((s) => sum(s.n_leapfrog__))),
    divergences,
    draws: r.nDraws,
    engine,
    ...(r.interrupted ? { note: `capped at ${o.maxSeconds} s (${where}): ESS over ${r.nDraws} draws per chain` } : {}),
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
  readonly cpu_s?: number;
  readonly warmup_s: number;
  readonly sampling_s: number;
  readonly grad_sampling: number;
  readonly divergences: number;
  readonly draws: readonly Readonly<Record<string, readonly number[]>>[];
}

/** Where one rstan run's output is kept: by posterior, settings and the program's md5. */
function stanOutPath(name: string, chains: number, o: Options): string {
  const md5 = createHash("md5").update(readFileSync(join(HERE, PROGRAMS[name]!.file))).digest("hex").slice(0, 12);
  return join(o.stanDir, `${name}-${chains}ch-${o.warmup}+${o.draws}-seed${o.seed}-${md5}.json`);
}

function runStan(name: string, chains: number, o: Options): { measure: Measure; source: string } {
  const { measure, source } = runStanDraws(name, chains, o);
  return { measure, source };
}

/**
 * One rstan run: what it measured, and the draws of the compared names (`cols[name][chain]`).
 * Its output is kept in o.stanDir; for the posteriors in o.stanReuse a kept output is read
 * instead of running Stan again (source "earlier run" with its time).
 */
function runStanDraws(name: string, chains: number, o: Options): { measure: Measure; names: string[]; cols: Float64Array[][]; source: string } {
  mkdirSync(o.stanDir, { recursive: true });
  const out = stanOutPath(name, chains, o);
  const names = comparedNames(name);
  let source = "same run";
  if (o.stanReuse.includes(name) && existsSync(out)) {
    source = `earlier run (${statSync(out).mtime.toISOString().slice(0, 16).replace("T", " ")} UTC)`;
  } else {
    const args = [join(HERE, "run_stan.R"), join(HERE, PROGRAMS[name]!.file), join(DATA_DIR, name, "data.json"), out,
      String(chains), String(o.warmup), String(o.draws), String(o.seed), process.env["STAN_CACHE"] ?? join(tmpdir(), "dlm-stan-cache"), ...names];
    const r = spawnSync("Rscript", args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`rstan failed on ${name}: ${r.stderr.slice(-2000)}`);
  }
  const j = JSON.parse(readFileSync(out, "utf8")) as StanJson;
  const cols = names.map((n) => j.draws.map((c) => {
    const v = c[n];
    if (v === undefined) throw new Error(`${name}: Stan output lacks ${n}`);
    return Float64Array.from(v);
  }));
  const measure: Measure = {
    minEss: minEss(cols),
    samplingSeconds: j.sampling_s,
    totalSeconds: j.warmup_s + j.sampling_s,
    ...(j.cpu_s !== undefined ? { cpuSeconds: j.cpu_s, samplingCpuSeconds: (j.cpu_s * j.sampling_s) / (j.warmup_s + j.sampling_s) } : {}),
    gradients: j.grad_sampling,
    divergences: j.divergences,
    draws: o.draws,
    check: verdict(name, names, cols, j.divergences),
  };
  return { measure, names, cols, source };
}

/** Stan's own 4-chain runs judged by the posteriordb check, one row per seed. */
function checkStan(name: string, o: Options): string[] {
  const p = loadPosterior(name);
  return o.checkSeeds.map((seed) => {
    process.stderr.write(`${name}: rstan, 4 chains, seed ${seed} ...\n`);
    const { measure, names, cols } = runStanDraws(name, 4, { ...o, seed });
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
      totalSeconds: Number(r["warmup_s"]) + Number(r["sampling_s"]),
      draws: 1000,
      gradients: Number(r["grad_evals_sampling"]),
      divergences: Number(r["divergences"]),
    });
  }
  return out;
}

const fmt = (x: number | undefined, d: number): string => (x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(d));
/** Ratios span orders of magnitude: two significant digits. */
const ratio = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? "–" : x >= 100 ? x.toFixed(0) : x.toPrecision(2));
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

/** Median CPU µs per call of `call` over batches of ~20 ms CPU, for at least `budgetS` seconds and 9 batches. */
function cpuUsPerCall(call: (i: number) => void, budgetS: number): number {
  let n = 1;
  for (;;) {
    const t0 = cpuSeconds();
    for (let i = 0; i < n; i++) call(i);
    if (cpuSeconds() - t0 > 0.02 || n >= 1 << 22) break;
    n *= 4;
  }
  const us: number[] = [];
  const start = cpuSeconds();
  while (us.length < 9 || (cpuSeconds() - start < budgetS && us.length < 1000)) {
    const t0 = cpuSeconds();
    for (let i = 0; i < n; i++) call(i);
    us.push((1e6 * (cpuSeconds() - t0)) / n);
  }
  us.sort((x, y) => x - y);
  return us[us.length >> 1]!;
}

/** Three fixed points near the unconstrained origin (the same rule as grad_stan.R's). */
const gradPoints = (dim: number): Float64Array[] => [0, 1, 2].map((k) => Float64Array.from({ length: dim }, (_, i) => 0.5 * Math.sin(i + k * dim)));

interface GradRow {
  readonly name: string;
  readonly dim: number;
  readonly engine: string;
  readonly host?: number;
  readonly tfjs1?: number;
  readonly tfjs4?: number;
  /** The interpreter's tfjs log density (what runs where a model does not record). */
  readonly interp1?: number;
  readonly interp4?: number;
  readonly stan?: number;
  readonly stanEmpty?: number;
  readonly stanDim?: number;
}

/** µs per value + gradient: our host executor, our tfjs executor and the interpreter's tfjs path (1 chain, and per chain of 4), Stan's grad_log_prob. */
function gradUs(name: string, o: Options, stan: boolean): GradRow {
  const budget = 1.5;
  const host = ourModel(name, "host");
  const dim = host.model.dim;
  const points = gradPoints(dim);
  let hostUs: number | undefined;
  const hvg = host.model.hostValueAndGrad;
  if (hvg !== undefined) {
    const g = new Float64Array(dim);
    let acc = 0;
    hostUs = cpuUsPerCall((i) => { acc += hvg(points[i % 3]!, g, 0); }, budget);
    if (!Number.isFinite(acc)) process.stderr.write(`  ${name}: host log density not finite at the timing points\n`);
  }
  let tfjs1: number | undefined;
  let tfjs4: number | undefined;
  let interp1: number | undefined;
  let interp4: number | undefined;
  if (o.tfjsGrad) {
    const { model } = ourModel(name, "tfjs");
    const inst = instantiatePosterior(loadPosterior(name, "tfjs"));
    const at = (rows: number): tf.Tensor2D[] => [0, 1, 2].map((k) => tf.tensor2d(Array.from({ length: rows }, (_, c) => Array.from(points[(k + c) % 3]!)), [rows, dim]));
    const timed = (f: (q: tf.Tensor2D) => tf.Tensor1D, qs: tf.Tensor2D[]): number => cpuUsPerCall((i) => {
      const r = valueAndGrad(f, qs[i % 3]!);
      r.grad.dataSync();
      tf.dispose([r.value, r.grad]);
    }, budget);
    const q1 = at(1);
    const q4 = at(4);
    // the tfjs executor of the recorded graph, and the interpreter's own tfjs log density
    const ir = (x: tf.Tensor2D): tf.Tensor1D => model.logDensity(x);
    const interp = (x: tf.Tensor2D): tf.Tensor1D => logDensityOf(inst, x);
    tfjs1 = timed(ir, q1);
    interp1 = timed(interp, q1);
    tfjs4 = timed(ir, q4) / 4;
    interp4 = timed(interp, q4) / 4;
    tf.dispose([...q1, ...q4]);
  }
  let stanUs: number | undefined;
  let stanEmpty: number | undefined;
  let stanDim: number | undefined;
  if (stan) {
    mkdirSync(o.stanDir, { recursive: true });
    const out = join(o.stanDir, `${name}-grad.json`);
    const r = spawnSync("Rscript", [join(HERE, "grad_stan.R"), join(HERE, PROGRAMS[name]!.file), join(DATA_DIR, name, "data.json"), out,
      process.env["STAN_CACHE"] ?? join(tmpdir(), "dlm-stan-cache"), String(budget)], { encoding: "utf8" });
    if (r.status !== 0) process.stderr.write(`  ${name}: grad_stan.R failed: ${r.stderr.slice(-1000)}\n`);
    else {
      const j = JSON.parse(readFileSync(out, "utf8")) as { dim: number; us_per_grad: number; us_per_empty_call: number };
      stanUs = j.us_per_grad;
      stanEmpty = j.us_per_empty_call;
      stanDim = j.dim;
    }
  }
  return {
    name, dim, engine: host.engine,
    ...(hostUs !== undefined ? { host: hostUs } : {}),
    ...(tfjs1 !== undefined ? { tfjs1 } : {}),
    ...(tfjs4 !== undefined ? { tfjs4 } : {}),
    ...(interp1 !== undefined ? { interp1, interp4: interp4! } : {}),
    ...(stanUs !== undefined ? { stan: stanUs, stanEmpty: stanEmpty!, stanDim: stanDim! } : {}),
  };
}

const us = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? "–" : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));

/** Stan's µs per gradient net of R's call overhead (grad_log_prob less a call that computes nothing). */
const stanNet = (r: GradRow): number | undefined => (r.stan !== undefined && r.stanEmpty !== undefined ? r.stan - r.stanEmpty : undefined);

function gradTable(rows: readonly GradRow[]): string {
  const head = "| posterior | dim (ours/Stan) | host µs | tfjs executor µs (1 chain) | tfjs executor µs per chain (4 chains) | interpreter µs (1 chain) | interpreter µs per chain (4 chains) | Stan grad_log_prob from R µs | R call overhead µs | Stan net µs | Stan net / host | tfjs executor (1 chain) / host | host engine |";
  const sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|";
  const div = (a: number | undefined, b: number | undefined): number | undefined => (a !== undefined && b !== undefined ? a / b : undefined);
  const lines = rows.map((r) =>
    `| ${r.name} | ${r.dim}/${r.stanDim ?? "–"} | ${us(r.host)} | ${us(r.tfjs1)} | ${us(r.tfjs4)} | ${us(r.interp1)} | ${us(r.interp4)} | ${us(r.stan)} | ${us(r.stanEmpty)} | ${us(stanNet(r))} | ${ratio(div(stanNet(r), r.host))} | ${ratio(div(r.tfjs1, r.host))} | ${r.engine} |`);
  const g = geomean(rows.map((r) => div(stanNet(r), r.host) ?? NaN));
  const gt = geomean(rows.map((r) => div(r.tfjs1, r.host) ?? NaN));
  return [head, sep, ...lines, `| geometric mean | | | | | | | | ${ratio(g.mean)} (${g.n}) | ${ratio(gt.mean)} (${gt.n}) | |`].join("\n");
}

/** Geometric mean of the finite positive values, and how many there were. */
function geomean(xs: readonly number[]): { mean: number; n: number } {
  const ok = xs.filter((x) => Number.isFinite(x) && x > 0);
  return { mean: ok.length === 0 ? NaN : Math.exp(ok.reduce((a, x) => a + Math.log(x), 0) / ok.length), n: ok.length };
}

/** The goal's table: min bulk ESS per second of warm-up + sampling, ours against Stan's, per CPU second and per wall second. */
function goalTable(rows: readonly Row[]): string {
  const head =
    "| posterior | engine | ours min ESS | ours CPU s | ours wall s | ours ESS/CPU s | ours ESS/wall s | Stan min ESS | Stan CPU s | Stan elapsed s | Stan ESS/s (min of the two) | Stan ESS/elapsed s | ours/Stan per CPU s | ours/Stan per wall s | ours/Stan sampling phase (CPU) | ESS/grad ours/Stan | µs/grad in sampling ours / Stan (CPU) | divergences ours/Stan | check ours | check Stan | Stan figures | note |";
  const sep = "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|";
  // Stan's seconds: the smaller of its R process's CPU over the sampling call (which includes
  // rstan's own set-up and post-processing) and its elapsed time (inflated by other load):
  // whichever is less favourable to us.
  const stanCpu = (m: Measure): number => Math.min(m.cpuSeconds ?? Infinity, m.totalSeconds);
  const stanSampCpu = (m: Measure): number => Math.min(m.samplingCpuSeconds ?? Infinity, m.samplingSeconds);
  const cpuRatio = (r: Row): number => (r.stan ? r.ours.minEss / r.ours.cpuSeconds! / (r.stan.minEss / stanCpu(r.stan)) : NaN);
  const wallRatio = (r: Row): number => (r.stan ? r.ours.minEss / r.ours.totalSeconds / (r.stan.minEss / r.stan.totalSeconds) : NaN);
  const sampRatio = (r: Row): number => (r.stan && r.ours.samplingCpuSeconds !== undefined ? r.ours.minEss / r.ours.samplingCpuSeconds / (r.stan.minEss / stanSampCpu(r.stan)) : NaN);
  const inSampling = (r: Row): string => `${us(r.ours.samplingCpuSeconds !== undefined ? (1e6 * r.ours.samplingCpuSeconds) / r.ours.gradients : undefined)} / ${us(r.stan && (1e6 * stanSampCpu(r.stan)) / r.stan.gradients)}`;
  const lines = rows.map((r) => {
    const s = r.stan;
    return `| ${r.name} | ${r.ours.engine ?? "–"} | ${fmt(r.ours.minEss, 0)} | ${fmt(r.ours.cpuSeconds, 2)} | ${fmt(r.ours.totalSeconds, 2)} | ${fmt(r.ours.minEss / r.ours.cpuSeconds!, 0)} | ${fmt(r.ours.minEss / r.ours.totalSeconds, 0)} | ${fmt(s?.minEss, 0)} | ${fmt(s?.cpuSeconds, 2)} | ${fmt(s?.totalSeconds, 2)} | ${fmt(s && s.minEss / stanCpu(s), 0)} | ${fmt(s && s.minEss / s.totalSeconds, 0)} | ${ratio(cpuRatio(r))} | ${ratio(wallRatio(r))} | ${ratio(sampRatio(r))} | ${ratio(s && perGrad(r.ours) / perGrad(s))} | ${inSampling(r)} | ${r.ours.divergences}/${s?.divergences ?? "–"} | ${r.ours.check ?? "–"} | ${s?.check ?? "–"} | ${r.stanSource} | ${r.ours.note ?? ""} |`;
  });
  const gc = geomean(rows.map(cpuRatio));
  const gw = geomean(rows.map(wallRatio));
  const gs = geomean(rows.map(sampRatio));
  const gg = geomean(rows.map((r) => (r.stan ? perGrad(r.ours) / perGrad(r.stan) : NaN)));
  return [head, sep, ...lines, `| **geometric mean** (${gc.n} posteriors) | | | | | | | | | | | | **${ratio(gc.mean)}** | **${ratio(gw.mean)}** | ${ratio(gs.mean)} | ${ratio(gg.mean)} | | | | | | |`].join("\n");
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
  process.stderr.write(`rows so far: ${work}/rows.json, ${work}/grad.json\n`);
  const stanOf = (name: string, chains: number): { stan: Measure | undefined; stanSource: string } => {
    if (source === "same run") {
      process.stderr.write(`${name}, ${chains} chain(s): rstan ...\n`);
      const r = runStan(name, chains, o);
      return { stan: r.measure, stanSource: r.source };
    }
    const stan = anchors.get(`${name}/${chains === 1 ? "1chain" : "4chains"}`);
    return { stan, stanSource: stan === undefined ? "none" : "recorded" };
  };
  if (o.gradUs) {
    const rows: GradRow[] = [];
    for (const name of o.names) {
      process.stderr.write(`${name}: µs per gradient ...\n`);
      rows.push(gradUs(name, o, source === "same run"));
      writeFileSync(join(work, "grad.json"), JSON.stringify(rows, null, 1));
      process.stderr.write(`${gradTable(rows.slice(-1))}\n`);
    }
    process.stdout.write(`\nµs per log density + gradient (CPU time, median over batches of calls at three fixed points):\n\n${gradTable(rows)}\n`);
  }
  if (o.stanOnly && source === "same run") {
    // Stan's 4-chain runs alone, kept in o.stanDir for a later --goal --stan-reuse.
    for (const name of o.names) {
      const { measure: m } = runStan(name, 4, o);
      process.stderr.write(`  min ESS ${fmt(m.minEss, 0)}, CPU ${fmt(m.cpuSeconds, 1)} s, elapsed ${fmt(m.totalSeconds, 1)} s, ${m.check ?? ""}\n`);
    }
  }
  const rows: Row[] = [];
  const runs = o.goal ? o.names.map((name) => [name, 4] as const) : o.compare ? o.names.flatMap((name) => o.chainCounts.map((c) => [name, c] as const)) : [];
  for (const [name, chains] of runs) {
    process.stderr.write(`${name}, ${chains} chain(s): ours (${o.engine}) ...\n`);
    const ours = await runOurs(name, chains, o);
    const { stan, stanSource } = stanOf(name, chains);
    rows.push({ name, chains, ours, stan, stanSource });
    writeFileSync(join(work, "rows.json"), JSON.stringify(rows, null, 1));
    process.stderr.write(`${(o.goal ? goalTable : table)(rows.slice(-1))}\n`);
  }
  if (rows.length > 0 && o.goal) {
    process.stdout.write(`\n${rows[0]!.chains} chains × (${o.warmup} warm-up + ${o.draws} draws), seed ${o.seed}, engine ${o.engine}; ` +
      "ESS/s over warm-up + sampling. Ours: CPU of every thread of the process, and wall, around the sample call. Stan: CPU of its R process around the sampling call, and get_elapsed_time summed over its chains (run one after another on one core, so this is its wall time of sampling); the per-CPU-second ratio divides by the smaller of the two, the per-wall-second one by the elapsed time\n\n" +
      `${goalTable(rows)}\n`);
  } else if (rows.length > 0) {
    process.stdout.write(`\n${o.warmup} warm-up + ${o.draws} draws per chain, seed ${o.seed}, engine ${o.engine}\n\n${table(rows)}\n`);
  }
  if (o.checkSeeds.length > 0 && source === "same run") {
    const lines = ["| posterior | seed | min bulk ESS | max R-hat | divergences | worst \\|z\\| | posteriordb check |", "|---|---:|---:|---:|---:|---:|---|"];
    for (const name of o.names) lines.push(...checkStan(name, o));
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
