/**
 * The posteriordb benchmark: samples every translated posterior with our NUTS (4 chains ×
 * 1,000 draws after 1,000 warm-up, seed 4711 unless told otherwise), checks it against the
 * reference posterior (check.ts) and prints a Markdown table for bench/RESULTS.md.
 *
 *   npx tsx bench/posteriordb/run.ts [names...] [--chains 4] [--warmup 1000] [--draws 1000]
 *       [--seed 4711] [--max-seconds S] [--json out.json] [--backend wasm] [--engine auto|host|tfjs]
 *   npx tsx bench/posteriordb/run.ts --merge a.json b.json ...
 *
 * With `--engine tfjs` (the default) a translation with a float32 variant (models/float32/)
 * runs in that form (posteriors.ts).
 * Names may be whole posterior names or any unique substring ("garch"). `--max-seconds` stops a
 * posterior's run after S seconds; a run stopped during sampling with at least 50 draws per
 * chain is still checked on the draws it has (its row says so), one stopped earlier is reported
 * as stopped. Without it every run goes to the end. Progress goes to stderr, the table to
 * stdout. `--json` saves the rows after every posterior; `--merge` prints one table from the
 * rows of several such files (runs split over several processes; a posterior in several files
 * keeps its row from the last).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { initEngine } from "../../core/engine.js";
import { summarize } from "../../inference/diagnostics/index.js";
import { sample, type SampleResult } from "../../inference/mcmc/index.js";
import { posteriorModel } from "../../interpreter/instance.js";
import { ENGINES, engineNamed, type Engine } from "../../interpreter/record-model.js";
import { chainOutputs } from "../../cli/to-draws.js";
import { checkPosterior, type PosteriorCheck } from "./check.js";
import { instantiatePosterior, loadPosterior, posteriorNames } from "./posteriors.js";
import { stanAnchors, type StanAnchor } from "./stan.js";

interface Options {
  readonly names: string[];
  readonly chains: number;
  readonly warmup: number;
  readonly draws: number;
  readonly seed: number;
  readonly maxSeconds: number;
  readonly json?: string;
  readonly backend?: string;
  /** The gradient engine (interpreter/record-model.ts); default tfjs. */
  readonly engine?: Engine;
  readonly merge: string[];
}

/** One row of the results table. */
interface Row {
  readonly name: string;
  readonly dim: number | undefined;
  readonly seconds: number | undefined;
  readonly check: PosteriorCheck | undefined;
  readonly essPerSecond: number | undefined;
  readonly stan: StanAnchor | undefined;
  readonly note: string;
  /** Draws per chain the check used (fewer than asked when the run was stopped). */
  readonly draws?: number;
}

/** A run stopped during sampling is checked when it has at least this many draws per chain. */
const MIN_PARTIAL_DRAWS = 50;

function parseArgs(argv: readonly string[]): Options {
  const names: string[] = [];
  const merge: string[] = [];
  const num = (flag: string, v: string | undefined): number => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x)) throw new Error(`${flag} needs a number`);
    return x;
  };
  let o: Omit<Options, "names" | "merge"> = { chains: 4, warmup: 1000, draws: 1000, seed: 4711, maxSeconds: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case "--chains": o = { ...o, chains: num(a, argv[++i]) }; break;
      case "--warmup": o = { ...o, warmup: num(a, argv[++i]) }; break;
      case "--draws": o = { ...o, draws: num(a, argv[++i]) }; break;
      case "--seed": o = { ...o, seed: num(a, argv[++i]) }; break;
      case "--max-seconds": o = { ...o, maxSeconds: num(a, argv[++i]) }; break;
      case "--json": o = { ...o, json: argv[++i]! }; break;
      case "--backend": o = { ...o, backend: argv[++i]! }; break;
      case "--engine": {
        const e = engineNamed(argv[++i]);
        if (e === undefined) throw new Error(`--engine needs one of ${ENGINES.join(", ")}`);
        o = { ...o, engine: e };
        break;
      }
      case "--merge": while (i + 1 < argv.length && !argv[i + 1]!.startsWith("--")) merge.push(argv[++i]!); break;
      default:
        if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
        names.push(a);
    }
  }
  const all = posteriorNames();
  const chosen = names.length === 0 ? all : names.map((n) => {
    if (all.includes(n)) return n;
    const hits = all.filter((x) => x.includes(n));
    if (hits.length !== 1) throw new Error(`'${n}' matches ${hits.length === 0 ? "no posterior" : hits.join(", ")}`);
    return hits[0]!;
  });
  return { names: merge.length > 0 ? [] : chosen, merge, ...o };
}

const fmt = (x: number | undefined, digits: number): string => (x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits));

