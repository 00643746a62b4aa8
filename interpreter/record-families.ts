/**
 * From a distribution call in a `~` statement to the IR: which fused log-density family
 * (core/ir/families.ts) scores it, with which arguments, the constant per element (log 2 of
 * the half families) and the support a latent under it lives on. The arguments are bound as
 * the registry binds them (positional names, keyword alternatives such as `logit = η`).
 *
 * Supports and their transforms follow distributions/bijectors.ts exactly: the positive
 * reals by x = eʸ (log|J| = y), a finite interval (a, b) by x = a + (b − a)·σ(y) with
 * log|J| = log(b − a) + log σ(y) + log σ(−y); Cholesky factors of correlation matrices by
 * bijectors.ts's choleskyCorr (tanh of the free values, row norms carried as logs).
 *
 * `truncated` of data (record.ts) is its distribution's family less a constant log Z on the
 * truncated support (half lines x = lo + eʸ or hi − eʸ, as bijectors.ts); a truncated Normal
 * of parameters has its log Z from the IR's log Φ (record.ts). Not recorded: `truncated` of
 * another family, or of bounds, that depend on parameters (log Z needs a CDF the IR does not
 * have) and a Categorical latent (discrete; only observed data).
 */
import { broadcastOffsets, broadcastShape } from "../core/broadcast.js";
import type { FamilyName } from "../core/ir/families.js";
import { IrError, sizeOf, type Graph } from "../core/ir/graph.js";
import { choleskyCorr, describe as describeSupport, integerInterval, interval, ordered, positive, positiveOrdered, real, simplex, unitInterval, type Bound, type Constraint } from "../distributions/constraints.js";
import type { DistributionSpec } from "../distributions/registry.js";
import { RECORDED_BUILTINS } from "./record-builtins.js";

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
  /** A log density composed from IR ops (families over a whole vector: Dirichlet): Σ log p at x. */
  readonly composed?: (x: number) => number;
}

const LOG_2 = Math.LN2;

/** The recorded form of `spec(args)`, or an IrError saying why there is none. */
/** `ordered(D)`: D's terms on an increasing vector (ordered.ts: the K! is left out, as in Stan). */
export function orderedOf(inner: RecordedDist): RecordedDist {
  if (inner.composed !== undefined || (inner.support.kind !== "real" && inner.support.kind !== "positive")) throw new IrError("ordered() of a distribution that is not univariate on the reals or the positive reals");
  return { ...inner, support: inner.support.kind === "positive" ? positiveOrdered : ordered };
}

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
    case "Weibull": return dist("weibull", [arg("shape"), arg("scale")], positive);
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
    case "Dirichlet": {
      // Σ(α_k − 1) log x_k + lgamma(Σα) − Σ lgamma(α_k), as distributions/dirichlet.ts
      const alpha = arg("alpha");
      if (g.shape(alpha).length !== 1) throw new IrError("Dirichlet with a matrix of concentrations");
      const norm = g.binary("sub", g.unary("lgamma", g.sum(alpha)), g.sum(g.unary("lgamma", alpha)));
      return {
        args: [], perElement: 0, support: simplex,
        composed: (x) => g.add(g.sum(g.binary("mul", g.binary("sub", alpha, g.scalar(1)), g.unary("log", x))), norm),
      };
    }
    case "MvNormal": {
      const m = a.has("cholesky") ? arg("cholesky") : arg("Sigma");
      if (g.shape(m).length > 2) return mvNormalBatched(g, arg("mu"), m, a.has("cholesky"));
      return mvNormal(g, arg("mu"), a.has("cholesky") ? m : g.cholesky(m));
    }
    case "Categorical": return categorical(g, a.has("logits") ? RECORDED_BUILTINS["logsoftmax"]!.build(g, [arg("logits")], undefined) : g.unary("log", arg("p")));
    case "LKJCholesky": return lkjCholesky(g, literal(g, arg("dim"), "LKJCholesky's dim"), arg("eta"));
    case "Flat": return dist(undefined, [], real);
    case "FlatPos": return dist(undefined, [], positive);
    case "Poisson": return a.has("log_rate") ? dist("poissonLog", [arg("log_rate")], nonNegative) : dist("poisson", [arg("rate")], nonNegative);
    case "NegativeBinomial": return dist("negativeBinomial", [arg("mu"), arg("phi")], nonNegative);
    case "Bernoulli": return a.has("logit") ? dist("bernoulliLogit", [arg("logit")], nonNegative) : dist("bernoulli", [arg("p")], nonNegative);
    case "Binomial": return a.has("logit") ? dist("binomialLogit", [arg("n"), arg("logit")], nonNegative) : dist("binomial", [arg("n"), arg("p")], nonNegative);
    default: throw new IrError(`the distribution ${spec.name} is not in the recorded set yet`);
  }
}

