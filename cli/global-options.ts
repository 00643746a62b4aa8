/** Options accepted by the program and by every command (before or after the command name). */
import { Option, type Command } from "commander";

/** Adds `--backend` and `--debug` to `cmd` (so they may follow the command name too). */
export function withGlobalOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--backend <name>", "tensor backend: wasm (default), cpu or tensorflow").env("DLM_BACKEND"))
    .option("--debug", "show stack traces of internal errors");
}

/** The `--backend` given (or DLM_BACKEND), else nothing (then wasm). */
export function backendOf(cmd: Command): { backend?: string } {
  const b = (cmd.optsWithGlobals() as { backend?: string }).backend;
  return b === undefined ? {} : { backend: b };
}

/** Whether `--debug` is on the command line (checked before commander runs, for early failures). */
export function debugRequested(argv: readonly string[]): boolean {
  return argv.includes("--debug");
}
