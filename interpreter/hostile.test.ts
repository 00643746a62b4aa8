/**
 * Hostile input: every class of semantic mistake gives one clean located message (file,
 * line, column, caret), a hint where one is likely, and never a JavaScript stack trace.
 */
import { describe, expect, it } from "vitest";
import { runScript } from "./script.js";

async function run(source: string): Promise<{ code: number; err: string; out: string[] }> {
  const err: string[] = [];
  const out: string[] = [];
  const code = await runScript(source, { file: "bad.dlm", out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, err: err.join("\n"), out };
}

function clean(err: string): void {
  expect(err).not.toMatch(/\n\s+at /);
  expect(err).not.toMatch(/\.ts:\d+|node_modules|internal error/);
}

const LINREG = `model m(x, y) {
  a ~ Normal(0, 1)
  b ~ Normal(0, 1, size = ncols(x))
  s ~ HalfNormal(1)
  y ~ Normal(a + x @ b, s)
}
`;

interface Case {
  readonly name: string;
  readonly source: string;
  readonly message: string | RegExp;
  readonly at: string;
  readonly hint?: string | RegExp;
}

const CASES: readonly Case[] = [
  { name: "misspelt distribution", source: "model m(y) {\n  y ~ Normall(0, 1)\n}\n", message: "unknown name `Normall`", at: "bad.dlm:2:7", hint: "did you mean `Normal`?" },
  { name: "misspelt variable", source: "model m(y) {\n  sigma ~ HalfNormal(1)\n  y ~ Normal(0, sigm)\n}\n", message: "unknown name `sigm`", at: "bad.dlm:3:17", hint: "did you mean `sigma`?" },
  { name: "use before definition", source: "model m(y) {\n  y ~ Normal(mu, 1)\n  mu ~ Normal(0, 1)\n}\n", message: "`mu` is used before it is defined", at: "bad.dlm:2:14" },
  { name: "distribution arity", source: "model m(y) {\n  y ~ Normal(0, 1, 2)\n}\n", message: "`Normal` takes 2 positional arguments (mu, sigma), but 3 were given", at: "bad.dlm:2:7", hint: /usage: Normal\(mu, sigma\)/ },
  { name: "unknown distribution keyword", source: "model m(y) {\n  y ~ Normal(0, sigmaa = 1)\n}\n", message: "`Normal` has no keyword argument `sigmaa`", at: "bad.dlm:2:17", hint: "did you mean `sigma`?" },
  { name: "layer arity", source: "model m(x, y) {\n  net = Chain(Dense(2 => 3, tanh, 5))\n  y ~ Normal(net(x)[:, 1], 1)\n}\n", message: "`Dense` takes 1 to 2 positional arguments (in => out, activation), but 3 were given", at: "bad.dlm:2:15", hint: /usage: Dense\(in => out/ },
  { name: "unknown layer keyword", source: "model m(x, y) {\n  net = Dense(2 => 1, biass = false)\n  y ~ Normal(net(x)[:, 1], 1)\n}\n", message: "`Dense` has no keyword argument `biass`", at: "bad.dlm:2:23", hint: "did you mean `bias`?" },
  { name: "user function arity", source: "fn f(a, b) = a + b\nx = f(1)\n", message: "`f` takes 2 positional arguments (a, b), but 1 was given", at: "bad.dlm:2:5", hint: "usage: f(a, b)" },
  { name: "user function keyword", source: "fn f(a; scale = 1) = a * scale\nx = f(1, scael = 2)\n", message: "`f` has no keyword argument `scael`", at: "bad.dlm:2:10", hint: "did you mean `scale`?" },
  { name: "model keyword", source: "model m(y; s = 1) {\n  y ~ Normal(0, s)\n}\ni = m([1.0], t = 2)\n", message: "the model `m` has no keyword argument `t`", at: "bad.dlm:4:14", hint: "it takes `s`" },
  { name: "indexed latent target", source: "model m(y) {\n  theta[1] ~ Normal(0, 1)\n}\n", message: /only an element of a data argument/, at: "bad.dlm:2:3", hint: /theta ~ Dist\(\.\.\., size = n\)/ },
  { name: "tilde outside a model", source: "x ~ Normal(0, 1)\n", message: "`~` statements belong inside a model", at: "bad.dlm:1:1" },
  { name: "builtin as a random variable", source: "model m(y) {\n  exp ~ Normal(0, 1)\n}\n", message: /is a function, distribution or layer name/, at: "bad.dlm:2:3" },
  { name: "model defined twice", source: "model m(y) {\n  y ~ Normal(0, 1)\n}\nmodel m(y) {\n  y ~ Normal(0, 2)\n}\n", message: "`m` is defined twice", at: "bad.dlm:4:7" },
  { name: "two distributions for one variable", source: "model m(y) {\n  mu ~ Normal(0, 1)\n  mu ~ Normal(0, 2)\n  y ~ Normal(mu, 1)\n}\n", message: "`mu` already has a `~` statement", at: "bad.dlm:3:3" },
  { name: "computed value made random", source: "model m(y) {\n  mu = 1\n  mu ~ Normal(0, 2)\n}\n", message: "`mu` is a computed value and cannot also be random", at: "bad.dlm:3:3" },
  {
    name: "discrete latent",
    source: "model m(y) {\n  k ~ Poisson(3)\n  y ~ Normal(k, 1)\n}\npost = sample(m([1.0, 2.0]), NUTS(), draws = 10, warmup = 10, chains = 1)\n",
    message: /`k` is a discrete latent variable \(Poisson over integers ≥ 0\); gradient-based inference/, at: "bad.dlm:2:3", hint: /marginalise/,
  },
  { name: "rows disagree", source: `${LINREG}m([[1, 2], [3, 4], [5, 6]], [1, 2])\n`, message: "`y` has shape [2] but its distribution `Normal(a + x @ b, s)` has shape [3] (`x` has 3 rows)", at: "bad.dlm:5:3" },
  { name: "negative count", source: "model m(y) {\n  l ~ Gamma(2, 1)\n  y ~ Poisson(l)\n}\nm([1, -2, 3])\n", message: /y \(element 2\) = -2 is outside the support of Poisson/, at: "bad.dlm:3:3" },
  { name: "non-integer count", source: "model m(y) {\n  l ~ Gamma(2, 1)\n  y ~ Poisson(l)\n}\nm([1, 2.5])\n", message: /y \(element 2\) = 2.5 is outside the support/, at: "bad.dlm:3:3" },
  { name: "index out of bounds", source: "x = [1, 2, 3]\nprint(x[4])\n", message: "index 4 is out of bounds for axis 1 of length 3 (indices are 1-based)", at: "bad.dlm:2:7" },
  { name: "matrix product sizes", source: "a = [[1, 2], [3, 4]]\nb = [1, 2, 3]\nc = a @ b\n", message: /`@` needs the inner sizes to agree: \[2, 2\] @ \[3\]/, at: "bad.dlm:3:5" },
  { name: "elementwise shapes", source: "a = [1, 2]\nb = [1, 2, 3]\nc = a * b\n", message: /do not broadcast: \[2\] and \[3\]/, at: "bad.dlm:3:5" },
  {
    name: "sample with point parameters",
    source: "model m(x, y) {\n  net = Chain(Dense(1 => 2, tanh), Dense(2 => 1))\n  y ~ Normal(net(x)[:, 1], 1)\n}\npost = sample(m([[1.0], [2.0]], [0.5, 1.0]), NUTS(), draws = 5, warmup = 5, chains = 1)\n",
    message: "`sample` needs a prior on every parameter, but the network net has parameters without one", at: "bad.dlm:5:8", hint: /params\(net\) ~ Normal\(0, 1\)/,
  },
  { name: "train without an optimiser", source: "model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 1)\n}\nfit = train(m([1.0]), 1)\n", message: /the second argument of `train` should be an optimiser such as Adam\(0\.001\)/, at: "bad.dlm:5:7", hint: /Descent, SGD/ },
  { name: "train with zero epochs", source: "model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 1)\n}\nfit = train(m([1.0]), Adam(), epochs = 0)\n", message: "epochs must be at least 1, got 0", at: "bad.dlm:5:7" },
  { name: "train with a bad validation fraction", source: "model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 1)\n}\nfit = train(m([1.0, 2.0]), Adam(), validation = 0.2)\n", message: "validation = 0.2 of 2 rows leaves no validation rows", at: "bad.dlm:5:7" },
  { name: "missing data file", source: 'd = read_csv("no/such/file.csv")\n', message: /cannot read the file .*no\/such\/file\.csv/, at: "bad.dlm:1:5", hint: "paths are relative to the script's folder" },
  { name: "invalid distribution parameter", source: "model m(y) {\n  y ~ Normal(0, -1)\n}\nm([1.0])\n", message: /sigma/, at: "bad.dlm:2:7" },
  { name: "branch on a latent", source: "model m(y) {\n  mu ~ Normal(0, 1)\n  if mu > 0 {\n    y ~ Normal(mu, 1)\n  }\n}\nm([1.0])\n", message: /must not depend on a latent variable/, at: "bad.dlm:3:6" },
  { name: "wrong model argument count", source: "model m(y) {\n  y ~ Normal(0, 1)\n}\ni = m(1, 2)\n", message: "the model `m` takes at most 1 positional argument (y), but 2 were given", at: "bad.dlm:4:5" },
  { name: "runaway recursion", source: "fn f(n) = f(n + 1)\nx = f(1)\n", message: /calls nested more than 400 deep \(runaway recursion in `f`\?\)/, at: "bad.dlm:1:11" },
  { name: "huge loop", source: "acc = 0\nfor i in 1:1e12 {\n  acc += i\n}\n", message: /has 1000000000000 elements; at most 10000000 are allowed/, at: "bad.dlm:2:10" },
  { name: "builtin arity", source: "x = [1, 2]\ny = sum(x, 2)\n", message: "`sum` takes 1 positional argument (x), but 2 were given", at: "bad.dlm:2:5", hint: "usage: sum(x; dims?)" },
  { name: "builtin keyword", source: "model m(x) {\n  b ~ Normal(0, 1)\n  factor(sum(x * b, dim = 1))\n}\n", message: "`sum` has no keyword argument `dim`", at: "bad.dlm:3:21", hint: "did you mean `dims`?" },
  { name: "field of a table", source: 'd = read_csv("examples/data/linreg.csv")\nprint(d.z)\n', message: "this table has no field `z`", at: "bad.dlm:2:7" },
];

describe("hostile input", () => {
  it.each(CASES)("$name", async (c) => {
    const r = await run(c.source);
    expect(r.code).toBe(1);
    if (typeof c.message === "string") expect(r.err).toContain(c.message);
    else expect(r.err).toMatch(c.message);
    expect(r.err).toContain(`${c.at}:`);
    expect(r.err).toMatch(/\n\s*\d+ \| .*\n\s*\| *\^+/); // the source line with a caret under it
    if (c.hint !== undefined) {
      if (typeof c.hint === "string") expect(r.err).toContain(`hint: ${c.hint}`);
      else expect(r.err).toMatch(c.hint);
    }
    clean(r.err);
  }, 30000);
});

describe("hostile input at sampling time", () => {
  it("reports a density that is -Inf everywhere with the statement responsible, not as an internal error", async () => {
    const r = await run("model m(y) {\n  mu ~ Normal(0, 1)\n  factor(log(mu - 1e6))\n  y ~ Normal(mu, 1)\n}\npost = sample(m([1.0]), NUTS(), draws = 5, warmup = 5, chains = 1)\n");
    expect(r.code).toBe(1);
    expect(r.err).toContain("bad.dlm:6:8: error: initialisation failed");
    expect(r.err).toContain("bad.dlm:3:3: `factor(log(mu - 1e6))` gives a log density of NaN");
    clean(r.err);
  }, 60000);
});