/**
 * MvNormal(μ, Σ = L Lᵀ) over the last axis of x (as distributions/mv-normal.ts): per row,
 * −½‖L⁻¹(x − μ)‖² − Σ log Lᵢᵢ − (K/2) log 2π; the rows as the columns of one triangular solve.
 */
function mvNormal(g: Graph, mu: number, l: number): RecordedDist {
  const sl = g.shape(l);
  const k = sl[0]!;
  if (sl.length !== 2 || sl[1] !== k) throw new IrError("MvNormal with other than one K × K covariance matrix");
  const logDiag = g.sum(g.unary("log", g.take(l, Int32Array.from({ length: k }, (_, i) => i * k + i), [k])));
  return {
    args: [], perElement: 0, support: real,
    composed: (x) => {
      const shape = g.shape(x);
      const diff = g.binary("sub", x, mu);
      if (shape[shape.length - 1] !== k || g.shape(diff).join(",") !== shape.join(",")) throw new IrError("MvNormal whose mean is larger than its value, or of another length than its covariance");
      const rows = sizeOf(shape) / k;
      const z = g.trisolve(l, rows === 1 ? g.reshape(diff, [k]) : g.transpose(g.reshape(diff, [rows, k])));
      const quad = g.binary("mul", g.scalar(-0.5), g.sum(g.unary("square", z)));
      return g.binary("sub", quad, g.binary("add", g.binary("mul", g.scalar(rows), logDiag), g.scalar(0.5 * rows * k * Math.log(2 * Math.PI))));
    },
  };
}

/**
 * MvNormal with a batch of covariances Σ (or factors L) [...batch, K, K], as mv-normal.ts
 * broadcasts them: x − μ and the batch broadcast to one row per density; the rows of each
 * covariance are the columns of one triangular solve with its factor.
 */
function mvNormalBatched(g: Graph, mu: number, m: number, isFactor: boolean): RecordedDist {
  const sm = g.shape(m);
  const k = sm[sm.length - 1]!;
  if (sm[sm.length - 2] !== k) throw new IrError("MvNormal with a covariance that is not square");
  const batch = sm.slice(0, -2);
  const diagonal = Int32Array.from({ length: k }, (_, i) => i * k + i);
  const factors = Array.from({ length: sizeOf(batch) }, (_, b) => {
    const block = g.take(m, Int32Array.from({ length: k * k }, (_, i) => b * k * k + i), [k, k]);
    return isFactor ? block : g.cholesky(block);
  });
  return {
    args: [], perElement: 0, support: real,
    composed: (x) => {
      const diff = g.binary("sub", x, mu);
      const ds = g.shape(diff);
      if (ds.length === 0 || ds[ds.length - 1] !== k) throw new IrError("MvNormal whose value is of another length than its covariance");
      const rowsShape = broadcastShape(ds.slice(0, -1), batch);
      if (rowsShape === undefined) throw new IrError("MvNormal whose value and covariances do not broadcast");
      const rows = sizeOf(rowsShape);
      const inDiff = broadcastOffsets([...rowsShape, k], ds);
      const ofRow = broadcastOffsets(rowsShape, batch);
      const byFactor = factors.map(() => [] as number[]);
      for (let r = 0; r < rows; r++) byFactor[ofRow ? ofRow[r]! : r]!.push(r);
      const terms: number[] = [];
      byFactor.forEach((rs, b) => {
        if (rs.length === 0) return;
        const n = rs.length;
        // column c of the right-hand side is row rs[c] of x − μ
        const index = new Int32Array(k * n);
        for (let i = 0; i < k; i++) for (let c = 0; c < n; c++) {
          const p = rs[c]! * k + i;
          index[i * n + c] = inDiff ? inDiff[p]! : p;
        }
        const l = factors[b]!;
        const z = g.trisolve(l, g.take(diff, index, n === 1 ? [k] : [k, n]));
        const logDiag = g.sum(g.unary("log", g.take(l, diagonal, [k])));
        terms.push(g.binary("add", g.binary("mul", g.scalar(-0.5), g.sum(g.unary("square", z))), g.binary("mul", g.scalar(-n), logDiag)));
      });
      return g.binary("sub", terms.reduce((acc, t) => g.add(acc, t)), g.scalar(0.5 * rows * k * Math.log(2 * Math.PI)));
    },
  };
}

