/**
 * Shared plumbing for the distribution factories: parameter conversion, batch-shape
 * broadcasting, argument validation, host-side sampling, and `makeDistribution`, which turns
 * a record of formulas into a `Distribution` with the shape contract of distribution.ts.
 *
 * Validation policy (one rule for every factory): JS numbers are checked eagerly, always.
 * Tensors are checked only when `validate: true` is passed, because reading a tensor forces a
 * device sync and a parameter that depends on other parameters (inside a log density) must not
 * sync on every evaluation. The interpreter passes `validate: true` for arguments that are
 * data or constants.
 */
import { broadcastShapesOrThrow } from "../core/broadcast.js";
import { tf } from "../core/engine.js";
import { familyLogPdf } from "../core/fused-family.js";
import { familyLogPdfSum } from "../core/fused-logpdf.js";
import { FAMILIES, type FamilyName } from "../core/ir/families.js";
import { stream, type Key, type RandomStream } from "../core/random.js";
import { contains, type Constraint } from "./constraints.js";
import { DistributionError, type Distribution, type Shape } from "./distribution.js";

/** A distribution parameter: a tensor (any batch shape) or a JS number. */
export type Param = tf.Tensor | number;

/** Options every factory takes. */
export interface DistributionOptions {
  /** Widens the batch shape: batchShape = broadcast(size, parameter batch shapes). */
  readonly size?: Shape | number;
  /** Also validate tensor parameters (forces a device read; meant for data and constants). */
  readonly validate?: boolean;
}

export function numel(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** NumPy broadcasting of shapes aligned at the right; throws DistributionError on mismatch. */
export function broadcastShapes(...shapes: Shape[]): number[] {
  return broadcastShapesOrThrow(shapes, (m) => new DistributionError(m));
}

export function sizeShape(size: Shape | number | undefined): Shape {
  if (size === undefined) return [];
  const s = typeof size === "number" ? [size] : size;
  for (const d of s) {
    if (!Number.isInteger(d) || d < 0) throw new DistributionError(`size must be a list of non-negative integers, got [${s.join(", ")}]`);
  }
  return s;
}

/** A float32 tensor for a parameter (numbers become scalars; int tensors are cast). */
export function asTensor(p: Param): tf.Tensor {
  if (typeof p === "number") return tf.scalar(p, "float32");
  return p.dtype === "float32" ? p : tf.cast(p, "float32");
}

/** A parameter as a family argument (FamilyParts.args): a number as it is, else its float32 tensor `t`. */
export const familyArg = (p: Param, t: tf.Tensor): Param => (typeof p === "number" ? p : t);

/** Broadcast a tensor to `shape` only if needed. */
export function broadcastTo(x: tf.Tensor, shape: Shape): tf.Tensor {
  const target = broadcastShapes(x.shape, shape);
  if (target.length === x.shape.length && target.every((d, i) => d === x.shape[i])) return x;
  return tf.broadcastTo(x, target);
}

/**
 * Σ of t over every axis but the first (`[t.shape[0]]`, a scorer's per-chain sum) with
 * `keepAxis0`, else over all axes (a scalar); no kernel where t already has that shape.
 */
export function sumPerChain(t: tf.Tensor, keepAxis0: boolean): tf.Tensor {
  if (keepAxis0) return t.rank <= 1 ? t : tf.sum(t, Array.from({ length: t.rank - 1 }, (_, i) => i + 1));
  return t.rank === 0 ? t : tf.sum(t);
}

export type Rule = "positive" | "nonNegative" | "finite" | "probability" | "count";

const RULE_TEXT: Record<Rule, string> = {
  positive: "must be positive",
  nonNegative: "must be non-negative",
  finite: "must be finite",
  probability: "must be in [0, 1]",
  count: "must be a non-negative integer",
};

function passes(rule: Rule, v: number): boolean {
  switch (rule) {
    case "positive": return v > 0;
    case "nonNegative": return v >= 0;
    case "finite": return Number.isFinite(v);
    case "probability": return v >= 0 && v <= 1;
    case "count": return Number.isInteger(v) && v >= 0;
  }
}

/**
 * Check a parameter: always for numbers, for tensors only when `validate` is set.
 * Message format: "Normal: sigma must be positive, got -1".
 */
export function check(dist: string, param: string, value: Param, rule: Rule, validate = false): void {
  if (typeof value === "number") {
    if (!passes(rule, value) || Number.isNaN(value)) throw new DistributionError(`${dist}: ${param} ${RULE_TEXT[rule]}, got ${value}`);
    return;
  }
  if (!validate) return;
  const data = value.dataSync();
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!passes(rule, v) || Number.isNaN(v)) {
      const where = value.size > 1 ? ` (element ${i})` : "";
      throw new DistributionError(`${dist}: ${param} ${RULE_TEXT[rule]}, got ${v}${where}`);
    }
  }
}

