/**
 * The signatures of the builtin functions, written as their usage lines: `builtin()`
 * (builtins-math.ts) binds every call against them before the builtin runs, and the static
 * checker binds calls against them before anything runs (core/bind.ts does both). Builtins take
 * their arguments by position only; keyword arguments follow `;`, and a name on both sides of it
 * may be given either way (`coverage(pred, y, 0.9)` or `coverage(pred, y; level = 0.9)`).
 *
 * Notation: `x` required, `x?` optional, `xs...` one or more, `xs...?` any number.
 */
import type { Param, Signature } from "../core/bind.js";
import { OPTIMISERS } from "../nn/index.js";
import { TRAIN_KEYWORDS } from "./train-keywords.js";
import { VI_KEYWORDS } from "./script-vi.js";

/** `sum(x; dims)` → the signature of sum. */
function parse(usage: string): Signature {
  const open = usage.indexOf("(");
  const name = usage.slice(0, open);
  const [positional = "", keywords = ""] = usage.slice(open + 1, -1).split(";");
  const words = (s: string): string[] => s.split(",").map((w) => w.trim()).filter((w) => w !== "");
  const named = words(keywords);
  const byPosition = words(positional).map((w): Param => {
    const optional = w.endsWith("?");
    const bare = optional ? w.slice(0, -1) : w;
    const variadic = bare.endsWith("...");
    const name = variadic ? bare.slice(0, -3) : bare;
    return { name, kind: named.includes(name) ? "positional" : "positional-only", required: !optional, variadic };
  });
  const params = [...byPosition, ...named.filter((k) => !byPosition.some((p) => p.name === k)).map((k): Param => ({ name: k, kind: "keyword" }))];
  return { name, params };
}

const elementwise = ["exp", "log", "log1p", "expm1", "sqrt", "abs", "square", "sin", "cos", "tanh", "floor", "ceil", "round", "sigmoid",
  "logistic", "inv_logit", "logit", "softplus", "relu", "elu", "gelu", "swish", "identity", "lgamma", "digamma"];
const reductions = ["sum", "mean", "prod", "var", "std", "sd", "logsumexp", "cumsum", "softmax", "logsoftmax"];

const USAGES: readonly string[] = [
  ...elementwise.map((n) => `${n}(x)`),
  ...reductions.map((n) => `${n}(x; dims)`),
  "max(x, y?; dims)", "min(x, y?; dims)", "pow(x, y)", "clamp(x, lo, hi)", "ifelse(cond, then, otherwise)",
  // arrays and linear algebra
  "length(x)", "nrows(x)", "ncols(x)", "size(x, axis?)", "eye(n)", "transpose(x)", "diag(x)",
  "zeros(shape...)", "ones(shape...)", "fill(value, shape...)", "range(start, stop; step)", "reshape(x, shape...)",
  "vcat(arrays...)", "hcat(arrays...)", "stack(arrays...)", "outer(a, b)", "dot(a, b)",
  "cholesky(A)", "logdet(A)", "solve(A, b)",
  "logpdf(dist, x)", "logprob(dist, x)",
  // data
  "print(values...?)", "read_csv(path)", "read_json(path)", "names(table)", "standardize(x; like)", "onehot(labels, classes)",
  "train_test_split(data, fraction; seed)",
  // inference and results
  "NUTS(; target_accept, max_depth)", "HMC(; step, steps)", "sample(instance, algorithm?; draws, chains, warmup, seed, engine)",
  `train(instance, optimiser?; ${TRAIN_KEYWORDS.join(", ")})`, `vi(instance, algorithm?; ${VI_KEYWORDS.join(", ")})`,
  "ADVI(; method, eta, optimizer, lr)", "BayesByBackprop(optimiser?; local, rho, covariance, rank)",
  "summary(posterior)", "predict(posterior, instance; seed, dropout, draws)", "prior_predictive(instance; draws, seed)",
  "save(value, path)", "load(path)", "load_draws(path)",
  // predictions and metrics
  "argmax(x)", "probs(prediction)", "quantile(prediction, level)", "accuracy(prediction, y)", "rmse(prediction, y)", "loglik(posterior, instance)",
  "entropy(prediction)", "mutual_info(prediction)", "epistemic_sd(prediction)", "aleatoric_sd(prediction)",
  "ece(prediction, y; bins)", "reliability(prediction, y; bins)", "coverage(prediction, y, level?; level)",
  "loo(posterior, instance?)", "waic(posterior, instance?)", "compare(a, b, more...?; names)",
  // plots
  "plot_trace(posterior, path; vars)", "plot_density(posterior, path; vars)", "plot_pairs(posterior, path; vars)",
  "grid(x, n)", "plot_band(x, prediction, path; level)", "plot_uncertainty(prediction, path; x)",
  "plot_calibration(prediction, y, path; bins)", "plot_history(fit, path)",
];

let table: ReadonlyMap<string, Signature> | undefined;

/**
 * Every builtin's signature by name (optimisers' from nn/'s registry). Built on first use: this
 * module and script-vi.ts import each other's modules, so nothing here may run while they load.
 */
function signatures(): ReadonlyMap<string, Signature> {
  table ??= new Map([
    ...USAGES.map((u) => parse(u)).map((s) => [s.name, s] as const),
    ...Object.values(OPTIMISERS).map((e) => [e.signature.name, e.signature] as const),
  ]);
  return table;
}

/** The signature of builtin `name`, or undefined for a name that is not a builtin. */
export function builtinSignature(name: string): Signature | undefined {
  return signatures().get(name);
}

/**
 * Every builtin function's name: what the static checker knows before a script runs
 * (builtin-signatures.test.ts checks that these are exactly the builtins a script has).
 */
export function builtinNames(): string[] {
  return [...signatures().keys()];
}