/**
 * Categorical(p) or Categorical(logits = η) of data (categorical.ts): log p_k for each value k
 * in 1..K, from `logp` [...batch, K] (log p, or η − logsumexp(η)), broadcast against the values.
 */
function categorical(g: Graph, logp: number): RecordedDist {
  const ps = g.shape(logp);
  if (ps.length === 0) throw new IrError("Categorical of a number rather than a vector");
  const k = ps[ps.length - 1]!;
  const batch = ps.slice(0, -1);
  return {
    args: [], perElement: 0, support: integerInterval(1, k),
    composed: (x) => {
      const values = g.constValue(x);
      if (values === undefined) throw new IrError("Categorical of a value that depends on parameters");
      const shape = broadcastShape(g.shape(x), batch);
      if (shape === undefined) throw new IrError("Categorical whose values and probabilities do not broadcast");
      const ofValue = broadcastOffsets(shape, g.shape(x));
      const ofBatch = broadcastOffsets(shape, batch);
      const index = new Int32Array(sizeOf(shape));
      for (let i = 0; i < index.length; i++) {
        const v = values[ofValue ? ofValue[i]! : i]!;
        if (!Number.isInteger(v) || v < 1 || v > k) throw new IrError(`Categorical of ${v}, outside 1..${k}`);
        index[i] = (ofBatch ? ofBatch[i]! : i) * k + v - 1;
      }
      return g.sum(g.take(logp, index, shape));
    },
  };
}

/**
 * LKJCholesky(K, η) (lkj-cholesky.ts) on one K × K factor L:
 *   Σ_{i=2}^{K} (K − i + 2η − 2)·log L_ii − log c_K(η),
 *   log c_K(η) = Σ_{j=1}^{K−1} [(2η − 2 + K − j)(K − j)·log 2 + (K − j)·lbeta(b_j, b_j)], b_j = η + (K − j − 1)/2.
 */
function lkjCholesky(g: Graph, k: number, eta: number): RecordedDist {
  if (!Number.isInteger(k) || k < 1) throw new IrError(`LKJCholesky of dimension ${k}`);
  if (sizeOf(g.shape(eta)) !== 1) throw new IrError("LKJCholesky with more than one eta");
  const e = g.reshape(eta, []);
  const twoEta = g.binary("mul", g.scalar(2), e);
  let logNorm = g.scalar(0);
  for (let j = 1; j < k; j++) {
    const b = g.binary("add", e, g.scalar((k - j - 1) / 2));
    // lbeta(b, b) = 2 lgamma(b) − lgamma(2b)
    const lbeta = g.binary("sub", g.binary("mul", g.scalar(2), g.unary("lgamma", b)), g.unary("lgamma", g.binary("mul", g.scalar(2), b)));
    const pow2 = g.binary("mul", g.binary("add", twoEta, g.scalar(k - j - 2)), g.scalar((k - j) * LOG_2));
    logNorm = g.add(logNorm, g.add(pow2, g.binary("mul", g.scalar(k - j), lbeta)));
  }
  return {
    args: [], perElement: 0, support: choleskyCorr,
    composed: (x) => {
      const shape = g.shape(x);
      if (shape.length !== 2 || shape[0] !== k || shape[1] !== k) throw new IrError(`LKJCholesky(${k}, …) of a value that is not one ${k} × ${k} matrix`);
      if (k === 1) return g.unary("neg", logNorm);
      // rows i = 2..K (1-based): the coefficient K − i − 2 + 2η of log L_ii
      const diag = g.take(x, Int32Array.from({ length: k - 1 }, (_, i) => (i + 1) * k + i + 1), [k - 1]);
      const coef = g.binary("add", g.constant(Array.from({ length: k - 1 }, (_, i) => k - (i + 2) - 2), [k - 1]), twoEta);
      return g.binary("sub", g.sum(g.binary("mul", coef, g.unary("log", diag))), logNorm);
    },
  };
}

