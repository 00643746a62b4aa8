/**
 * The builtins the recorder (record.ts) can apply to values that depend on parameters, each
 * as IR nodes with the meaning the evaluator gives it (interpreter/builtins-*.ts): elementwise
 * maps, reductions and along-axis ops (`dims` 1-based, as the evaluator's), array shaping and
 * the linear algebra of symmetric positive-definite matrices through their Cholesky factor.
 * Branches and steps on parameter values are IR selects and steps with tfjs's gradients:
 * `ifelse` (a select: the gradient goes to the chosen side only), `clamp` (min of max), `max`
 * and `min` (two arguments elementwise, a tie's gradient to the first; one argument a
 * reduction, a tie's gradient to every tied element), `prod` (exact where an element is 0),
 * `floor`, `ceil` and `round` (ties to even, as tf.round; derivative 0).
 *
 * Not here, so a model using them on parameters stays on tfjs: the script-side builtins.
 * `reshape`, `vcat`, `pow` and the size queries need values known while recording and stay in
 * record.ts, as do the comparison and logical operators and `if` on parameter values.
 */
import { IrError, sizeOf, type Graph, type ReduceKind } from "../core/ir/graph.js";
import type { UnaryFn } from "../core/ir/ops.js";

/** Elementwise builtins that are one IR op, by the name users write. */
const UNARY: Readonly<Record<string, UnaryFn>> = {
  exp: "exp", log: "log", log1p: "log1p", expm1: "expm1", sqrt: "sqrt", abs: "abs", square: "square", sin: "sin", cos: "cos",
  tanh: "tanh", sigmoid: "sigmoid", logistic: "sigmoid", inv_logit: "sigmoid", logit: "logit", softplus: "softplus", relu: "relu",
  elu: "elu", lgamma: "lgamma", digamma: "digamma", floor: "floor", ceil: "ceil", round: "round",
};

/**
 * A builtin call: its arguments as nodes and its `dims` keyword (1-based axes, negative ones
 * counting from the end), undefined when not given.
 */
type Build = (g: Graph, args: readonly number[], dims: readonly number[] | undefined) => number;

interface RecordedBuiltin {
  /** How many positional arguments it takes: one count, the counts allowed, or "many" for one or more. */
  readonly arity: 1 | 2 | 3 | readonly number[] | "many";
  /** Whether it takes `dims` (with one positional argument, where the arity allows more). */
  readonly dims?: boolean;
  readonly build: Build;
}

/** 0-based axes of `dims` for a value of rank `rank`, or `all` when dims is not given. */
function axesOf(dims: readonly number[] | undefined, rank: number, all: readonly number[]): number[] {
  if (dims === undefined) return [...all];
  return dims.map((d) => {
    const ax = d < 0 ? rank + d : d - 1;
    if (!Number.isInteger(ax) || ax < 0 || ax >= rank) throw new IrError(`dims = ${d} for a value with ${rank} axes`);
    return ax;
  });
}

const every = (rank: number): number[] => Array.from({ length: rank }, (_, i) => i);

/** r (a reduction of x over `axes`) reshaped to x's rank, with 1 for the reduced axes, so it broadcasts against x. */
function keepDims(g: Graph, r: number, xShape: readonly number[], axes: readonly number[]): number {
  return g.reshape(r, xShape.map((s, i) => (axes.includes(i) ? 1 : s)));
}

function reduceSum(g: Graph, x: number, axes: readonly number[]): number {
  return axes.length === g.shape(x).length ? g.sum(x) : g.reduce("sum", x, axes);
}

const count = (g: Graph, x: number, axes: readonly number[]): number => axes.reduce((n, ax) => n * g.shape(x)[ax]!, 1);

function mean(g: Graph, x: number, axes: readonly number[]): number {
  return g.binary("div", reduceSum(g, x, axes), g.scalar(count(g, x, axes)));
}

/** Sample variance (n − 1 denominator), as the evaluator's `var`. */
function variance(g: Graph, x: number, axes: readonly number[]): number {
  const d = g.binary("sub", x, keepDims(g, mean(g, x, axes), g.shape(x), axes));
  return g.binary("div", reduceSum(g, g.unary("square", d), axes), g.scalar(Math.max(count(g, x, axes) - 1, 1)));
}

/** x − logsumexp(x) along one axis. */
function logSoftmax(g: Graph, x: number, dims: readonly number[] | undefined): number {
  const rank = g.shape(x).length;
  const axes = axesOf(dims, rank, [rank - 1]).slice(0, 1);
  return g.binary("sub", x, keepDims(g, g.reduce("logsumexp", x, axes), g.shape(x), axes));
}

