/**
 * From a distribution call in a `~` statement to the IR: which fused log-density family
 * (core/ir/families.ts) scores it, with which arguments, the constant per element (log 2 of
 * the half families) and the support a latent under it lives on. The arguments are bound as
 * the registry binds them (positional names, keyword alternatives such as `logit = η`).
 *
 * Supports and their transforms follow distributions/bijectors.ts exactly: the positive
 * reals by x = eʸ (log|J| = y), a finite interval (a, b) by x = a + (b − a)·σ(y) with
 * log|J| = log(b − a) + log σ(y) + log σ(−y).
 */
import type { FamilyName } from "../core/ir/families.js";
import { IrError, sizeOf, type Graph } from "../core/ir/graph.js";
import { describe as describeSupport, interval, positive, real, unitInterval, type Constraint } from "../distributions/constraints.js";
import type { DistributionSpec } from "../distributions/registry.js";

/** Arguments by parameter name (alternative keywords kept under their own name: `logit`). */
export type NamedNodes = ReadonlyMap<string, number>;

/** An interval whose bounds depend on parameters (`Uniform(0, 1 - alpha)`): the nodes of its bounds. */
export interface IntervalOf {
  readonly kind: "intervalOf";
  readonly lower: number;
  readonly upper: number;
}

export interface RecordedDist {
  /** The family and its arguments after the value; undefined for flat priors (no term). */
  readonly family?: FamilyName;
  readonly args: readonly number[];
  /** Added once per scored element (log 2 for the half families). */
  readonly perElement: number;
  readonly support: Constraint | IntervalOf;
}

const LOG_2 = Math.LN2;

/** The recorded form of `spec(args)`, or an IrError saying why there is none. */
export function recordedDist(g: Graph, spec: DistributionSpec, a: NamedNodes): RecordedDist {
  const arg = (name: string): number => {
    const v = a.get(name);
    if (v === undefined) throw new IrError(`${spec.name} without its argument ${name}`);
    return v;
  };
  const zero = (): number => g.scalar(0);
  const dist = (family: FamilyName | undefined, args: number[], support: Constraint, perElement = 0): RecordedDist => ({ ...(family ? { family } : {}), args, perElement, support });
  switch (spec.name) {
    case "Normal": return dist("normal", [arg("mu"), arg("sigma")], real);
    case "HalfNormal": return dist("normal", [zero(), arg("sigma")], positive, LOG_2);
    case "LogNormal": return dist("logNormal", [arg("mu"), arg("sigma")], positive);
    case "Cauchy": return dist("cauchy", [arg("mu"), arg("sigma")], real);
    case "HalfCauchy": return dist("cauchy", [zero(), arg("sigma")], positive, LOG_2);
    case "StudentT": return dist("studentT", [arg("nu"), arg("mu"), arg("sigma")], real);
    case "HalfStudentT": return dist("studentT", [arg("nu"), zero(), arg("sigma")], positive, LOG_2);
    case "Laplace": return dist("laplace", [arg("mu"), arg("b")], real);
    case "Logistic": return dist("logistic", [arg("mu"), arg("s")], real);
    case "Exponential": return dist("exponential", [arg("rate")], positive);
    case "Gamma": return dist("gamma", [arg("shape"), arg("rate")], positive);
    case "InverseGamma": return dist("inverseGamma", [arg("shape"), arg("scale")], positive);
    case "Beta": return dist("beta", [arg("a"), arg("b")], unitInterval);
    case "Uniform": {
      const [clo, chi] = [g.constValue(arg("lo")), g.constValue(arg("hi"))];
      if (clo === undefined || chi === undefined) {
        return { family: "uniform", args: [arg("lo"), arg("hi")], perElement: 0, support: { kind: "intervalOf", lower: arg("lo"), upper: arg("hi") } };
      }
      const lo = literal(g, arg("lo"), "Uniform's lower bound");
      const hi = literal(g, arg("hi"), "Uniform's upper bound");
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new IrError("Uniform with an infinite bound");
      return dist("uniform", [arg("lo"), arg("hi")], interval(lo, hi));
    }
    case "Flat": return dist(undefined, [], real);
    case "FlatPos": return dist(undefined, [], positive);
    case "Poisson": return a.has("log_rate") ? dist("poissonLog", [arg("log_rate")], nonNegative) : dist("poisson", [arg("rate")], nonNegative);
    case "Bernoulli": return a.has("logit") ? dist("bernoulliLogit", [arg("logit")], nonNegative) : dist("bernoulli", [arg("p")], nonNegative);
    case "Binomial": return a.has("logit") ? dist("binomialLogit", [arg("n"), arg("logit")], nonNegative) : dist("binomial", [arg("n"), arg("p")], nonNegative);
    default: throw new IrError(`the distribution ${spec.name} is not in the recorded set yet`);
  }
}

