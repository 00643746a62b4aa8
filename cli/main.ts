/**
 * `dlm`: the command line. Each command lives in cli/commands/; this file wires them and owns
 * the exit-code discipline (cli/errors.ts): 0 success, 1 user error, 2 usage error (commander's
 * errors through exitOverride), 130 after Ctrl-C in `dlm sample`; no stack trace without --debug.
 */
import { Command, CommanderError } from "commander";
import { registerCheck } from "./commands/check.js";
import { registerRepl } from "./commands/repl.js";
import { registerRun } from "./commands/run.js";
import { registerSample } from "./commands/sample.js";
import { registerSummary } from "./commands/summary.js";
import { registerTrain } from "./commands/train.js";
import { registerVi } from "./commands/vi.js";
import { EXIT_OK, EXIT_USAGE, exitCodeOf, formatError, UsageError } from "./errors.js";
import { backendOf, debugRequested, withGlobalOptions } from "./global-options.js";
import { VERSION } from "./version.js";

/**
 * `dlm 0.1.0 (tfjs 4.22.0, backend wasm; available: wasm, cpu)`, on a second line the native
 * accelerator (its path and GEMM, or why it is off), and on a third the gradient engine and
 * how many threads a host-engine model's chains use.
 */
export async function versionLine(backend?: string): Promise<string> {
  const { availableBackends, initEngine } = await import("../core/engine.js");
  const { nativeSummary } = await import("../core/kernels/native.js");
  const { workerCount } = await import("../inference/mcmc/workers.js");
  const info = await initEngine(backend);
  const threads = workerCount(Infinity);
  const engine = `engine: auto (a recorded model on the cheaper of the float64 host executor and tfjs, else the interpreter on tfjs); a host-engine model's chains on ${threads > 1 ? `${threads} worker threads` : "this thread"}`;
  return `dlm ${VERSION} (tfjs ${info.tfjsVersion}, backend ${info.backend}; available: ${(await availableBackends()).join(", ")})\n${nativeSummary()}\n${engine}`;
}

/** The program with every command registered (exported for tests of the wiring). */
export function buildProgram(): Command {
  const program = new Command("dlm")
    .description("a modelling language for probabilistic models and Bayesian neural networks")
    .exitOverride()
    .showSuggestionAfterError(true)
    .option("--version", "print the version and the active backend");
  withGlobalOptions(program);
  program.allowExcessArguments(true).action(async (opts: { version?: boolean }, cmd: Command) => {
    const [word] = cmd.args;
    if (word !== undefined) {
      const { suggest } = await import("../grammar/index.js");
      const near = suggest(word, program.commands.map((c) => c.name()));
      throw new UsageError(`unknown command '${word}'${near ? ` (did you mean '${near}'?)` : ""}; see dlm --help`);
    }
    if (opts.version) {
      process.stdout.write((await versionLine(backendOf(cmd).backend)) + "\n");
      return;
    }
    program.outputHelp();
  });
  for (const register of [registerRun, registerCheck, registerSample, registerVi, registerTrain, registerSummary, registerRepl]) register(program);
  for (const cmd of program.commands) withGlobalOptions(cmd);
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its one-line message (or the help).
      return err.code === "commander.helpDisplayed" || err.code === "commander.help" || err.code === "commander.version" ? EXIT_OK : EXIT_USAGE;
    }
    process.stderr.write(formatError(err, debugRequested(argv)));
    return exitCodeOf(err);
  }
}

process.exitCode = await main(process.argv);