function vector(g: Graph, x: number, what: string): number {
  const s = g.shape(x);
  if (s.length !== 1) throw new IrError(`${what} takes vectors, got shape [${s.join(", ")}]`);
  return s[0]!;
}

/** A vector becomes one row, as the evaluator's. */
function transpose(g: Graph, x: number): number {
  const s = g.shape(x);
  return s.length === 1 ? g.reshape(x, [1, s[0]!]) : g.transpose(x);
}

/** Vector → diagonal matrix (zeros elsewhere), matrix → its diagonal. */
function diag(g: Graph, x: number): number {
  const s = g.shape(x);
  if (s.length === 1) {
    const n = s[0]!;
    // element n of [x, 0] is the zero
    const withZero = g.concat([x, g.scalar(0)], [n + 1]);
    return g.take(withZero, Int32Array.from({ length: n * n }, (_, i) => (i % n === Math.floor(i / n) ? i % n : n)), [n, n]);
  }
  if (s.length !== 2) throw new IrError(`diag of shape [${s.join(", ")}]`);
  const m = Math.min(s[0]!, s[1]!);
  return g.take(x, Int32Array.from({ length: m }, (_, i) => i * s[1]! + i), [m]);
}

/** Side by side along the second axis, vectors as columns. */
function hcat(g: Graph, parts: readonly number[]): number {
  const cols = parts.map((p) => (g.shape(p).length === 1 ? 1 : g.shape(p)[1]!));
  const rows = g.shape(parts[0]!)[0]!;
  if (parts.some((p) => g.shape(p).length > 2 || g.shape(p)[0] !== rows)) throw new IrError("hcat of blocks with different numbers of rows");
  const total = cols.reduce((a, b) => a + b, 0);
  const start: number[] = [];
  cols.reduce((at, c, j) => ((start[j] = at), at + rows * c), 0);
  const index = new Int32Array(rows * total);
  for (let i = 0; i < rows; i++) {
    let j0 = 0;
    cols.forEach((c, p) => {
      for (let j = 0; j < c; j++) index[i * total + j0 + j] = start[p]! + i * c + j;
      j0 += c;
    });
  }
  return g.take(g.concat(parts, [start[parts.length - 1]! + rows * cols[parts.length - 1]!]), index, [rows, total]);
}

function square(g: Graph, a: number, what: string): number {
  const s = g.shape(a);
  if (s.length !== 2 || s[0] !== s[1]) throw new IrError(`${what} needs a square matrix, got shape [${s.join(", ")}]`);
  return s[0]!;
}

/** A⁻¹ b for symmetric positive-definite A: L⁻ᵀ (L⁻¹ b). */
function solve(g: Graph, a: number, b: number): number {
  square(g, a, "solve");
  const l = g.cholesky(a);
  return g.trisolve(l, g.trisolve(l, b), true);
}

/** log det A = 2 Σ log Lᵢᵢ. */
function logdet(g: Graph, a: number): number {
  const n = square(g, a, "logdet");
  const diagonal = g.take(g.cholesky(a), Int32Array.from({ length: n }, (_, i) => i * n + i), [n]);
  return g.binary("mul", g.scalar(2), g.sum(g.unary("log", diagonal)));
}

const unary = (fn: UnaryFn): RecordedBuiltin => ({ arity: 1, build: (g, [x]) => g.unary(fn, x!) });

/** Over all axes, or `dims`. */
const reduction = (kind: ReduceKind): RecordedBuiltin => ({
  arity: 1, dims: true, build: (g, [x], dims) => g.reduce(kind, x!, axesOf(dims, g.shape(x!).length, every(g.shape(x!).length))),
});