/** Check a scalar, JS-number-only argument such as a dimension. */
export function checkInteger(dist: string, param: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new DistributionError(`${dist}: ${param} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * Draw `[...sampleShape, ...batchShape]` values on the host, one call of `draw` per element
 * with the parameters at that batch position (parameters are broadcast to `batchShape`).
 */
export function hostDraws(
  key: Key,
  sampleShape: Shape,
  batchShape: Shape,
  params: readonly tf.Tensor[],
  draw: (s: RandomStream, p: readonly number[]) => number,
): tf.Tensor {
  const values = params.map((p) => tf.tidy(() => tf.broadcastTo(p, [...batchShape]).dataSync()));
  const m = numel(batchShape);
  const n = numel(sampleShape);
  const s = stream(key);
  const out = new Float32Array(n * m);
  const args = new Array<number>(params.length).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      for (let k = 0; k < values.length; k++) args[k] = values[k]![j]!;
      out[i * m + j] = draw(s, args);
    }
  }
  return tf.tensor(out, [...sampleShape, ...batchShape], "float32");
}

/**
 * A univariate distribution as a family of core/ir/families.ts: log p(x) = the family's log
 * density at (x, ...args) + perElement.
 */
export interface FamilyParts {
  readonly name: FamilyName;
  /** Its arguments after the value, in families.ts's order (float32 tensors or numbers). */
  readonly args: readonly Param[];
  /** A constant added per element (log 2 of the half families, folded at 0). */
  readonly perElement?: number;
}

/** The formulas of one distribution; `makeDistribution` adds shapes, broadcasting and masking. */
export interface Parts {
  readonly name: string;
  readonly support: Constraint;
  /** Parameter tensors with their event dims already removed from the shape (for batchShape). */
  readonly paramShapes: readonly Shape[];
  readonly options?: DistributionOptions | undefined;
  readonly eventShape?: Shape;
  readonly discrete?: boolean;
  /**
   * Univariate families: the family of core/ir/families.ts whose density this is, the one
   * definition from which logProb, logProbInSupport, logProbSum and valueTerms derive.
   */
  readonly family?: FamilyParts;
  /**
   * The log density formula where there is no `family` (multivariate and composite
   * distributions); values outside the support are masked to -Inf afterwards (univariate
   * only). It returns a tensor it creates (never `x` or a parameter itself), so that the
   * caller can own it without a copy.
   */
  readonly logProb?: (x: tf.Tensor) => tf.Tensor;
  /**
   * Multivariate families, whose `logProb` masks its own support: the same formula without
   * the mask (Distribution.logProbInSupport), for values known to lie in the support: a
   * latent made by the support's bijector skips the check's kernels (Stan does not re-check
   * its constrained parameters either).
   */
  readonly logProbInSupport?: (x: tf.Tensor) => tf.Tensor;
  /** Draws of shape [...sampleShape, ...batchShape, ...eventShape]. */
  readonly sample: (key: Key, sampleShape: Shape, batchShape: Shape) => tf.Tensor;
  readonly mean: () => tf.Tensor;
  readonly variance: () => tf.Tensor;
  readonly logCdf?: (x: tf.Tensor) => tf.Tensor;
  readonly logSf?: (x: tf.Tensor) => tf.Tensor;
  readonly quantile?: (u: tf.Tensor) => tf.Tensor;
  readonly quantileSf?: (s: tf.Tensor) => tf.Tensor;
}

/**
 * Assemble a Distribution. Every method runs in `tf.tidy` and returns a tensor the caller owns.
 * logProb output shape: broadcast(batch part of x, batchShape).
 */
export function makeDistribution(parts: Parts): Distribution {
  const batchShape = broadcastShapes(sizeShape(parts.options?.size), ...parts.paramShapes);
  const eventShape = parts.eventShape ?? [];
  const univariate = eventShape.length === 0;
  const full = [...batchShape, ...eventShape];
  const toFloat = (x: tf.Tensor): tf.Tensor => (x.dtype === "float32" ? x : tf.cast(x, "float32"));
  // Only where the formula's result does not already cover the batch shape (x smaller than
  // the parameters): a no-op, not a kernel, on the usual path.
  const finish = (lp: tf.Tensor, x: tf.Tensor, xf: tf.Tensor): tf.Tensor => {
    const out = broadcastTo(lp, batchShape);
    // A copy only if the formula handed back its input, which the caller must not own.
    return out === x || out === xf ? tf.clone(out) : out;
  };
  const evaluate = (formula: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const xf = toFloat(x);
      return finish(formula(xf), x, xf);
    });
  const fam = parts.family;
  // the family's densities, elementwise: with or without its value-only terms
  const familyEach = (withConst: boolean) => (xf: tf.Tensor): tf.Tensor => {
    const lp = familyLogPdf(fam!.name, [xf, ...fam!.args], "each", { withConst });
    return fam!.perElement ? tf.add(lp, fam!.perElement) : lp;
  };
  const formula = parts.logProb ?? (fam !== undefined ? familyEach(true) : undefined);
  if (formula === undefined) throw new Error(`internal: ${parts.name} has neither a family nor a logProb`);
  const logProbInSupport = evaluate(parts.logProbInSupport ?? formula);
  // Real-line supports need no mask (a NaN value gives NaN, which callers should see).
  const masked = univariate && parts.support.kind !== "real";
  // Unmasked families share one function for both, unless the family's own logProb masks.
  const logProb = !masked
    ? (parts.logProbInSupport === undefined ? logProbInSupport : evaluate(formula))
    : evaluate((xf) => tf.where(inSupport(parts.support, xf), formula(xf), tf.scalar(-Infinity)));
  // One object, filled in place: distributions are built on every log-density evaluation.
  const d: { -readonly [K in keyof Distribution]: Distribution[K] } = {
    name: parts.name,
    support: parts.support,
    batchShape,
    eventShape,
    discrete: parts.discrete ?? false,
    logProb,
    logProbInSupport,
    // clone: a formula may hand back a parameter tensor itself, which the caller must not own.
    sample: (key, sampleShape = []) => tf.tidy(() => tf.clone(broadcastTo(parts.sample(key, sampleShape, batchShape), [...sampleShape, ...full]))),
    mean: () => tf.tidy(() => tf.clone(tf.broadcastTo(parts.mean(), full))),
    variance: () => tf.tidy(() => tf.clone(tf.broadcastTo(parts.variance(), full))),
  };
  const wrap = (f: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor) => tf.tidy(() => broadcastTo(f(toFloat(x)), batchShape));
  if (fam !== undefined && univariate) {
    const argShapes = fam.args.map((a) => (typeof a === "number" ? [] : a.shape));
    d.logProbSum = (x, keepAxis0, { withoutValueTerms = false, valueIsData = false } = {}) =>
      tf.tidy(() => {
        const xf = toFloat(x);
        const natural = broadcastShapes(xf.shape, ...argShapes);
        const whole = broadcastShapes(natural, batchShape);
        // `size` widening the batch beyond x and the parameters would count terms more than
        // once in a sum over the natural broadcast: sum the elementwise densities instead.
        if (whole.length !== natural.length || whole.some((n, i) => n !== natural[i]) || (keepAxis0 && whole.length === 0)) {
          return sumPerChain(broadcastTo(familyEach(!withoutValueTerms)(xf), batchShape), keepAxis0);
        }
        const wanted = valueIsData ? [false, ...fam.args.map(() => true)] : undefined;
        const s = familyLogPdfSum(fam.name, [xf, ...fam.args], keepAxis0, { withConst: !withoutValueTerms, ...(wanted ? { wanted } : {}) });
        if (!fam.perElement) return s;
        const terms = numel(natural) / (keepAxis0 ? natural[0]! : 1);
        return tf.add(s, terms * fam.perElement);
      });
    const f = FAMILIES[fam.name];
    // the value-only terms where every argument they read besides the value is a number
    const ct = f.constTerm;
    const others = (f.constArgs ?? []).filter((j) => j !== 0).map((j) => fam.args[j - 1]);
    if (ct !== undefined && others.every((a) => typeof a === "number")) {
      const a = (others[0] as number | undefined) ?? 0;
      d.valueTerms = { key: `${fam.name}:${a}`, term64: (x) => ct(x, a) };
    }
  }
  if (parts.logCdf) d.logCdf = wrap(parts.logCdf);
  if (parts.logSf) d.logSf = wrap(parts.logSf);
  if (parts.quantile) d.quantile = wrap(parts.quantile);
  if (parts.quantileSf) d.quantileSf = wrap(parts.quantileSf);
  return d;
}

export const LOG_2PI = Math.log(2 * Math.PI);
export const LOG_PI = Math.log(Math.PI);
export const LOG_2 = Math.log(2);

/**
 * A boolean mask computed from `x` that autodiff treats as a constant. tfjs registers no
 * gradient for comparison ops, so `tf.where(tf.less(x, 0), …)` on a differentiated `x` makes
 * `tf.grad` throw; computing the predicate inside a custom-gradient op (zero gradient) keeps
 * the comparison off the tape. Other tensors the predicate closes over are treated as constants too.
 */
export function constMask(x: tf.Tensor, predicate: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const f = tf.customGrad((xi, _save) => {
    const input = xi as tf.Tensor;
    return { value: tf.cast(predicate(input), "float32"), gradFunc: () => tf.zerosLike(input) };
  });
  return tf.cast(f(x), "bool");
}

type Comparison = (a: tf.Tensor, b: tf.Tensor | number) => tf.Tensor;

/** `op(a, b)` as a constant mask (see constMask): compare(tf.less, x, 0). */
export function compare(op: Comparison, a: tf.Tensor, b: tf.Tensor | number): tf.Tensor {
  return constMask(a, (v) => op(v, b));
}

/** contains(support, x) as a constant mask. */
export function inSupport(c: Constraint, x: tf.Tensor): tf.Tensor {
  return constMask(x, (v) => contains(c, v));
}
