/** `dlm run FILE.dlm`: run a script; `print` writes to stdout, progress and warnings to stderr. */
import type { Command } from "commander";
import { ReportedFailure } from "../errors.js";
import { backendOf } from "../global-options.js";
import { integerAtLeast } from "../parse-options.js";

export interface RunOptions {
  readonly seed?: number;
  readonly quiet?: boolean;
  readonly backend?: string;
}

/** Reads, parses (failing on the first syntax error with all of them shown), starts the engine and runs. */
export async function runCommand(file: string, o: RunOptions): Promise<void> {
  const { parseOrFail, readSource } = await import("../source.js");
  const { runScriptSource } = await import("../interpreter.js");
  const source = await readSource(file);
  parseOrFail(source, file);
  const { initEngine } = await import("../../core/engine.js");
  await initEngine(o.backend);
  const status = await runScriptSource(source, {
    file,
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    out: (line) => void process.stdout.write(line + "\n"),
    err: (line) => {
      // Errors are always shown; --quiet silences warnings and progress only.
      const isError = / error: |^error: |internal error: /.test(line);
      if (isError || !o.quiet) process.stderr.write(line + "\n");
    },
  });
  if (status !== 0) throw new ReportedFailure(status);

}

/** Registers `run` on `program`. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run a .dlm script: print goes to stdout, progress and warnings to stderr")
    .argument("<file>", "the .dlm script")
    .option("--seed <n>", "seed for every random choice the script does not seed itself", integerAtLeast(0))
    .option("--quiet", "no progress or warnings on stderr")
    .action(async (file: string, o: RunOptions, cmd: Command) => runCommand(file, { ...o, ...backendOf(cmd) }));
}
