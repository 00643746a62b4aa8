/**
 * Arity and keyword arguments of the builtin functions, for the static checks (the builtins
 * check again at run time). [min positional, max positional, keywords].
 */
import { TRAIN_KEYWORDS } from "./train-keywords.js";
import { VI_KEYWORDS } from "./script-vi.js";

export type BuiltinSignature = readonly [number, number, readonly string[]];

const unary: BuiltinSignature = [1, 1, []];
const reduce: BuiltinSignature = [1, 1, ["dims"]];
const many = (min: number, kw: readonly string[] = []): BuiltinSignature => [min, Infinity, kw];

export const BUILTIN_SIGNATURES: Readonly<Record<string, BuiltinSignature>> = {
  ...Object.fromEntries(
    ["exp", "log", "log1p", "expm1", "sqrt", "abs", "square", "sin", "cos", "tanh", "floor", "ceil", "round", "sigmoid",
      "logistic", "inv_logit", "logit", "softplus", "relu", "elu", "gelu", "swish", "identity", "lgamma", "digamma",
      "length", "nrows", "ncols", "eye", "transpose", "diag", "cholesky", "logdet", "read_csv", "read_json", "names",
      "summary", "argmax", "probs"].map((n) => [n, unary]),
  ),
  ...Object.fromEntries(["sum", "mean", "prod", "var", "std", "sd", "logsumexp", "cumsum", "softmax", "logsoftmax"].map((n) => [n, reduce])),
  max: [1, 2, ["dims"]],
  min: [1, 2, ["dims"]],
  pow: [2, 2, []],
  clamp: [3, 3, []],
  ifelse: [3, 3, []],
  size: [1, 2, []],
  zeros: many(1),
  ones: many(1),
  fill: many(2),
  range: [2, 2, ["step"]],
  reshape: many(2),
  vcat: many(1),
  logpdf: [2, 2, []],
  logprob: [2, 2, []],
  hcat: many(1),
  stack: many(1),
  outer: [2, 2, []],
  dot: [2, 2, []],
  solve: [2, 2, []],
  print: many(0),
  standardize: [1, 1, ["like"]],
  onehot: [2, 2, []],
  train_test_split: [2, 2, ["seed"]],
  NUTS: [0, 0, ["target_accept", "max_depth"]],
  HMC: [0, 0, ["step", "steps"]],
  sample: [1, 2, ["draws", "chains", "warmup", "seed"]],
  predict: [2, 2, ["seed", "dropout", "draws"]],
  train: [1, 2, TRAIN_KEYWORDS],
  vi: [1, 2, VI_KEYWORDS],
  ADVI: [0, 0, ["method", "eta", "optimizer", "lr"]],
  loo: [1, 2, []],
  entropy: [1, 1, []],
  mutual_info: [1, 1, []],
  epistemic_sd: [1, 1, []],
  aleatoric_sd: [1, 1, []],
  ece: [2, 2, ["bins"]],
  reliability: [2, 2, ["bins"]],
  coverage: [2, 3, ["level"]],
  plot_calibration: [3, 3, ["bins"]],
  waic: [1, 2, []],
  compare: many(2, ["names"]),
  save: [2, 2, []],
  load: [1, 1, []],
  prior_predictive: [1, 1, ["draws", "seed"]],
  accuracy: [2, 2, []],
  rmse: [2, 2, []],
  loglik: [2, 2, []],
  quantile: [2, 2, []],
};
