/**
 * `dlm sample FILE.dlm --model NAME --data DATA.json`: NUTS (or static HMC) on a model of the
 * file given the data; one CmdStan-layout CSV per chain (`PREFIX-1.csv`, ...; by default
 * `MODEL-1.csv`, ... beside the .dlm file, as `dlm train` writes `MODEL-fit.json` there), written
 * atomically, then the summary table (or `--json`) on stdout. Progress and warnings (the
 * model's slow loops, the sampler's diagnostics) go to stderr; `--json` carries the sampler's
 * warnings in its object instead.
 *
 * Ctrl-C (SIGINT) stops after the current iteration: the completed draws are written and
 * summarised as usual, a note says the run was interrupted, and the exit code is 130. A second
 * Ctrl-C exits at once (130) without writing.
 */
import { Option, type Command } from "commander";
import type { PosteriorModel } from "../../core/model.js";
import type { SamplerSettings } from "../../inference/draws/index.js";
import type { SampleResult } from "../../inference/mcmc/index.js";
import { EXIT_INTERRUPTED, UserError } from "../errors.js";
import { backendOf } from "../global-options.js";
import { integerAtLeast, numberBetween } from "../parse-options.js";
import { progressReporter } from "../progress.js";
import { summaryJson, summaryText, warningLines } from "../report.js";

export interface SampleCliOptions {
  readonly model: string;
  readonly data: string;
  readonly chains: number;
  readonly warmup: number;
  readonly draws: number;
  readonly seed: number;
  readonly algorithm: "nuts" | "hmc";
  readonly adaptDelta: number;
  readonly maxDepth: number;
  readonly metric: "diag" | "dense";
  /** The CSV files' prefix; default the model's name beside the .dlm file. */
  readonly output?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly plot?: string;
  /** `--plot-vars a,b,theta`: the variables (or elements, `theta[2]`) to plot. */
  readonly plotVars?: string;
  readonly backend?: string;
  /** Which engine computes the gradients: auto (host where the model records), host or tfjs. */
  readonly engine?: "auto" | "host" | "tfjs";
}

