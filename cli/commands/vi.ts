/**
 * `dlm vi FILE.dlm --model NAME --data DATA`: ADVI (mean-field or full-rank) on the model's
 * posterior given the data, as `vi(...)` in a script does; the draws from the approximation go
 * to `PREFIX-1.csv` in CmdStan's layout (default PREFIX: `MODEL-vi` beside the .dlm file), the
 * summary (or `--json`) to stdout, progress to stderr. Ctrl-C stops after the current
 * iteration: the approximation so far is written and the exit code is 130.
 */
import { Option, type Command } from "commander";
import { EXIT_INTERRUPTED } from "../errors.js";
import { backendOf } from "../global-options.js";
import { integerAtLeast, positiveNumber } from "../parse-options.js";

export interface ViCliOptions {
  readonly model: string;
  readonly data: string;
  readonly method: "meanfield" | "fullrank";
  readonly iterations: number;
  readonly draws: number;
  readonly drawsPerStep: number;
  readonly seed: number;
  readonly tol: number;
  readonly eta?: number;
  readonly optimizer: "stan" | "adam";
  readonly lr?: number;
  readonly batchsize?: number;
  readonly output?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly backend?: string;
}

/** The command's action. */
export async function viCommand(file: string, o: ViCliOptions): Promise<void> {
  const { dirname, join, resolve } = await import("node:path");
  const output = resolve(o.output ?? join(dirname(file), `${o.model}-vi`));
  const { readModelInput } = await import("../model-input.js");
  const { viFromData } = await import("../interpreter.js");
  const input = await readModelInput(file, o.model, o.data);
  const { initEngine } = await import("../../core/engine.js");
  await initEngine(o.backend);
  const { viReporter } = await import("../vi-progress.js");
  const reporter = viReporter({ iterations: o.iterations, quiet: o.quiet ?? false });
  const abort = new AbortController();
  const onSigint = (): void => {
    if (abort.signal.aborted) {
      reporter.stop();
      process.stderr.write("interrupted again: exiting without writing\n");
      process.exit(EXIT_INTERRUPTED);
    }
    abort.abort();
    reporter.log("interrupt: stopping after the current iteration (Ctrl-C again to quit at once)");
  };
  process.on("SIGINT", onSigint);
  let outcome;
  try {
    outcome = await viFromData({
      program: input.program, source: input.source, file, model: o.model, data: input.data, output: `${output}.csv`,
      options: {
        method: o.method, iterations: o.iterations, draws: o.draws, gradDraws: o.drawsPerStep, seed: o.seed, tol: o.tol, optimizer: o.optimizer,
        ...(o.eta !== undefined ? { eta: o.eta } : {}), ...(o.lr !== undefined ? { lr: o.lr } : {}), ...(o.batchsize !== undefined ? { batchSize: o.batchsize } : {}),
      },
      signal: abort.signal,
      onProgress: (p) => reporter.update(p),
    });
  } finally {
    reporter.stop();
    process.off("SIGINT", onSigint);
  }
  if (!o.quiet) process.stderr.write(`wrote ${outcome.files.join(", ")}\n`);
  if (o.json) process.stdout.write(`${JSON.stringify(outcome.json)}\n`);
  else process.stdout.write(`${outcome.lines.join("\n")}\n`);
  if (outcome.interrupted) process.exitCode = EXIT_INTERRUPTED;
}

/** Registers `vi` on `program`. */
export function registerVi(program: Command): void {
  program
    .command("vi")
    .description("fit a variational approximation (ADVI) to a model's posterior and draw from it")
    .argument("<file>", "the .dlm file")
    .requiredOption("--model <name>", "the model")
    .requiredOption("--data <file>", "Stan-style JSON or CSV data")
    .addOption(new Option("--method <name>", "approximating family").choices(["meanfield", "fullrank"]).default("meanfield"))
    .option("--iterations <n>", "maximum optimisation iterations", integerAtLeast(1), 10000)
    .option("--draws <n>", "draws from the fitted approximation", integerAtLeast(1), 1000)
    .option("--draws-per-step <n>", "draws of the ELBO gradient per iteration", integerAtLeast(1), 1)
    .option("--seed <n>", "random seed", integerAtLeast(0), 1)
    .option("--tol <x>", "relative ELBO tolerance for convergence", positiveNumber, 0.01)
    .option("--eta <x>", "step size (default: Stan's search over 100, 10, 1, 0.1, 0.01)", positiveNumber)
    .addOption(new Option("--optimizer <name>", "stan (adaptive step sizes) or adam").choices(["stan", "adam"]).default("stan"))
    .option("--lr <x>", "Adam's learning rate (default 0.1)", positiveNumber)
    .option("--batchsize <n>", "rows per gradient step (default: all)", integerAtLeast(1))
    .option("--output <prefix>", "write PREFIX-1.csv (default MODEL-vi beside the .dlm file)")
    .option("--json", "print one JSON object instead of the summary")
    .option("--quiet", "no progress on stderr")
    .action(async (file: string, o: ViCliOptions, cmd: Command) => viCommand(file, { ...o, ...backendOf(cmd) }));
}
