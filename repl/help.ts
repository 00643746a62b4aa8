/**
 * `:help` and `:help name`. The reference of a distribution, layer or optimiser comes from the
 * registries' own docs (distributions/ and nn/), loaded only when asked for, so that the REPL
 * starts without the tensor backend.
 */
import { ALGORITHMS, BUILTINS, KEYWORDS, suggest } from "../grammar/index.js";

export const GENERAL_HELP = `Type statements and expressions; input continues while brackets are open.
  x = [1, 2, 3]                 assign
  model m(y) { mu ~ Normal(0, 1)
               y ~ Normal(mu, 1) }   define a model (over several lines)
  post = sample(m(y), NUTS(), draws = 200, chains = 2)
Commands:
  :help [name]     this text, or the reference of a builtin, distribution or layer
  :load FILE       run a .dlm file in this session
  :reload [FILE]   run the file again (its definitions replace the old ones; variables stay)
  :vars            the variables defined so far
  :type EXPR       the shape and dtype of an expression
  :time EXPR       evaluate and report the wall-clock time
  :backend [NAME]  show (or switch) the tensor backend
  :engine [NAME]   show (or switch) the gradient engine of sample: auto (default), host or tfjs
  :quit            leave (or Ctrl-D); Ctrl-C cancels the input or a running inference
`;

/** Every name `:help` knows, for completion: registries and builtins (loads the registries). */
export async function documentedNames(): Promise<string[]> {
  const { DISTRIBUTIONS } = await import("../distributions/index.js");
  const { LAYERS, OPTIMISERS } = await import("../nn/index.js");
  return [...Object.keys(DISTRIBUTIONS), ...Object.keys(LAYERS), ...Object.keys(OPTIMISERS), ...ALGORITHMS, ...BUILTINS];
}

/** The reference text of `name`, or a "no help" line with the nearest known name. */
export async function helpFor(name: string): Promise<string> {
  const { DISTRIBUTIONS } = await import("../distributions/index.js");
  const { LAYERS, OPTIMISERS } = await import("../nn/index.js");
  const dist = DISTRIBUTIONS[name];
  if (dist) {
    const alt = dist.alternatives.map((a) => `${a.keyword} (instead of ${a.replaces})`);
    return [`${name}(${dist.params.join(", ")})  [distribution]`, `  ${dist.doc}`, ...(alt.length > 0 ? [`  keyword alternatives: ${alt.join(", ")}`] : []), "  size = K widens the batch shape (iid copies)"].join("\n");
  }
  const layer = LAYERS[name];
  if (layer) return [`${name}  [layer]`, `  ${layer.doc}`, ...(layer.keywords.length > 0 ? [`  keywords: ${layer.keywords.join(", ")}`] : [])].join("\n");
  const opt = OPTIMISERS[name];
  if (opt) return [`${name}  [optimiser]`, `  ${opt.doc}`].join("\n");
  if (KEYWORDS.includes(name)) return `${name}  [keyword]  see docs/language.md`;
  if (ALGORITHMS.includes(name)) return `${name}  [inference algorithm]  see docs/language.md (sample, vi)`;
  if (BUILTINS.includes(name)) return `${name}  [builtin function]  see docs/language.md for its reference`;
  const near = suggest(name, [...Object.keys(DISTRIBUTIONS), ...Object.keys(LAYERS), ...Object.keys(OPTIMISERS), ...ALGORITHMS, ...BUILTINS, ...KEYWORDS]);
  return `no help for '${name}'${near ? `; did you mean '${near}'?` : ""}`;
}
