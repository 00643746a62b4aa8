/** The keyword arguments of `train(inst, optimiser; ...)`, for the builtin and the static checks. */
export const TRAIN_KEYWORDS: readonly string[] = ["epochs", "batchsize", "seed", "validation", "patience", "monitor", "schedule", "warmup", "checkpoint", "resume"];