/** `YYYY-MM-DD hh:mm:ss UTC`, as CmdStan writes start_datetime. */
function utcStamp(d: Date): string {
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/**
 * The configuration comments of the CSV files: what was run. A run stopped by Ctrl-C kept fewer
 * draws than asked for: `num_samples` is the number kept, and `dlm_interrupted` and
 * `dlm_draws_requested` say that it was stopped and what had been asked for.
 */
function settingsOf(o: SampleCliOptions, file: string, seed: number, result: SampleResult | undefined): SamplerSettings {
  return {
    model: o.model,
    numSamples: result?.interrupted ? result.nDraws : o.draws,
    numWarmup: o.warmup,
    adaptEngaged: true,
    adaptDelta: o.adaptDelta,
    maxDepth: o.maxDepth,
    metric: o.metric === "dense" ? "dense_e" : "diag_e",
    numChains: o.chains,
    seed,
    dataFile: o.data,
    startDatetime: utcStamp(new Date()),
    extra: {
      dlm_file: file,
      dlm_algorithm: o.algorithm,
      ...(result?.interrupted ? { dlm_interrupted: true, dlm_draws_requested: o.draws } : {}),
    },
  };
}

/** Runs the sampler with progress and Ctrl-C handling; resolves with the result. */
async function runSampler(model: PosteriorModel, o: SampleCliOptions): Promise<SampleResult> {
  const { sample } = await import("../../inference/mcmc/index.js");
  const progress = progressReporter({ chains: o.chains, warmup: o.warmup, draws: o.draws, quiet: o.quiet ?? false });
  const abort = new AbortController();
  const onSigint = (): void => {
    if (abort.signal.aborted) {
      progress.stop();
      process.stderr.write("interrupted again: exiting without writing\n");
      process.exit(EXIT_INTERRUPTED);
    }
    abort.abort();
    progress.log("interrupt: stopping after the current iteration (Ctrl-C again to quit at once)");
  };
  process.on("SIGINT", onSigint);
  try {
    return await sample(model, {
      chains: o.chains,
      warmup: o.warmup,
      draws: o.draws,
      seed: o.seed,
      algorithm: o.algorithm,
      adaptDelta: o.adaptDelta,
      maxDepth: o.maxDepth,
      metric: o.metric,
      onProgress: (info) => progress.update(info),
      signal: abort.signal,
    });
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
  }
}

/** Fails before any work when the folder of `PREFIX-1.csv` cannot take files. */
async function checkOutputFolder(prefix: string): Promise<void> {
  const { access, constants } = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  const dir = dirname(prefix);
  try {
    await access(dir, constants.W_OK);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new UserError(`cannot write '${prefix}-1.csv': ${code === "ENOENT" ? `the folder '${dir}' does not exist` : `the folder '${dir}' is not writable`}`);
  }
}

/** The command's action. */
export async function sampleCommand(file: string, options: SampleCliOptions): Promise<void> {
  const { dirname, join } = await import("node:path");
  const o = { ...options, output: options.output ?? join(dirname(file), options.model) };
  await checkOutputFolder(o.output);
  // Refused before sampling, not after a run's worth of waiting.
  if (o.plotVars !== undefined && o.plot === undefined) throw new UserError("--plot-vars needs --plot DIR");
  const { readModelInput } = await import("../model-input.js");
  const { posteriorFromData } = await import("../interpreter.js");
  const input = await readModelInput(file, o.model, o.data);
  const { initEngine } = await import("../../core/engine.js");
  await initEngine(o.backend);
  const warn = o.quiet ? undefined : (line: string): void => void process.stderr.write(line + "\n");
  const model = await posteriorFromData({
    program: input.program, source: input.source, file, model: o.model, data: input.data, ...(warn !== undefined ? { warn, note: warn } : {}),
    engine: o.engine ?? "auto", chains: o.chains,
  });
  const result = await runSampler(model, o);
  if (result.interrupted && result.nDraws === 0) {
    process.stderr.write("interrupted during warm-up: no draws were kept, nothing written\n");
    process.exitCode = EXIT_INTERRUPTED;
    return;
  }
  const { toDraws } = await import("../to-draws.js");
  const { saveDrawsCsv } = await import("../../inference/draws/index.js");
  const { summarizeDraws } = await import("../../inference/draws/index.js");
  const { warnings } = await import("../../inference/diagnostics/index.js");
  const draws = toDraws(model, result, settingsOf(o, file, result.seed, result));
  const paths = draws.chains.map((_, c) => `${o.output}-${c + 1}.csv`);
  try {
    await Promise.all(paths.map((p, c) => saveDrawsCsv(p, draws, c, { ...draws.settings, outputFile: p })));
  } catch (e) {
    throw new UserError(`cannot write '${paths[0]}': ${e instanceof Error ? e.message : String(e)}`);
  }
  const summary = summarizeDraws(draws);
  const notes = warnings(summary);
  if (o.plot !== undefined) {
    const { parsePlotVars, writeRunPlots } = await import("../../plots/run-plots.js");
    const vars = o.plotVars !== undefined ? parsePlotVars(o.plotVars) : undefined;
    let written: string[];
    try {
      // A cut is never silent: the SVG says so, and so does a line here.
      written = await writeRunPlots(draws, o.plot, { ...(vars && vars.length > 0 ? { vars } : {}), onNote: (line) => process.stderr.write(`plots: ${line}\n`) });
    } catch (e) {
      if (e instanceof RangeError && vars !== undefined) throw new UserError(`--plot-vars: ${e.message}`);
      throw e;
    }
    if (!o.quiet) process.stderr.write(`plots: ${written.join(", ")}\n`);
  }
  if (!o.quiet) process.stderr.write(`wrote ${paths.join(", ")}\n`);
  const place = { engine: model.hostValueAndGrad !== undefined ? ("host" as const) : ("tfjs" as const), threads: result.threads };
  if (o.json) process.stdout.write(JSON.stringify(summaryJson(summary, notes, result.seconds, place)) + "\n");
  else {
    process.stdout.write(summaryText(summary, result.seconds, place));
    process.stderr.write(warningLines(notes));
  }
  if (result.interrupted) {
    process.stderr.write(`interrupted: kept the ${result.nDraws} completed draws per chain (of ${o.draws}); exit code 130\n`);
    process.exitCode = EXIT_INTERRUPTED;
  }
}

/** Registers `sample` on `program`. */
export function registerSample(program: Command): void {
  program
    .command("sample")
    .description("draw from a model's posterior with NUTS or HMC; one CmdStan-layout CSV per chain")
    .argument("<file>", "the .dlm file")
    .requiredOption("--model <name>", "the model to sample")
    .requiredOption("--data <file>", "Stan-style JSON data (keys: the model's arguments) or CSV (columns by header)")
    .option("--chains <n>", "number of chains", integerAtLeast(1), 4)
    .option("--warmup <n>", "warm-up iterations per chain", integerAtLeast(0), 1000)
    .option("--draws <n>", "draws kept per chain", integerAtLeast(0), 1000)
    .option("--seed <n>", "random seed", integerAtLeast(0), 1)
    .addOption(new Option("--algorithm <name>", "sampler").choices(["nuts", "hmc"]).default("nuts"))
    .option("--adapt-delta <x>", "target acceptance rate of step-size adaptation", numberBetween(0, 1), 0.8)
    .option("--max-depth <n>", "maximum NUTS tree depth", integerAtLeast(1), 10)
    .addOption(new Option("--metric <kind>", "mass matrix").choices(["diag", "dense"]).default("diag"))
    .option("--output <prefix>", "write PREFIX-1.csv, PREFIX-2.csv, ... (one per chain; default MODEL-1.csv, ... beside the .dlm file)")
    .option("--json", "print one JSON summary on stdout instead of the table")
    .option("--plot <dir>", "also write trace, density and pair plots (SVG) into this folder")
    .option("--plot-vars <names>", "with --plot: the variables to plot, comma-separated (a name selects all its elements, theta[2] one)")
    .addOption(new Option("--engine <name>", "gradients from the recorded model by the float64 host executor (compiled) or tfjs (float32, chains batched), or auto: the cheaper; a model that does not record runs on the interpreter's tfjs path").choices(["auto", "host", "tfjs"]).default("auto"))
    .option("--quiet", "no progress on stderr")
    .action(async (file: string, o: SampleCliOptions, cmd: Command) => sampleCommand(file, { ...o, ...backendOf(cmd) }));
}

