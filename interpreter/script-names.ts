import { OPTIMISERS } from "../nn/index.js";

/** Names defined by the script layer (script.ts), known to the static checker. */
export const SCRIPT_NAMES: readonly string[] = [
  ...Object.keys(OPTIMISERS),
  "print", "read_csv", "read_json", "names", "standardize", "train_test_split", "onehot", "argmax",
  "sample", "summary", "predict", "train", "vi", "NUTS", "HMC", "ADVI", "BayesByBackprop",
  "prior_predictive", "accuracy", "rmse", "loglik", "probs", "quantile", "loo", "waic", "compare", "entropy", "mutual_info", "epistemic_sd", "aleatoric_sd", "ece", "reliability", "coverage", "plot_calibration",
  "save", "load", "load_draws", "grid", "plot_trace", "plot_density", "plot_pairs", "plot_band", "plot_uncertainty", "plot_history",
];
