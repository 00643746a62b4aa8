/**
 * `dlm run FILE.dlm`: run a script; `print` writes to stdout, progress and warnings to stderr.
 * Each `sample` and `train` shows progress like `dlm sample` and `dlm train` (bars on a
 * terminal, plain lines elsewhere, nothing with --quiet). Ctrl-C stops the running `sample`
 * after the current iteration (or `train` after the current batch) and the script goes on with
 * what was finished; the exit code is then 130. A second Ctrl-C exits at once (130).
 */
import { Option, type Command } from "commander";
import { EXIT_INTERRUPTED, ReportedFailure } from "../errors.js";
import { backendOf } from "../global-options.js";
import { integerAtLeast } from "../parse-options.js";

export interface RunOptions {
  readonly seed?: number;
  readonly quiet?: boolean;
  readonly backend?: string;
  /** Which engine computes the gradients of `sample`: auto (host where the model records), host or tfjs. */
  readonly engine?: "auto" | "host" | "tfjs";
}

/** Reads, parses (failing on the first syntax error with all of them shown), starts the engine and runs. */
export async function runCommand(file: string, o: RunOptions): Promise<void> {
  const { parseOrFail, readSource } = await import("../source.js");
  const { runScriptSource } = await import("../interpreter.js");
  const source = await readSource(file);
  parseOrFail(source, file);
  const { initEngine } = await import("../../core/engine.js");
  await initEngine(o.backend);
  // As `dlm sample` and the REPL: auto, the cheaper executor of the recorded model.
  const { setDefaultEngine } = await import("../../interpreter/record-model.js");
  setDefaultEngine(o.engine ?? "auto");
  const { progressReporter, trainReporter } = await import("../progress.js");
  const { viReporter } = await import("../vi-progress.js");
  const abort = new AbortController();
  let current: { log(line: string): void; stop(): void } | undefined;
  const onSigint = (): void => {
    if (abort.signal.aborted) {
      current?.stop();
      process.stderr.write("interrupted again: exiting\n");
      process.exit(EXIT_INTERRUPTED);
    }
    abort.abort();
    const note = "interrupt: stopping the running `sample` after the current iteration, or `train` after the current batch (Ctrl-C again to quit at once)";
    if (current) current.log(note);
    else process.stderr.write(note + "\n");
  };
  process.on("SIGINT", onSigint);
  let status: number;
  try {
    status = await runScriptSource(source, {
      file,
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      out: (line) => void process.stdout.write(line + "\n"),
      err: (line) => {
        // Errors are always shown; --quiet silences warnings and progress only.
        const isError = / error: |^error: |internal error: /.test(line);
        if (isError || !o.quiet) process.stderr.write(line + "\n");
      },
      signal: abort.signal,
      progress: (run) => {
        const reporter = progressReporter({ ...run, quiet: o.quiet ?? false });
        current = reporter;
        return {
          update: (info) => reporter.update(info),
          stop: () => {
            reporter.stop();
            current = undefined;
          },
        };
      },
      viProgress: (run) => {
        const reporter = viReporter({ ...run, quiet: o.quiet ?? false });
        current = reporter;
        return {
          update: (p) => reporter.update(p),
          stop: () => {
            current = undefined;
          },
        };
      },
      trainProgress: (run) => {
        const reporter = trainReporter({ ...run, quiet: o.quiet ?? false });
        current = reporter;
        return {
          update: (p) => reporter.update(p),
          epoch: (e, m) => reporter.epoch(e, m),
          stop: () => {
            reporter.stop();
            current = undefined;
          },
        };
      },
    });
  } finally {
    process.off("SIGINT", onSigint);
  }
  if (status !== 0) throw new ReportedFailure(abort.signal.aborted ? EXIT_INTERRUPTED : status);
  if (abort.signal.aborted) process.exitCode = EXIT_INTERRUPTED;

}

/** Registers `run` on `program`. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run a .dlm script: print goes to stdout, progress and warnings to stderr")
    .argument("<file>", "the .dlm script")
    .option("--seed <n>", "seed for every random choice the script does not seed itself", integerAtLeast(0))
    .option("--quiet", "no progress or warnings on stderr")
    .addOption(new Option("--engine <name>", "gradients of sample from the recorded model by the float64 host executor (compiled) or tfjs (float32, chains batched), or auto: the cheaper; a model that does not record runs on the interpreter's tfjs path").choices(["auto", "host", "tfjs"]).default("auto"))
    .action(async (file: string, o: RunOptions, cmd: Command) => runCommand(file, { ...o, ...backendOf(cmd) }));
}
