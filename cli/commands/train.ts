/**
 * `dlm train FILE.dlm --model NAME --data DATA`: the mode of the model's log joint (MAP, or
 * maximum likelihood where nothing has a prior) by gradient steps over minibatches, as
 * `train(...)` in a script does. The fit (constrained latents and network parameters by the
 * model's names, the metric history) goes to `--output` (default `MODEL-fit.json` beside the
 * .dlm file), a checkpoint to `--checkpoint` (default OUTPUT with `.ckpt` added) after every
 * epoch, both atomically; the summary (or `--json`) to stdout, progress to stderr.
 *
 * Ctrl-C stops after the current batch: the fit so far is written, the checkpoint keeps the
 * last whole epoch (`--resume` continues from it), and the exit code is 130. A second Ctrl-C
 * exits at once.
 */
import type { Command } from "commander";
import { EXIT_INTERRUPTED, UsageError } from "../errors.js";
import { backendOf } from "../global-options.js";
import { integerAtLeast, numberBetween, positiveNumber } from "../parse-options.js";

/** The optimisers of nn's registry, lower-cased (a test keeps this list equal to the registry). */
export const OPTIMISER_NAMES = ["descent", "sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad"] as const;

export const SCHEDULES = ["constant", "cosine", "linear", "exponential", "step"] as const;

export interface TrainCliOptions {
  readonly model: string;
  readonly data: string;
  readonly optimizer: string;
  readonly lr?: number;
  readonly epochs: number;
  readonly batchsize?: number;
  readonly seed: number;
  readonly validation?: number;
  readonly patience?: number;
  readonly schedule?: string;
  readonly warmup?: number;
  readonly output?: string;
  readonly checkpoint?: string;
  readonly resume?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly backend?: string;
}

/** The command's action. */
export async function trainCommand(file: string, o: TrainCliOptions): Promise<void> {
  const { dirname, join, resolve } = await import("node:path");
  if (!OPTIMISER_NAMES.includes(o.optimizer.toLowerCase() as (typeof OPTIMISER_NAMES)[number])) {
    throw new UsageError(`unknown optimiser '${o.optimizer}' (choose from ${OPTIMISER_NAMES.join(", ")})`);
  }
  if (o.schedule !== undefined && !SCHEDULES.includes(o.schedule as (typeof SCHEDULES)[number])) {
    throw new UsageError(`unknown schedule '${o.schedule}' (choose from ${SCHEDULES.join(", ")})`);
  }
  const output = resolve(o.output ?? join(dirname(file), `${o.model}-fit.json`));
  const checkpoint = resolve(o.checkpoint ?? `${output}.ckpt`);
  const { readModelInput } = await import("../model-input.js");
  const { trainFromData } = await import("../interpreter.js");
  const input = await readModelInput(file, o.model, o.data);
  const { initEngine } = await import("../../core/engine.js");
  await initEngine(o.backend);
  const { trainReporter } = await import("../progress.js");
  const reporter = trainReporter({ epochs: o.epochs, quiet: o.quiet ?? false });
  const abort = new AbortController();
  const onSigint = (): void => {
    if (abort.signal.aborted) {
      reporter.stop();
      process.stderr.write("interrupted again: exiting without writing the fit\n");
      process.exit(EXIT_INTERRUPTED);
    }
    abort.abort();
    reporter.log("interrupt: stopping after the current batch (Ctrl-C again to quit at once)");
  };
  process.on("SIGINT", onSigint);
  let outcome;
  try {
    outcome = await trainFromData({
      program: input.program, source: input.source, file, model: o.model, data: input.data,
      optimiser: o.optimizer, ...(o.lr !== undefined ? { lr: o.lr } : {}),
      train: {
        epochs: o.epochs, seed: o.seed, checkpoint,
        ...(o.batchsize !== undefined ? { batchSize: o.batchsize } : {}), ...(o.validation !== undefined ? { validation: o.validation } : {}),
        ...(o.patience !== undefined ? { patience: o.patience } : {}), ...(o.schedule !== undefined ? { schedule: o.schedule } : {}),
        ...(o.warmup !== undefined ? { warmup: o.warmup } : {}), ...(o.resume !== undefined ? { resume: resolve(o.resume) } : {}),
      },
      output,
      signal: abort.signal,
      progress: () => reporter,
      err: (line) => reporter.log(line),
    });
  } finally {
    reporter.stop();
    process.off("SIGINT", onSigint);
  }
  if (!o.quiet) process.stderr.write(`wrote ${output}\n`);
  if (o.json) process.stdout.write(`${JSON.stringify(outcome.json)}\n`);
  else process.stdout.write(`${outcome.lines.join("\n")}\n`);
  if (outcome.interrupted) process.exitCode = EXIT_INTERRUPTED;
}

/** Registers `train` on `program`. */
export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("fit a model's point estimates by gradient descent (MAP; maximum likelihood where nothing has a prior)")
    .argument("<file>", "the .dlm file")
    .requiredOption("--model <name>", "the model")
    .requiredOption("--data <file>", "Stan-style JSON or CSV data (keys: the model's arguments)")
    .option("--optimizer <name>", `optimiser: ${OPTIMISER_NAMES.join(", ")}`, "adam")
    .option("--lr <x>", "learning rate (default: the optimiser's)", positiveNumber)
    .option("--epochs <n>", "passes over the data", integerAtLeast(1), 10)
    .option("--batchsize <n>", "rows per step (default: all)", integerAtLeast(1))
    .option("--seed <n>", "random seed", integerAtLeast(0), 1)
    .option("--validation <fraction>", "hold out this fraction of the rows for validation metrics", numberBetween(0, 1))
    .option("--patience <n>", "stop after N epochs without improvement (val_loss, else loss); keep the best", integerAtLeast(1))
    .option("--schedule <name>", `learning-rate schedule: ${SCHEDULES.join(", ")}`)
    .option("--warmup <n>", "linear learning-rate warm-up over the first N epochs", integerAtLeast(0))
    .option("--output <file>", "where the fit goes (JSON; default MODEL-fit.json beside the .dlm file)")
    .option("--checkpoint <file>", "checkpoint after every epoch (default: OUTPUT.ckpt)")
    .option("--resume <file>", "continue from a checkpoint")
    .option("--json", "print one JSON object instead of the summary")
    .option("--quiet", "no progress on stderr")
    .action(async (file: string, o: TrainCliOptions, cmd: Command) => trainCommand(file, { ...o, ...backendOf(cmd) }));
}
