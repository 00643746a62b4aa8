/**
 * The IR's elementwise ops, each written once as JavaScript expression templates over plain
 * float64 numbers: its value and the derivative of its value by each input (in terms of the
 * inputs and the value `y`). The host executor (core/exec/host/) pastes the templates into
 * its generated loops; `eval` (constant folding, tests) is compiled from the same template
 * (ops-compile.ts, the one file of the IR that builds functions from text).
 * Templates see only numbers and the helper table `H` (float64 special functions), never text
 * from a model.
 */
import { digamma64, lgamma64, normalLogCdf64, normalLogCdfDerivative64, trigamma64 } from "../special-host.js";

/** 1 / (1 + e^−x) without overflow in either tail. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) without overflow: max(x, 0) + log1p(e^−|x|). */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * The nearest whole number, ties to the even one: tfjs's `round` (banker's rounding), which
 * is what the evaluator's `round` applies to arrays and to anything that depends on a latent.
 */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** The helpers generated code may call, passed in as one object. */
export const HELPERS = { sigmoid, softplus, roundHalfEven, lgamma: lgamma64, digamma: digamma64, trigamma: trigamma64, logPhi: normalLogCdf64, dlogPhi: normalLogCdfDerivative64 } as const;
export type Helpers = typeof HELPERS;

/**
 * A derivative template that is the literal "0" marks a step (a comparison, `floor`, …): the
 * executors propagate nothing through it, rather than multiplying an adjoint by 0 (which
 * would turn an infinite adjoint into NaN).
 */
export const ZERO = "0";

export interface UnaryOp {
  /** The value at `x`. */
  readonly fwd: (x: string) => string;
  /** dy/dx, given `x` and the value `y` (ZERO for a step). */
  readonly d: (x: string, y: string) => string;
}

export interface BinaryOp {
  readonly fwd: (a: string, b: string) => string;
  readonly da: (a: string, b: string, y: string) => string;
  readonly db: (a: string, b: string, y: string) => string;
}

export const UNARY_TEMPLATES = {
  neg: { fwd: (x) => `(-${x})`, d: () => "-1" },
  exp: { fwd: (x) => `Math.exp(${x})`, d: (_x, y) => y },
  log: { fwd: (x) => `Math.log(${x})`, d: (x) => `(1 / ${x})` },
  log1p: { fwd: (x) => `Math.log1p(${x})`, d: (x) => `(1 / (1 + ${x}))` },
  expm1: { fwd: (x) => `Math.expm1(${x})`, d: (_x, y) => `(${y} + 1)` },
  sqrt: { fwd: (x) => `Math.sqrt(${x})`, d: (_x, y) => `(0.5 / ${y})` },
  square: { fwd: (x) => `(${x} * ${x})`, d: (x) => `(2 * ${x})` },
  abs: { fwd: (x) => `Math.abs(${x})`, d: (x) => `Math.sign(${x})` },
  sin: { fwd: (x) => `Math.sin(${x})`, d: (x) => `Math.cos(${x})` },
  cos: { fwd: (x) => `Math.cos(${x})`, d: (x) => `(-Math.sin(${x}))` },
  tanh: { fwd: (x) => `Math.tanh(${x})`, d: (_x, y) => `(1 - ${y} * ${y})` },
  sigmoid: { fwd: (x) => `H.sigmoid(${x})`, d: (_x, y) => `(${y} * (1 - ${y}))` },
  softplus: { fwd: (x) => `H.softplus(${x})`, d: (x) => `H.sigmoid(${x})` },
  logSigmoid: { fwd: (x) => `(-H.softplus(-${x}))`, d: (x) => `H.sigmoid(-${x})` },
  logit: { fwd: (x) => `Math.log(${x} / (1 - ${x}))`, d: (x) => `(1 / (${x} * (1 - ${x})))` },
  // relu's derivative at its kink is taken as 0, as tfjs's (elu's pieces both have slope 1 at 0)
  relu: { fwd: (x) => `(${x} > 0 ? ${x} : 0)`, d: (x) => `(${x} > 0 ? 1 : 0)` },
  elu: { fwd: (x) => `(${x} > 0 ? ${x} : Math.expm1(${x}))`, d: (x, y) => `(${x} > 0 ? 1 : ${y} + 1)` },
  lgamma: { fwd: (x) => `H.lgamma(${x})`, d: (x) => `H.digamma(${x})` },
  digamma: { fwd: (x) => `H.digamma(${x})`, d: (x) => `H.trigamma(${x})` },
  // log Φ(x), the standard normal log CDF (truncated Normals' normalisers)
  logNormalCdf: { fwd: (x) => `H.logPhi(${x})`, d: (x) => `H.dlogPhi(${x})` },
  // steps: derivative 0 everywhere it exists (tfjs's gradients of floor, ceil and round are 0 too)
  floor: { fwd: (x) => `Math.floor(${x})`, d: () => ZERO },
  ceil: { fwd: (x) => `Math.ceil(${x})`, d: () => ZERO },
  round: { fwd: (x) => `H.roundHalfEven(${x})`, d: () => ZERO },
  // logical not, as the evaluator's `!` on arrays: 1 where x == 0, else 0 (NaN gives 0)
  not: { fwd: (x) => `(${x} === 0 ? 1 : 0)`, d: () => ZERO },
} satisfies Record<string, UnaryOp>;

