/**
 * `dlm vi FILE.dlm --model NAME --data DATA`: a variational approximation of the model's
 * posterior given the data, as `vi(...)` in a script fits it: ADVI (`--method meanfield`, the
 * default, or `fullrank`) or Bayes by Backprop (`--method bbb`: Adam with `--lr` over `--epochs`
 * of minibatches of `--batchsize` rows; `--covariance lowrank --rank K` or `--covariance full`
 * for a correlated q). The draws from the approximation go to `PREFIX-1.csv` in
 * CmdStan's layout (default PREFIX: `MODEL-vi` beside the .dlm file), the summary (or `--json`)
 * to stdout, progress to stderr. Ctrl-C stops after the current iteration (ADVI) or batch (Bayes
 * by Backprop): the approximation so far is written and the exit code is 130.
 */
import { Option, type Command } from "commander";
import { EXIT_INTERRUPTED, UsageError } from "../errors.js";
import { backendOf } from "../global-options.js";
import { integerAtLeast, numberBetween, positiveNumber } from "../parse-options.js";

export interface ViCliOptions {
  readonly model: string;
  readonly data: string;
  readonly method: "meanfield" | "fullrank" | "bbb";
  readonly iterations: number;
  readonly epochs: number;
  readonly draws: number;
  readonly drawsPerStep: number;
  readonly seed: number;
  readonly tol: number;
  readonly eta?: number;
  readonly optimizer?: "stan" | "adam";
  readonly lr?: number;
  readonly batchsize?: number;
  readonly validation?: number;
  readonly patience?: number;
  readonly covariance?: "meanfield" | "lowrank" | "full";
  readonly rank?: number;
  readonly output?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly backend?: string;
}

/** Bayes by Backprop's default learning rate (Adam), as in scripts. */
const BBB_LR = 0.01;

/** The command's action. */
export async function viCommand(file: string, o: ViCliOptions, given: (name: string) => boolean = () => false): Promise<void> {
  const bbb = o.method === "bbb";
  const wrong = (bbb ? ["iterations", "tol", "eta"] : ["epochs", "validation", "patience", "covariance", "rank"]).find(given);
  if (wrong !== undefined) throw new UsageError(`--${wrong} is an option of ${bbb ? "ADVI (--method meanfield or fullrank)" : "Bayes by Backprop (--method bbb)"}`);
  if (bbb && o.optimizer === "stan") throw new UsageError("Bayes by Backprop uses Adam: --optimizer stan is ADVI's");
  if (o.rank !== undefined && o.covariance !== "lowrank") throw new UsageError("--rank is the rank of --covariance lowrank");
  const { dirname, join, resolve } = await import("node:path");
  const output = resolve(o.output ?? join(dirname(file), `${o.model}-vi`));
  const { readModelInput } = await import("../model-input.js");
  const { viFromData } = await import("../interpreter.js");
  const input = await readModelInput(file, o.model, o.data);
  const { initEngine } = await import("../../core/engine.js");
  await initEngine(o.backend);
  const abort = new AbortController();
  const { viReporter } = await import("../vi-progress.js");
  const { trainReporter } = await import("../progress.js");
  const quiet = o.quiet ?? false;
  const reporter = bbb ? trainReporter({ epochs: o.epochs, quiet }) : viReporter({ iterations: o.iterations, quiet });
  const onSigint = (): void => {
    if (abort.signal.aborted) {
      reporter.stop();
      process.stderr.write("interrupted again: exiting without writing\n");
      process.exit(EXIT_INTERRUPTED);
    }
    abort.abort();
    reporter.log(`interrupt: stopping after the current ${bbb ? "batch" : "iteration"} (Ctrl-C again to quit at once)`);
  };
  let options: Parameters<typeof viFromData>[0]["options"];
  if (bbb) {
    const { OPTIMISERS } = await import("../../nn/index.js");
    const train = reporter as ReturnType<typeof trainReporter>;
    options = {
      method: "bbb", epochs: o.epochs, seed: o.seed, draws: o.draws, gradDraws: o.drawsPerStep, signal: abort.signal,
      optimiser: OPTIMISERS["Adam"]!.make({ positional: [o.lr ?? BBB_LR], keywords: {} }),
      ...(o.batchsize !== undefined ? { batchSize: o.batchsize } : {}), ...(o.validation !== undefined ? { validation: o.validation } : {}),
      ...(o.patience !== undefined ? { patience: o.patience } : {}), ...(o.covariance !== undefined ? { covariance: o.covariance } : {}),
      ...(o.rank !== undefined ? { rank: o.rank } : {}),
      onProgress: (p) => train.update(p), onEpoch: (e, m) => train.epoch(e, m),
    };
  } else {
    const advi = reporter as ReturnType<typeof viReporter>;
    options = {
      method: o.method as "meanfield" | "fullrank", iterations: o.iterations, draws: o.draws, gradDraws: o.drawsPerStep, seed: o.seed, tol: o.tol,
      optimizer: o.optimizer ?? "stan", signal: abort.signal, onProgress: (p: import("../../inference/vi/advi.js").AdviProgress) => advi.update(p),
      ...(o.eta !== undefined ? { eta: o.eta } : {}), ...(o.lr !== undefined ? { lr: o.lr } : {}), ...(o.batchsize !== undefined ? { batchSize: o.batchsize } : {}),
    };
  }
  process.on("SIGINT", onSigint);
  let outcome;
  try {
    outcome = await viFromData({ program: input.program, source: input.source, file, model: o.model, data: input.data, output: `${output}.csv`, options });
  } finally {
    reporter.stop();
    process.off("SIGINT", onSigint);
  }
  if (!quiet) process.stderr.write(`wrote ${outcome.files.join(", ")}\n`);
  if (o.json) process.stdout.write(`${JSON.stringify(outcome.json)}\n`);
  else process.stdout.write(`${outcome.lines.join("\n")}\n`);
  if (outcome.interrupted) process.exitCode = EXIT_INTERRUPTED;
}

