/**
 * `save(post, "draws.csv")` and `load_draws("draws.csv")`: posteriors as CmdStan-layout CSV
 * files, one per chain, named like `dlm sample --output`: `draws-1.csv`, `draws-2.csv`, ...
 * (the `.csv` of the given name is replaced by `-N.csv`). `load_draws` reads the given file when
 * it exists, else the numbered files `-1.csv`, `-2.csv`, ... that follow it; a list of paths
 * reads those files. The loaded posterior carries the CSV's output columns (constrained
 * latents and recorded quantities) and sampler statistics: `summary` works on it directly and
 * `predict(post, model(..., missing))` takes the latents from the columns by name.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Span } from "../grammar/index.js";
import { combineChains, readCmdStanCsv, writeCmdStanCsv, type Draws, type SamplerSettings } from "../inference/draws/index.js";
import { resolvePath } from "./data-readers.js";
import { DlmError } from "./errors.js";
import type { Posterior, PosteriorDraws } from "./posterior.js";
import { asString, describeValue, type Value } from "./value.js";

/** The file of chain `c` (0-based) for the name given to `save`: `draws.csv` → `draws-1.csv`. */
export function chainFile(path: string, c: number): string {
  return `${path.replace(/\.csv$/i, "")}-${c + 1}.csv`;
}

/** The posterior's draws as a `Draws` record (column-major output names, sampler statistics). */
export function posteriorDraws(p: Posterior, model: string): Draws {
  if (p.loaded !== undefined) return p.loaded;
  const s = p.settings;
  const settings: SamplerSettings = {
    model,
    numSamples: p.result.nDraws,
    numWarmup: s?.warmup ?? 0,
    adaptEngaged: true,
    adaptDelta: s?.adaptDelta ?? 0.8,
    maxDepth: s?.maxDepth ?? 10,
    metric: p.result.metric === "dense" ? "dense_e" : "diag_e",
    numChains: p.result.chains,
    seed: p.result.seed,
    // A run stopped early says so: `num_samples` above counts the draws kept, this what was asked for.
    extra: { dlm_algorithm: p.result.algorithm, ...(p.result.interrupted ? { dlm_interrupted: true, ...(s !== undefined ? { dlm_draws_requested: s.draws } : {}) } : {}) },
  };
  const chains = p.outputs.map((rows, c) => ({
    values: p.names.map((_, j) => Float64Array.from(rows, (r) => r[j]!)),
    stats: p.result.stats[c]!,
    adaptation: { stepSize: p.result.stepSize[c]!, inverseMetric: { kind: "diag" as const, diagonal: p.result.metric === "dense" ? [] : Array.from(p.result.inverseMetric[c]!) } },
    elapsed: p.result.seconds,
  }));
  return { names: p.names, chains, settings };
}

/** `save(post, path)`: writes one CSV per chain (atomically); returns the paths written. */
export function savePosterior(p: Posterior, path: string, scriptFile: string, span: Span): string[] {
  const draws = posteriorDraws(p, p.inst?.def.name ?? "loaded");
  const full = resolvePath(path, scriptFile);
  return draws.chains.map((_, c) => {
    const file = chainFile(full, c);
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, writeCmdStanCsv(draws, c, { ...draws.settings, outputFile: file }), "utf8");
      renameSync(tmp, file);
    } catch (e) {
      throw new DlmError(`cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`, span);
    }
    return file;
  });
}

/** The files `load_draws(arg)` reads (see the module comment). */
export function drawFiles(arg: Value, scriptFile: string, span: Span): string[] {
  if (arg.kind === "list") return arg.items.map((v) => resolvePath(asString(v, span, "a path"), scriptFile));
  if (arg.kind !== "str") throw new DlmError(`load_draws needs a path (or a list of paths), but this is ${describeValue(arg)}`, span);
  const full = resolvePath(arg.v, scriptFile);
  if (existsSync(full)) return [full];
  const files: string[] = [];
  while (existsSync(chainFile(full, files.length))) files.push(chainFile(full, files.length));
  if (files.length === 0) throw new DlmError(`cannot find ${full} nor ${chainFile(full, 0)}`, span, "`save(post, \"draws.csv\")` writes draws-1.csv, draws-2.csv, ... (one per chain)");
  return files;
}

/** A posterior from CmdStan CSV files (ours or CmdStan's). */
export function loadPosterior(files: readonly string[], span: Span): Posterior {
  let draws: Draws;
  try {
    draws = combineChains(files.map((f) => readCmdStanCsv(readFileSync(f, "utf8"))));
  } catch (e) {
    throw new DlmError(`cannot read the draws in ${files.join(", ")}: ${e instanceof Error ? e.message : String(e)}`, span);
  }
  const nDraws = draws.chains[0]?.values[0]?.length ?? draws.chains[0]?.stats.lp__?.length ?? 0;
  const outputs = draws.chains.map((ch) => Array.from({ length: nDraws }, (_, n) => ch.values.map((v) => v[n]!)));
  // Only the fields that summaries and predictions read; the unconstrained draws are unknown.
  const result: PosteriorDraws = {
    dim: 0, chains: draws.chains.length, seed: draws.settings.seed, algorithm: "nuts", nDraws, draws: [],
    stats: draws.chains.map((c) => c.stats), stepSize: draws.chains.map((c) => c.adaptation?.stepSize ?? NaN),
    metric: draws.settings.metric === "dense_e" ? "dense" : "diag", inverseMetric: [], seconds: { warmup: 0, sampling: 0 }, interrupted: false,
  };
  return { inst: undefined, result, names: draws.names, outputs, loaded: draws };
}