export const BINARY_TEMPLATES = {
  add: { fwd: (a, b) => `(${a} + ${b})`, da: () => "1", db: () => "1" },
  sub: { fwd: (a, b) => `(${a} - ${b})`, da: () => "1", db: () => "-1" },
  mul: { fwd: (a, b) => `(${a} * ${b})`, da: (_a, b) => b, db: (a) => a },
  div: { fwd: (a, b) => `(${a} / ${b})`, da: (_a, b) => `(1 / ${b})`, db: (_a, b, y) => `(-${y} / ${b})` },
  // d/db of a^b is a^b·log a; where a^b = 0 (a = 0, b > 0) the limit is 0, not 0·(−∞)
  pow: { fwd: (a, b) => `Math.pow(${a}, ${b})`, da: (a, b) => `(${b} * Math.pow(${a}, ${b} - 1))`, db: (a, _b, y) => `(${y} === 0 ? 0 : ${y} * Math.log(${a}))` },
  // tf.maximum / tf.minimum: NaN if either is NaN (Math.max/min, as tfjs's CPU kernels); the
  // gradient goes to the chosen side, a tie to `a` (tfjs: da = dy·(a >= b), db = dy·(a < b))
  max: { fwd: (a, b) => `Math.max(${a}, ${b})`, da: (a, b) => `(${a} >= ${b} ? 1 : 0)`, db: (a, b) => `(${a} < ${b} ? 1 : 0)` },
  min: { fwd: (a, b) => `Math.min(${a}, ${b})`, da: (a, b) => `(${a} <= ${b} ? 1 : 0)`, db: (a, b) => `(${a} > ${b} ? 1 : 0)` },
  // comparisons and logical and/or give 0 or 1 (the evaluator's operators on arrays, NaN
  // compares false except for !=); their derivatives are 0
  gt: { fwd: (a, b) => `(${a} > ${b} ? 1 : 0)`, da: () => ZERO, db: () => ZERO },
  ge: { fwd: (a, b) => `(${a} >= ${b} ? 1 : 0)`, da: () => ZERO, db: () => ZERO },
  lt: { fwd: (a, b) => `(${a} < ${b} ? 1 : 0)`, da: () => ZERO, db: () => ZERO },
  le: { fwd: (a, b) => `(${a} <= ${b} ? 1 : 0)`, da: () => ZERO, db: () => ZERO },
  eq: { fwd: (a, b) => `(${a} === ${b} ? 1 : 0)`, da: () => ZERO, db: () => ZERO },
  ne: { fwd: (a, b) => `(${a} !== ${b} ? 1 : 0)`, da: () => ZERO, db: () => ZERO },
  and: { fwd: (a, b) => `(${a} !== 0 && ${b} !== 0 ? 1 : 0)`, da: () => ZERO, db: () => ZERO },
  or: { fwd: (a, b) => `(${a} !== 0 || ${b} !== 0 ? 1 : 0)`, da: () => ZERO, db: () => ZERO },
} satisfies Record<string, BinaryOp>;

export type UnaryFn = keyof typeof UNARY_TEMPLATES;
export type BinaryFn = keyof typeof BINARY_TEMPLATES;

export const UNARY_FNS = Object.keys(UNARY_TEMPLATES) as UnaryFn[];
export const BINARY_FNS = Object.keys(BINARY_TEMPLATES) as BinaryFn[];