/** Registers `vi` on `program`. */
export function registerVi(program: Command): void {
  program
    .command("vi")
    .description("fit a variational approximation (ADVI or Bayes by Backprop) to a model's posterior and draw from it")
    .argument("<file>", "the .dlm file")
    .requiredOption("--model <name>", "the model")
    .requiredOption("--data <file>", "Stan-style JSON or CSV data")
    .addOption(new Option("--method <name>", "meanfield or fullrank (ADVI), bbb (Bayes by Backprop)").choices(["meanfield", "fullrank", "bbb"]).default("meanfield"))
    .option("--iterations <n>", "ADVI: maximum optimisation iterations", integerAtLeast(1), 10000)
    .option("--epochs <n>", "Bayes by Backprop: passes over the data", integerAtLeast(1), 100)
    .option("--draws <n>", "draws from the fitted approximation", integerAtLeast(1), 1000)
    .option("--draws-per-step <n>", "draws of the ELBO gradient per step", integerAtLeast(1), 1)
    .option("--seed <n>", "random seed", integerAtLeast(0), 1)
    .option("--tol <x>", "ADVI: relative ELBO tolerance for convergence", positiveNumber, 0.01)
    .option("--eta <x>", "ADVI: step size (default: Stan's search over 100, 10, 1, 0.1, 0.01)", positiveNumber)
    .addOption(new Option("--optimizer <name>", "ADVI: stan (adaptive step sizes, the default) or adam").choices(["stan", "adam"]))
    .option("--lr <x>", "Adam's learning rate (ADVI with --optimizer adam: 0.1; Bayes by Backprop: 0.01)", positiveNumber)
    .option("--batchsize <n>", "rows per gradient step (default: all)", integerAtLeast(1))
    .option("--validation <fraction>", "Bayes by Backprop: hold out this fraction of the rows (val_loss per epoch)", numberBetween(0, 1))
    .option("--patience <n>", "Bayes by Backprop: stop after this many epochs without a better val_loss", integerAtLeast(1))
    .addOption(new Option("--covariance <kind>", "Bayes by Backprop: q's covariance, meanfield (default), lowrank or full (in-between uncertainty needs lowrank or full)").choices(["meanfield", "lowrank", "full"]))
    .option("--rank <k>", "Bayes by Backprop with --covariance lowrank: the rank (default min(10, latents))", integerAtLeast(1))
    .option("--output <prefix>", "write PREFIX-1.csv (default MODEL-vi beside the .dlm file)")
    .option("--json", "print one JSON object instead of the summary")
    .option("--quiet", "no progress on stderr")
    .action(async (file: string, o: ViCliOptions, cmd: Command) =>
      viCommand(file, { ...o, ...backendOf(cmd) }, (name) => cmd.getOptionValueSource(name) === "cli"));
}
