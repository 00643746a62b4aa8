/** `dlm vi FILE.dlm --model NAME --data DATA.json`: variational inference (registered; not available yet). */
import { Option, type Command } from "commander";
import { UserError } from "../errors.js";
import { integerAtLeast } from "../parse-options.js";

/** Registers `vi` on `program`. */
export function registerVi(program: Command): void {
  program
    .command("vi")
    .description("fit a variational approximation (ADVI) to a model's posterior and draw from it")
    .argument("<file>", "the .dlm file")
    .requiredOption("--model <name>", "the model")
    .requiredOption("--data <file>", "Stan-style JSON or CSV data")
    .addOption(new Option("--method <name>", "approximating family").choices(["meanfield", "fullrank"]).default("meanfield"))
    .option("--iterations <n>", "optimisation iterations", integerAtLeast(1), 10000)
    .option("--draws <n>", "draws from the fitted approximation", integerAtLeast(1), 1000)
    .option("--seed <n>", "random seed", integerAtLeast(0), 1)
    .option("--output <prefix>", "write PREFIX.csv", "output")
    .option("--json", "print one JSON summary on stdout")
    .option("--quiet", "no progress on stderr")
    .action(() => {
      throw new UserError("dlm vi is not available yet (variational inference has not landed)");
    });
}
