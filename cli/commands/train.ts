/** `dlm train FILE.dlm --model NAME --data DATA`: gradient training / MAP (registered; not available yet). */
import { Option, type Command } from "commander";
import { UserError } from "../errors.js";
import { integerAtLeast, positiveNumber } from "../parse-options.js";

/** Registers `train` on `program`. */
export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("train a model's point parameters by gradient descent (MAP; maximum likelihood where nothing has a prior)")
    .argument("<file>", "the .dlm file")
    .requiredOption("--model <name>", "the model")
    .requiredOption("--data <file>", "Stan-style JSON or CSV data")
    .addOption(new Option("--optimizer <name>", "optimiser").choices(["adam", "sgd", "rmsprop", "adamw"]).default("adam"))
    .option("--lr <x>", "learning rate", positiveNumber, 1e-3)
    .option("--epochs <n>", "passes over the data", integerAtLeast(1), 10)
    .option("--batchsize <n>", "minibatch size", integerAtLeast(1))
    .option("--seed <n>", "random seed", integerAtLeast(0), 1)
    .option("--output <file>", "write the trained parameters (JSON)", "params.json")
    .option("--resume <file>", "start from parameters saved by an earlier run")
    .option("--quiet", "no progress on stderr")
    .action(() => {
      throw new UserError("dlm train is not available yet (gradient training has not landed)");
    });
}
