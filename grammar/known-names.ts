/**
 * Names a `.dlm` program can call without defining them, for "did you mean …?" hints.
 * The grammar does not resolve names (the interpreter does); these lists only feed
 * suggestions. Extend by composition: `suggest(name, [...KNOWN_CALLABLES, ...mine])`.
 */

/** Distributions and distribution wrappers (PascalCase, as in the papers). */
export const DISTRIBUTIONS: readonly string[] = [
  "Normal", "HalfNormal", "StudentT", "HalfStudentT", "Cauchy", "HalfCauchy", "Laplace", "Logistic",
  "LogNormal", "Exponential", "Gamma", "InverseGamma", "Weibull", "Beta", "Uniform", "Bernoulli",
  "Binomial", "Poisson", "NegativeBinomial", "Categorical", "Dirichlet", "MvNormal", "LKJCholesky",
  "Mixture", "Flat", "FlatPos", "truncated", "ordered",
];

/** Network layers and combinators (Flux style). */
export const LAYERS: readonly string[] = [
  "Dense", "Chain", "Conv2D", "Conv", "Conv1D", "ConvTranspose", "MaxPool", "MeanPool", "AvgPool", "GlobalMeanPool",
  "GlobalMaxPool", "Upsample", "Flatten", "Dropout", "LayerNorm", "BatchNorm", "Embedding", "SkipConnection", "Parallel",
  "RNN", "LSTM", "GRU", "MultiHeadAttention",
];

/** Inference algorithms and optimisers (constructed in scripts: `NUTS(target_accept = 0.8)`). */
export const ALGORITHMS: readonly string[] = [
  "NUTS", "HMC", "ADVI", "BayesByBackprop", "Descent", "SGD", "Momentum", "Nesterov", "Adam", "AdamW", "RMSProp", "AdaGrad",
];

/** Builtin functions: math, activations, array helpers, model-side helpers, script-side helpers. */
export const BUILTINS: readonly string[] = [
  // math and activations
  "exp", "log", "log1p", "expm1", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "logistic", "logit",
  "softplus", "relu", "gelu", "elu", "swish", "softmax", "logsoftmax", "logsumexp", "lgamma", "identity",
  "min", "max", "clamp", "floor", "ceil", "round", "square", "pow", "inv_logit", "digamma", "ifelse", "pi", "Inf",
  // reductions and arrays
  "sum", "mean", "var", "std", "prod", "cumsum", "dot", "length", "size", "nrows", "ncols", "zeros", "ones",
  "fill", "reshape", "transpose", "vcat", "hcat", "stack", "range", "onehot", "argmax", "eye", "diag", "outer",
  // linear algebra
  "cholesky", "solve", "logdet",
  // model side
  "params", "factor",
  // scripts: data, fitting, prediction, metrics, plots, files
  "print", "read_csv", "read_json", "names", "standardize", "train_test_split", "grid", "sample", "train",
  "vi", "predict", "summary", "sd", "quantile", "probs", "entropy", "mutual_info", "accuracy", "loglik",
  "rmse", "ece", "coverage", "plot_trace", "plot_density", "plot_pairs", "plot_band", "plot_uncertainty",
  "plot_history", "plot_calibration", "save", "load", "load_draws", "logpdf", "logprob", "prior_predictive",
  "loo", "waic", "compare", "reliability", "epistemic_sd", "aleatoric_sd",
];

/** Every name above: what a `Normall(0, 1)` is compared with to suggest `Normal`. */
export const KNOWN_CALLABLES: readonly string[] = [...DISTRIBUTIONS, ...LAYERS, ...ALGORITHMS, ...BUILTINS];
