/**
 * `dlm`: the command line. Each command lives in cli/commands/; this file only wires them.
 */
import { Command } from "commander";
import { availableBackends, initEngine } from "../core/engine.js";
import { VERSION } from "./version.js";

async function versionLine(backend?: string): Promise<string> {
  const info = await initEngine(backend);
  return `dlm ${VERSION} (tfjs ${info.tfjsVersion}, backend ${info.backend}; available: ${(await availableBackends()).join(", ")})`;
}

const program = new Command("dlm")
  .description("a modelling language for probabilistic models and Bayesian neural networks")
  .option("--backend <name>", "tensor backend: wasm (default), cpu or tensorflow (env DLM_BACKEND)")
  .option("--version", "print the version and the active backend")
  .action(async (opts: { backend?: string; version?: boolean }) => {
    if (opts.version) {
      process.stdout.write((await versionLine(opts.backend)) + "\n");
      return;
    }
    program.help();
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