/** Discrete families score data only (a discrete latent never reaches a gradient); their support is not transformed. */
const nonNegative: Constraint = { kind: "integer", lower: 0, upper: Infinity };

/** A bound that must be one number known at record time (data or a literal). */
function literal(g: Graph, node: number, what: string): number {
  const c = g.constValue(node);
  if (c === undefined || c.length !== 1) throw new IrError(`${what} depends on parameters or is not a single number`);
  return c[0]!;
}

/**
 * The constrained value of a latent from its unconstrained node `y`, and the node of Σ log|J|
 * (undefined for the identity), for the supports the recorder has; an IrError for others.
 */
export function constrain(g: Graph, y: number, support: Constraint | IntervalOf): { x: number; logDet?: number } {
  switch (support.kind) {
    case "intervalOf": {
      // as lowerUpper in bijectors.ts with array bounds: x = a + w·σ(y), log|J| = log w + log σ(y) + log σ(−y)
      const w = g.binary("sub", support.upper, support.lower);
      const x = g.binary("add", support.lower, g.binary("mul", w, g.unary("sigmoid", y)));
      const n = sizeOf(g.shape(y));
      const logW = g.unary("log", w);
      const sizeW = sizeOf(g.shape(w));
      if (sizeW !== 1 && sizeW !== n) throw new IrError("interval bounds larger than the latent");
      const sumLogW = sizeW === n ? g.sum(logW) : g.binary("mul", g.scalar(n), logW);
      return { x, logDet: g.binary("add", sumLogW, g.binary("add", g.sum(g.unary("logSigmoid", y)), g.sum(g.unary("logSigmoid", g.unary("neg", y))))) };
    }
    case "real": return { x: y };
    case "positive": return { x: g.unary("exp", y), logDet: g.sum(y) };
    case "unitInterval": return intervalOf(g, y, 0, 1);
    case "interval": {
      if (typeof support.lower !== "number" || typeof support.upper !== "number") throw new IrError("an interval with bounds that are arrays");
      return intervalOf(g, y, support.lower, support.upper);
    }
    default: throw new IrError(`latents on ${describeSupport(support)} are not in the recorded set yet`);
  }
}

function intervalOf(g: Graph, y: number, lo: number, hi: number): { x: number; logDet: number } {
  const w = hi - lo;
  const x = g.binary("add", g.scalar(lo), g.binary("mul", g.scalar(w), g.unary("sigmoid", y)));
  const n = sizeOf(g.shape(y));
  const logDet = g.binary("add", g.scalar(n * Math.log(w)), g.binary("add", g.sum(g.unary("logSigmoid", y)), g.sum(g.unary("logSigmoid", g.unary("neg", y)))));
  return { x, logDet };
}

/** describe() of distributions/constraints.ts, for the recorded supports too. */
export function describeRecorded(support: Constraint | IntervalOf): string {
  return support.kind === "intervalOf" ? "a bounded interval" : describeSupport(support);
}
