/**
 * DISTRIBUTIONS: the user-facing names ("Normal", "truncated", ...) mapped to their argument
 * lists, keyword alternatives, a one-line doc, and a `make` that the interpreter calls.
 *
 * Arguments are bound by core/bind.ts against each entry's `signature`: positional arguments
 * fill `params` in order; a keyword may name any parameter or one of its alternatives
 * (`Bernoulli(logit = eta)` replaces `p`); `size` is a keyword. Each parameter is given once,
 * the required ones (all but truncated's bounds) must be present.
 */
import { bind, type Bound, type Signature } from "../core/bind.js";
import type { tf } from "../core/engine.js";
import { bernoulli, bernoulliLogit, binomial, binomialLogit } from "./bernoulli.js";
import { categorical, categoricalLogits } from "./categorical.js";
import { cauchy, halfCauchy } from "./cauchy.js";
import { dirichlet } from "./dirichlet.js";
import { DistributionError, type Distribution, type Shape } from "./distribution.js";
import { exponential, weibull } from "./exponential.js";
import { flat, flatPos } from "./flat.js";
import { beta, gamma, inverseGamma } from "./gamma.js";
import { laplace, logistic } from "./laplace.js";
import { lkjCholesky } from "./lkj-cholesky.js";
import { mixture } from "./mixture.js";
import { mvNormal, mvNormalCholesky } from "./mv-normal.js";
import { halfNormal, logNormal, normal } from "./normal.js";
import { ordered } from "./ordered.js";
import { negativeBinomial, poisson, poissonLogRate } from "./poisson.js";
import { halfStudentT, studentT } from "./student-t.js";
import { truncated } from "./truncated.js";
import { uniform } from "./uniform.js";
import type { DistributionOptions, Param } from "./util.js";

/** What an argument can be: a tensor, a number, a distribution (wrappers), or a list (Mixture's components). */
export type DistArg = tf.Tensor | number | Distribution | readonly DistArg[];

export interface DistributionArgs {
  readonly positional: readonly DistArg[];
  readonly keywords?: Readonly<Record<string, DistArg>>;
  /** Batch widening (`size = K`); may also come as keywords.size. */
  readonly size?: Shape | number;
  /** Validate tensor arguments too (they are data or constants): forces a device read. */
  readonly validate?: boolean;
}

/** A keyword that replaces a positional parameter: Bernoulli(logit = η) instead of p. */
export interface KeywordAlternative {
  readonly keyword: string;
  readonly replaces: string;
}

export interface DistributionSpec {
  readonly name: string;
  /** Positional parameter names, in order. */
  readonly params: readonly string[];
  readonly alternatives: readonly KeywordAlternative[];
  /**
   * Trailing axes of a parameter that are event axes, by parameter or keyword name (omitted:
   * 0, elementwise): Dirichlet's alpha and Categorical's p are vectors per batch element.
   */
  readonly paramEventRanks: Readonly<Record<string, number>>;
  /** One line: the parameterisation and the density. */
  readonly doc: string;
  /** What the binder checks calls against (params, alternatives, `size`). */
  readonly signature: Signature;
  make(args: DistributionArgs): Distribution;
}

/** Bound arguments: given ones by the name they came under (a parameter's or an alternative's). */
export type BoundArgs = Bound<DistArg>;

/** The binder's view of a distribution: its parameters (by position or name), alternatives, and `size`. */
function signatureOf(name: string, params: readonly string[], required: number, alternatives: readonly KeywordAlternative[], doc: string): Signature {
  return {
    name,
    usage: doc,
    params: [
      ...params.map((p, i) => ({
        name: p,
        required: i < required,
        alternatives: alternatives.filter((a) => a.replaces === p).map((a) => a.keyword),
      })),
      { name: "size", kind: "keyword" as const },
    ],
  };
}

function sizeOf(args: DistributionArgs): Shape | number | undefined {
  const kw = args.keywords?.["size"];
  if (kw === undefined) return args.size;
  if (typeof kw === "number") return kw;
  if (Array.isArray(kw)) return kw.map((d) => toNumber("size", d));
  if (isTensor(kw)) return Array.from(kw.dataSync());
  throw new DistributionError("size must be a number or a list of numbers");
}

function isDistribution(v: DistArg): v is Distribution {
  return typeof v === "object" && !Array.isArray(v) && "logProb" in v && "support" in v;
}

function isTensor(v: DistArg): v is tf.Tensor {
  return typeof v === "object" && !Array.isArray(v) && !isDistribution(v);
}

function toNumber(what: string, v: DistArg): number {
  if (typeof v === "number") return v;
  if (isTensor(v) && v.size === 1) return v.dataSync()[0]!;
  throw new DistributionError(`${what} must be a number`);
}

function options(args: DistributionArgs): DistributionOptions {
  const size = sizeOf(args);
  return { ...(size !== undefined ? { size } : {}), ...(args.validate !== undefined ? { validate: args.validate } : {}) };
}