async function runOne(name: string, o: Options, stan: StanAnchor | undefined): Promise<Row> {
  const base = { name, stan };
  let model;
  try {
    model = posteriorModel(instantiatePosterior(loadPosterior(name, o.engine ?? "tfjs")), { engine: o.engine ?? "tfjs", note: (line) => process.stderr.write(`  ${name}: ${line}\n`) });
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
    return { ...base, dim: undefined, seconds: undefined, check: undefined, essPerSecond: undefined, note: `cannot instantiate: ${msg}` };
  }
  const p = loadPosterior(name, o.engine ?? "tfjs");
  const abort = new AbortController();
  const started = Date.now();
  let lastReport = 0;
  let where = "start";
  let result: SampleResult;
  try {
    result = await sample(model, {
      chains: o.chains,
      warmup: o.warmup,
      draws: o.draws,
      seed: o.seed,
      signal: abort.signal,
      onProgress: (info) => {
        const elapsed = (Date.now() - started) / 1000;
        where = `${info.phase} ${info.iteration}/${info.total}`;
        if (elapsed > o.maxSeconds) abort.abort();
        if (elapsed - lastReport >= 15) {
          lastReport = elapsed;
          process.stderr.write(`  ${name}: ${info.phase} ${info.iteration}/${info.total} (${elapsed.toFixed(0)} s, divergences ${info.divergences.reduce((a, b) => a + b, 0)})\n`);
        }
      },
    });
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
    return { ...base, dim: model.dim, seconds: (Date.now() - started) / 1000, check: undefined, essPerSecond: undefined, note: `sampling failed: ${msg}` };
  }
  const seconds = result.seconds.warmup + result.seconds.sampling;
  const stopped = result.interrupted ? `stopped after ${o.maxSeconds} s at ${where}` : "";
  if (result.nDraws < MIN_PARTIAL_DRAWS) {
    return { ...base, dim: model.dim, seconds, check: undefined, essPerSecond: undefined, note: stopped || `only ${result.nDraws} draws` };
  }
  const chains = result.draws.map((q) => chainOutputs(model, q, result.nDraws));
  const summary = summarize({ names: model.outputNames, chains, sampler: result.stats }, { maxDepth: 10, includeLp: false });
  const divergences = summary.sampler?.divergences ?? 0;
  const check = checkPosterior(summary.rows, p.reference, p.referenceNames, divergences, (stan?.maxDivergences ?? 0) > 0);
  // A run stopped during sampling is still checked, on the draws it has (the MCSE widens the tolerance).
  const partial = result.interrupted ? `${stopped}; checked on ${result.nDraws} draws per chain` : "";
  return {
    ...base,
    dim: model.dim,
    seconds,
    check,
    essPerSecond: check.minEssBulk / result.seconds.sampling,
    note: [partial, ...check.failures].filter((x) => x !== "").join("; "),
    draws: result.nDraws,
  };
}

/** The Markdown table of the rows. */
function table(rows: readonly Row[]): string {
  const head = "| posterior | dim | seconds | min bulk ESS | ESS/s | Stan ESS/s (1 ch / 4 ch) | max R-hat | divergences (Stan max) | worst \\|z\\| | result |";
  const sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|";
  const lines = rows.map((r) => {
    const c = r.check;
    const stanEss = `${fmt(r.stan?.essPerSecond1, 1)} / ${fmt(r.stan?.essPerSecond4, 1)}`;
    const worst = c?.worst ? `${fmt(Math.abs(c.worst.z), 2)} (${c.worst.name})` : "–";
    const result = c?.pass ? (r.note === "" ? "pass" : `pass (${r.note})`) : `FAIL: ${r.note}`;
    return `| ${r.name} | ${r.dim ?? "–"} | ${fmt(r.seconds, 1)} | ${fmt(c?.minEssBulk, 0)} | ${fmt(r.essPerSecond, 1)} | ${stanEss} | ${fmt(c?.maxRhat, 3)} | ${c ? c.divergences : "–"} (${r.stan?.maxDivergences ?? "–"}) | ${worst} | ${result} |`;
  });
  return [head, sep, ...lines].join("\n");
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.merge.length > 0) {
    // a posterior run in several files keeps its row from the last file that has it
    const byName = new Map(o.merge.flatMap((f) => JSON.parse(readFileSync(f, "utf8")) as Row[]).map((r) => [r.name, r]));
    const rows = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    process.stdout.write(`${table(rows)}\n`);
    return;
  }
  await initEngine(o.backend);
  const anchors = stanAnchors();
  const rows: Row[] = [];
  for (const name of o.names) {
    process.stderr.write(`${name} ...\n`);
    const row = await runOne(name, o, anchors.get(name));
    rows.push(row);
    process.stderr.write(`${name}: ${row.check?.pass ? "pass" : "FAIL"} (${fmt(row.seconds, 1)} s) ${row.note}\n`);
    if (o.json !== undefined) writeFileSync(o.json, JSON.stringify(rows, null, 1));
  }
  process.stdout.write(`\n${o.chains} chains × ${o.draws} draws (${o.warmup} warm-up), seed ${o.seed}, engine ${o.engine ?? "tfjs"}\n\n${table(rows)}\n`);
}

await main();