/** K from the K(K − 1)/2 free values of a K × K correlation factor. */
function corrDim(m: number): number {
  const k = (1 + Math.sqrt(1 + 8 * m)) / 2;
  if (!Number.isInteger(k)) throw new IrError(`${m} free values is not K(K − 1)/2 for any K`);
  return k;
}

/**
 * bijectors.ts's choleskyCorr: the free values y (the strict lower triangle row by row), c =
 * tanh(y), L_ij = c_ij·exp(½ r_ij) with r_ij = Σ_{j' < j} log(1 − c_ij'²), L_ii = exp(½ r_ii),
 * L_11 = 1; log|J| = Σ log(1 − c²) + Σ ½ r_ij. The running sums r are one cumsum along the rows
 * of the log(1 − c²) padded with zeros to a (K − 1) × (K − 1) matrix.
 */
function choleskyCorrOf(g: Graph, y: number): { x: number; logDet?: number } {
  const m = vectorLength(g, y);
  const k = corrDim(m);
  if (k === 1) return { x: g.constant([1], [1, 1]) };
  const r = k - 1;
  const start = (i: number): number => (i * (i - 1)) / 2; // the first free value of row i (0-based, i ≥ 1)
  const c = g.unary("tanh", y);
  // log(1 − tanh² y) = 2·(log 2 − |y| − softplus(−2|y|)), as bijectors.ts's log1mTanhSq
  const a = g.unary("abs", y);
  const l1m = g.binary("mul", g.scalar(2), g.binary("sub", g.binary("sub", g.scalar(LOG_2), a), g.unary("softplus", g.binary("mul", g.scalar(-2), a))));
  const padIndex = new Int32Array(r * r);
  for (let i = 1; i < k; i++) for (let j = 0; j < r; j++) padIndex[(i - 1) * r + j] = j < i ? start(i) + j : m;
  const run = g.cumsum(g.take(g.concat([l1m, g.scalar(0)], [m + 1]), padIndex, [r, r]), 1);
  // r_ij: 0 for the first value of a row, the running sum up to the value before otherwise
  const exclIndex = new Int32Array(m);
  for (let i = 1; i < k; i++) for (let j = 0; j < i; j++) exclIndex[start(i) + j] = j === 0 ? r * r : (i - 1) * r + j - 1;
  const halfExcl = g.binary("mul", g.scalar(0.5), g.take(g.concat([run, g.scalar(0)], [r * r + 1]), exclIndex, [m]));
  const lower = g.binary("mul", c, g.unary("exp", halfExcl));
  const diag = g.unary("exp", g.binary("mul", g.scalar(0.5), g.take(run, Int32Array.from({ length: r }, (_, i) => i * r + i), [r])));
  // [lower (m), diagonal below the first row (K − 1), 1, 0] placed into K × K
  const parts = g.concat([lower, diag, g.scalar(1), g.scalar(0)], [m + r + 2]);
  const index = new Int32Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) index[i * k + j] = j < i ? start(i) + j : j > i ? m + r + 1 : i === 0 ? m + r : m + i - 1;
  return { x: g.take(parts, index, [k, k]), logDet: g.add(g.sum(l1m), g.sum(halfExcl)) };
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
      const [lo, hi] = [scalarBound(support.lower), scalarBound(support.upper)];
      // as bijectors.ts: a missing bound makes it one-sided
      if (lo === -Infinity && hi === Infinity) return { x: y };
      if (lo === -Infinity) return upperBounded(g, y, hi);
      if (hi === Infinity) return lowerBounded(g, y, lo);
      return intervalOf(g, y, lo, hi);
    }
    case "greaterThan": {
      const lo = scalarBound(support.lower);
      return lo === -Infinity ? { x: y } : lowerBounded(g, y, lo);
    }
    case "lessThan": {
      const hi = scalarBound(support.upper);
      return hi === Infinity ? { x: y } : upperBounded(g, y, hi);
    }
    case "ordered": case "positiveOrdered": {
      // bijectors.ts: x = cumsum([y₁, e^{y₂}, …]) (log|J| = Σ_{k≥2} y_k), or cumsum(eʸ) (log|J| = Σ y)
      const k = vectorLength(g, y);
      const positiveOnly = support.kind === "positiveOrdered";
      const rest = k > 1 ? g.take(y, Int32Array.from({ length: k - 1 }, (_, i) => i + 1), [k - 1]) : undefined;
      const steps = positiveOnly ? g.unary("exp", y) : rest === undefined ? y : g.concat([g.take(y, Int32Array.of(0), [1]), g.unary("exp", rest)], [k]);
      const x = g.cumsum(steps, 0);
      const logDet = positiveOnly ? g.sum(y) : rest === undefined ? undefined : g.sum(rest);
      return logDet === undefined ? { x } : { x, logDet };
    }
    case "simplex": {
      // bijectors.ts (isometric log-ratio): z = y·V (Helmert rows), x = softmax(z), log|J| = Σ log x + ½ log K
      const k = vectorLength(g, y) + 1;
      const z = g.matmul(y, helmert(g, k));
      const logX = g.binary("sub", z, g.reduce("logsumexp", z, [0]));
      return { x: g.unary("exp", logX), logDet: g.binary("add", g.sum(logX), g.scalar(0.5 * Math.log(k))) };
    }
    case "choleskyCorr": return choleskyCorrOf(g, y);
    default: throw new IrError(`latents on ${describeSupport(support)} are not in the recorded set yet`);
  }
}

