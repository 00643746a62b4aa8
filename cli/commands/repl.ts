/** `dlm repl [FILE.dlm]`: the interactive session (see repl/). */
import type { Command } from "commander";
import { backendOf } from "../global-options.js";

/** Registers `repl` on `program`. */
export function registerRepl(program: Command): void {
  program
    .command("repl")
    .description("start an interactive session, optionally loading a .dlm file first")
    .argument("[file]", "a .dlm file to load")
    .action(async (file: string | undefined, _o: unknown, cmd: Command) => {
      const { startRepl } = await import("../../repl/repl.js");
      await startRepl({ ...(file !== undefined ? { file } : {}), ...backendOf(cmd) });
    });
}