/** `max(x, y)` elementwise, or `max(x; dims)` a reduction (the evaluator's two meanings; it ignores dims with two arguments). */
const minmax = (fn: "max" | "min"): RecordedBuiltin => ({
  arity: [1, 2], dims: true,
  build: (g, [x, y], dims) => (y !== undefined ? g.binary(fn, x!, y) : g.reduce(fn, x!, axesOf(dims, g.shape(x!).length, every(g.shape(x!).length)))),
});

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const RECORDED_BUILTINS: Readonly<Record<string, RecordedBuiltin>> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([name, fn]) => [name, unary(fn)])),
  identity: { arity: 1, build: (_g, [x]) => x! },
  swish: { arity: 1, build: (g, [x]) => g.binary("mul", x!, g.unary("sigmoid", x!)) },
  // the tanh approximation, as the evaluator's
  gelu: {
    arity: 1,
    build: (g, [x]) => {
      const inner = g.binary("mul", g.scalar(SQRT_2_OVER_PI), g.binary("add", x!, g.binary("mul", g.scalar(0.044715), g.binary("pow", x!, g.scalar(3)))));
      return g.binary("mul", g.binary("mul", x!, g.scalar(0.5)), g.binary("add", g.scalar(1), g.unary("tanh", inner)));
    },
  },
  sum: { arity: 1, dims: true, build: (g, [x], dims) => reduceSum(g, x!, axesOf(dims, g.shape(x!).length, every(g.shape(x!).length))) },
  mean: { arity: 1, dims: true, build: (g, [x], dims) => mean(g, x!, axesOf(dims, g.shape(x!).length, every(g.shape(x!).length))) },
  var: { arity: 1, dims: true, build: (g, [x], dims) => variance(g, x!, axesOf(dims, g.shape(x!).length, every(g.shape(x!).length))) },
  std: { arity: 1, dims: true, build: (g, [x], dims) => g.unary("sqrt", variance(g, x!, axesOf(dims, g.shape(x!).length, every(g.shape(x!).length)))) },
  sd: { arity: 1, dims: true, build: (g, [x], dims) => g.unary("sqrt", variance(g, x!, axesOf(dims, g.shape(x!).length, every(g.shape(x!).length)))) },
  logsumexp: reduction("logsumexp"),
  prod: reduction("prod"),
  max: minmax("max"),
  min: minmax("min"),
  // the evaluator's: min(max(x, lo), hi), cond ≠ 0 picks `then`, all broadcast together
  clamp: { arity: 3, build: (g, [x, lo, hi]) => g.binary("min", g.binary("max", x!, lo!), hi!) },
  ifelse: { arity: 3, build: (g, [c, a, b]) => g.select(c!, a!, b!) },
  cumsum: { arity: 1, dims: true, build: (g, [x], dims) => g.cumsum(x!, axesOf(dims, g.shape(x!).length, [0])[0]!) },
  logsoftmax: { arity: 1, dims: true, build: (g, [x], dims) => logSoftmax(g, x!, dims) },
  softmax: { arity: 1, dims: true, build: (g, [x], dims) => g.unary("exp", logSoftmax(g, x!, dims)) },
  transpose: { arity: 1, build: (g, [x]) => transpose(g, x!) },
  diag: { arity: 1, build: (g, [x]) => diag(g, x!) },
  dot: {
    arity: 2,
    build: (g, [a, b]) => {
      const p = g.binary("mul", a!, b!);
      const rank = g.shape(p).length;
      return rank <= 1 ? g.sum(p) : g.reduce("sum", p, [rank - 1]);
    },
  },
  outer: { arity: 2, build: (g, [a, b]) => g.binary("mul", g.reshape(a!, [vector(g, a!, "outer"), 1]), g.reshape(b!, [1, vector(g, b!, "outer")])) },
  hcat: { arity: "many", build: (g, parts) => hcat(g, parts) },
  stack: {
    arity: "many",
    build: (g, parts) => {
      const inner = g.shape(parts[0]!);
      if (parts.length < 2 || parts.some((p) => g.shape(p).join(",") !== inner.join(","))) throw new IrError("stack of other than two or more equally shaped arrays");
      return g.concat(parts, [parts.length, ...inner]);
    },
  },
  // fill(v, d1, d2, …): a scalar of parameters repeated over data sizes (one take)
  fill: {
    arity: "many",
    build: (g, [v, ...sizes]) => {
      if (sizeOf(g.shape(v!)) !== 1) throw new IrError("fill of a value that is not a scalar");
      const shape = sizes.map((d) => {
        const c = g.constValue(d);
        if (c === undefined || c.length !== 1 || !Number.isInteger(c[0]) || c[0]! < 0) throw new IrError("fill with sizes that are not whole numbers of data");
        return c[0]!;
      });
      return g.take(g.reshape(v!, []), new Int32Array(shape.reduce((a, b) => a * b, 1)), shape);
    },
  },
  cholesky: { arity: 1, build: (g, [a]) => g.cholesky(a!) },
  solve: { arity: 2, build: (g, [a, b]) => solve(g, a!, b!) },
  logdet: { arity: 1, build: (g, [a]) => logdet(g, a!) },
};