type Maker = (a: (name: string) => Param, b: BoundArgs, o: DistributionOptions) => Distribution;

const EVENT_RANKS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  Categorical: { p: 1, logits: 1 },
  Dirichlet: { alpha: 1 },
  Mixture: { weights: 1 },
  MvNormal: { mu: 1, Sigma: 2, cholesky: 2 },
};

function spec(name: string, params: string[], doc: string, make: Maker, alternatives: KeywordAlternative[] = [], required = params.length): DistributionSpec {
  const s: DistributionSpec = {
    name,
    params,
    alternatives,
    paramEventRanks: EVENT_RANKS[name] ?? {},
    doc,
    signature: signatureOf(name, params, required, alternatives, doc),
    make: (args) => {
      const bound = bind(s.signature, args.positional, args.keywords ?? {});
      const param = (p: string): Param => {
        const v = bound.given.get(p);
        if (v === undefined) throw new DistributionError(`${name}: missing argument ${p}`);
        if (typeof v === "number" || isTensor(v)) return v;
        throw new DistributionError(`${name}: ${p} must be a number or an array, got ${Array.isArray(v) ? "a list" : `a distribution (${(v as Distribution).name})`}`);
      };
      return make(param, bound, options(args));
    },
  };
  return s;
}

function distArg(name: string, p: string, v: DistArg | undefined): Distribution {
  if (v === undefined || !isDistribution(v)) throw new DistributionError(`${name}: ${p} must be a distribution, e.g. ${name}(Normal(0, 1)${name === "truncated" ? ", 0, Inf" : ", …"})`);
  return v;
}