function vectorLength(g: Graph, y: number): number {
  const shape = g.shape(y);
  if (shape.length !== 1) throw new IrError("a vector-valued support on a latent that is not one vector");
  return shape[0]!;
}

/** Helmert rows v_i = (1, …, 1, −i, 0, …)/sqrt(i(i+1)), i = 1..K−1, as bijectors.ts's helmert: [K − 1, K]. */
function helmert(g: Graph, k: number): number {
  const v = new Float64Array((k - 1) * k);
  for (let i = 1; i < k; i++) {
    const s = 1 / Math.sqrt(i * (i + 1));
    for (let j = 0; j < i; j++) v[(i - 1) * k + j] = s;
    v[(i - 1) * k + i] = -i * s;
  }
  return g.constant(v, [k - 1, k]);
}

/** A bound of a support as one number (a literal, or data of one element). */
export function scalarBound(b: Bound): number {
  if (typeof b === "number") return b;
  if (b.size !== 1) throw new IrError("a support with bounds that are arrays");
  return b.dataSync()[0]!;
}

/** bijectors.ts's lowerBound: x = lo + eʸ, log|J| = Σ y. */
function lowerBounded(g: Graph, y: number, lo: number): { x: number; logDet: number } {
  const e = g.unary("exp", y);
  return { x: lo === 0 ? e : g.binary("add", g.scalar(lo), e), logDet: g.sum(y) };
}

/** bijectors.ts's upperBound: x = hi − eʸ, log|J| = Σ y. */
function upperBounded(g: Graph, y: number, hi: number): { x: number; logDet: number } {
  return { x: g.binary("sub", g.scalar(hi), g.unary("exp", y)), logDet: g.sum(y) };
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