const ALL: DistributionSpec[] = [
  spec("Normal", ["mu", "sigma"], "Normal(mu, sigma): log p = −½((x−μ)/σ)² − log σ − ½ log 2π", (a, _, o) => normal(a("mu"), a("sigma"), o)),
  spec("HalfNormal", ["sigma"], "HalfNormal(sigma) on x ≥ 0: log p = log 2 − ½ log 2π − log σ − x²/(2σ²)", (a, _, o) => halfNormal(a("sigma"), o)),
  spec("StudentT", ["nu", "mu", "sigma"], "StudentT(nu, mu, sigma): lgamma((ν+1)/2) − lgamma(ν/2) − ½ log νπ − log σ − (ν+1)/2·log1p(z²/ν)", (a, _, o) => studentT(a("nu"), a("mu"), a("sigma"), o)),
  spec("HalfStudentT", ["nu", "sigma"], "HalfStudentT(nu, sigma) on x ≥ 0: log 2 + StudentT(x | ν, 0, σ)", (a, _, o) => halfStudentT(a("nu"), a("sigma"), o)),
  spec("Cauchy", ["mu", "sigma"], "Cauchy(mu, sigma): log p = −log π − log σ − log1p(((x−μ)/σ)²)", (a, _, o) => cauchy(a("mu"), a("sigma"), o)),
  spec("HalfCauchy", ["sigma"], "HalfCauchy(sigma) on x ≥ 0: log p = log 2 − log π − log σ − log1p((x/σ)²)", (a, _, o) => halfCauchy(a("sigma"), o)),
  spec("Laplace", ["mu", "b"], "Laplace(mu, b): log p = −log 2b − |x−μ|/b", (a, _, o) => laplace(a("mu"), a("b"), o)),
  spec("Logistic", ["mu", "s"], "Logistic(mu, s): log p = −z − log s − 2 log1p(e^{−z}), z = (x−μ)/s", (a, _, o) => logistic(a("mu"), a("s"), o)),
  spec("LogNormal", ["mu", "sigma"], "LogNormal(mu, sigma) on x > 0: log p = Normal(log x | μ, σ) − log x", (a, _, o) => logNormal(a("mu"), a("sigma"), o)),
  spec("Exponential", ["rate"], "Exponential(rate) on x ≥ 0: log p = log λ − λx", (a, _, o) => exponential(a("rate"), o)),
  spec("Gamma", ["shape", "rate"], "Gamma(shape, rate) on x ≥ 0: α log β − lgamma(α) + (α−1) log x − βx", (a, _, o) => gamma(a("shape"), a("rate"), o)),
  spec("InverseGamma", ["shape", "scale"], "InverseGamma(shape, scale) on x > 0: α log β − lgamma(α) − (α+1) log x − β/x", (a, _, o) => inverseGamma(a("shape"), a("scale"), o)),
  spec("Weibull", ["shape", "scale"], "Weibull(shape, scale) on x ≥ 0: log k − log λ + (k−1) log(x/λ) − (x/λ)^k", (a, _, o) => weibull(a("shape"), a("scale"), o)),
  spec("Beta", ["a", "b"], "Beta(a, b) on [0, 1]: (a−1) log x + (b−1) log(1−x) − lbeta(a, b)", (a, _, o) => beta(a("a"), a("b"), o)),
  spec("Uniform", ["lo", "hi"], "Uniform(lo, hi) on [lo, hi]: log p = −log(hi − lo)", (a, _, o) => uniform(a("lo"), a("hi"), o)),
  spec(
    "Bernoulli",
    ["p"],
    "Bernoulli(p) or Bernoulli(logit = η) on {0, 1}: x log p + (1−x) log(1−p)",
    (a, b, o) => (b.given.has("logit") ? bernoulliLogit(a("logit"), o) : bernoulli(a("p"), o)),
    [{ keyword: "logit", replaces: "p" }],
  ),
  spec(
    "Binomial",
    ["n", "p"],
    "Binomial(n, p) or Binomial(n, logit = η) on 0..n: lchoose(n, k) + k log p + (n−k) log(1−p)",
    (a, b, o) => (b.given.has("logit") ? binomialLogit(a("n"), a("logit"), o) : binomial(a("n"), a("p"), o)),
    [{ keyword: "logit", replaces: "p" }],
  ),
  spec(
    "Poisson",
    ["rate"],
    "Poisson(rate) or Poisson(log_rate = η) on 0, 1, …: k log λ − λ − lgamma(k+1)",
    (a, b, o) => (b.given.has("log_rate") ? poissonLogRate(a("log_rate"), o) : poisson(a("rate"), o)),
    [{ keyword: "log_rate", replaces: "rate" }],
  ),
  spec("NegativeBinomial", ["mu", "phi"], "NegativeBinomial(mu, phi) (Stan's neg_binomial_2, variance μ + μ²/φ): log C(k+φ−1, k) + k log(μ/(μ+φ)) + φ log(φ/(μ+φ))", (a, _, o) => negativeBinomial(a("mu"), a("phi"), o)),
  spec(
    "Categorical",
    ["p"],
    "Categorical(p) or Categorical(logits = η) on 1..K: log p_k",
    (a, b, o) => (b.given.has("logits") ? categoricalLogits(a("logits"), o) : categorical(a("p"), o)),
    [{ keyword: "logits", replaces: "p" }],
  ),
  spec("Dirichlet", ["alpha"], "Dirichlet(alpha) on the simplex: Σ(α_k−1) log x_k + lgamma(Σα) − Σ lgamma(α_k)", (a, _, o) => dirichlet(a("alpha"), o)),
  spec(
    "MvNormal",
    ["mu", "Sigma"],
    "MvNormal(mu, Sigma) or MvNormal(mu, cholesky = L): −½‖L⁻¹(x−μ)‖² − Σ log L_ii − (K/2) log 2π",
    (a, b, o) => (b.given.has("cholesky") ? mvNormalCholesky(a("mu"), a("cholesky"), o) : mvNormal(a("mu"), a("Sigma"), o)),
    [{ keyword: "cholesky", replaces: "Sigma" }],
  ),
  spec("LKJCholesky", ["dim", "eta"], "LKJCholesky(dim, eta) on Cholesky factors of correlation matrices: Σ_{i≥2} (K − i + 2η − 2) log L_ii − log c_K(η)", (_a, b, o) => lkjCholesky(toNumber("LKJCholesky: dim", b.get("dim")!), _a("eta"), o)),
  spec(
    "Mixture",
    ["weights", "components"],
    "Mixture(weights, [D1, D2, …]) of univariate components with one support: log Σ_k w_k p_k(x)",
    (a, b, o) => {
      const comps = b.get("components");
      if (!Array.isArray(comps)) throw new DistributionError("Mixture: components must be a list of distributions, e.g. Mixture(w, [Normal(0, 1), Normal(3, 1)])");
      return mixture(a("weights"), (comps as readonly DistArg[]).map((c, i) => distArg("Mixture", `component ${i + 1}`, c)), o);
    },
  ),
  spec("Flat", [], "Flat(): improper uniform prior on the reals, log p = 0 (cannot be sampled)", (_a, _b, o) => flat(o)),
  spec("FlatPos", [], "FlatPos(): improper uniform prior on the positive reals, log p = 0 (cannot be sampled)", (_a, _b, o) => flatPos(o)),
  spec(
    "truncated",
    ["dist", "lo", "hi"],
    "truncated(D, lo, hi): D restricted to [lo, hi] (either bound optional): log p_D(x) − log(F(hi) − F(lo))",
    (a, b, o) => truncated(distArg("truncated", "dist", b.get("dist")), b.given.has("lo") ? a("lo") : undefined, b.given.has("hi") ? a("hi") : undefined, o),
    [],
    1,
  ),
  spec("ordered", ["dist"], "ordered(D): increasing vector of iid draws of D (D needs size = K): Σ_k log p_D(x_k)", (_a, b, o) => ordered(distArg("ordered", "dist", b.get("dist")), o)),
];

/** The registry the interpreter uses, keyed by the name users write. */
export const DISTRIBUTIONS: Readonly<Record<string, DistributionSpec>> = Object.freeze(Object.fromEntries(ALL.map((s) => [s.name, s])));
