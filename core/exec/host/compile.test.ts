/**
 * The host executor against independent references: each op's value against a direct float64
 * computation, and the generated reverse-mode gradient against central finite differences of
 * the generated value.
 */
import { describe, expect, it } from "vitest";
import { Graph, IrError } from "../../ir/graph.js";
import { FAMILIES, type FamilyName } from "../../ir/families.js";
import { familyScorer } from "../../ir/families-compile.js";
import { UNARY_FNS, BINARY_FNS, type BinaryFn, type UnaryFn } from "../../ir/ops.js";
import { BINARY, UNARY } from "../../ir/ops-compile.js";
import { tf } from "../../engine.js";
import { digamma64, lgamma64, normalCdf64 } from "../../special-host.js";
import { compileHost } from "./compile.js";
import { fdGrad } from "../testing.js";


function checkGradient(g: Graph, out: number, theta: Float64Array): number {
  const { valueAndGrad } = compileHost(g, out);
  const grad = new Float64Array(theta.length);
  const value = valueAndGrad(theta, grad);
  const scratch = new Float64Array(theta.length);
  const fd = fdGrad((x) => valueAndGrad(x, scratch), theta);
  for (let i = 0; i < theta.length; i++) expect(Math.abs(grad[i]! - fd[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(fd[i]!)));
  // a second call gives the same (buffers are reused, not accumulated)
  const again = new Float64Array(theta.length);
  expect(valueAndGrad(theta, again)).toBe(value);
  expect(Array.from(again)).toEqual(Array.from(grad));
  return value;
}

const REFERENCE: Record<UnaryFn, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  abs: Math.abs,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  logit: (x) => Math.log(x) - Math.log(1 - x),
  relu: (x) => Math.max(x, 0),
  elu: (x) => (x > 0 ? x : Math.exp(x) - 1),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  softplus: (x) => Math.log(1 + Math.exp(x)),
  logSigmoid: (x) => -Math.log(1 + Math.exp(-x)),
  lgamma: lgamma64,
  digamma: digamma64,
  logNormalCdf: (x) => Math.log(normalCdf64(x)),
  floor: Math.floor,
  ceil: Math.ceil,
  // away from ties; ties against tf.round below
  round: Math.round,
  not: (x) => (x === 0 ? 1 : 0),
};

/** Points inside each op's domain, on both sides of a kink (steps: away from their jumps, and at 0 for `not`). */
const UNARY_POINTS: Partial<Record<UnaryFn, number[]>> = {
  logNormalCdf: [-8.5, -1.2, 2.3],
  logit: [0.2, 0.5, 0.9], relu: [-0.7, 0.4, 1.9], elu: [-0.7, 0.4, 1.9], abs: [-0.7, 0.4, 1.9],
  floor: [-0.7, 0.4, 1.9], ceil: [-0.7, 0.4, 1.9], round: [-1.7, 0.4, 2.6], not: [0, 0.4, -1.9],
};

describe("host executor: elementwise ops", () => {
  it.each(UNARY_FNS)("%s: value and gradient", (fn) => {
    const theta = Float64Array.from(UNARY_POINTS[fn] ?? [0.3, 1.7, 2.9]);
    const g = new Graph();
    const p = g.param(0, [3]);
    // weights make each element's gradient distinct
    const out = g.sum(g.binary("mul", g.unary(fn, p), g.constant([1, 2, 3], [3])));
    const value = checkGradient(g, out, theta);
    const ref = Array.from(theta).reduce((s, x, i) => s + (i + 1) * REFERENCE[fn](x), 0);
    expect(value).toBeCloseTo(ref, 12);
  });

  it.each(BINARY_FNS)("%s with broadcasting [2, 3] and [3], scalar on the left", (fn) => {
    const theta = Float64Array.from([0.5, 1.2, 2.0, 0.7, 1.1, 1.9, 0.8, 1.3, 2.2, 1.5]);
    const g = new Graph();
    const a = g.param(0, [2, 3]);
    const b = g.param(6, [3]);
    const s = g.param(9, []);
    const ab = g.binary(fn, a, b);
    const out = g.sum(g.binary("mul", g.binary(fn, s, ab), g.constant([1, -2, 3, 0.5, 2, -1], [2, 3])));
    const value = checkGradient(g, out, theta);
    const f = (x: number, y: number): number => ({
      add: x + y, sub: x - y, mul: x * y, div: x / y, pow: x ** y, max: x > y ? x : y, min: x < y ? x : y,
      gt: +(x > y), ge: +(x >= y), lt: +(x < y), le: +(x <= y), eq: +(x === y), ne: +(x !== y), and: +(x !== 0 && y !== 0), or: +(x !== 0 || y !== 0),
    })[fn];
    const w = [1, -2, 3, 0.5, 2, -1];
    let ref = 0;
    for (let i = 0; i < 6; i++) ref += w[i]! * f(theta[9]!, f(theta[i]!, theta[6 + (i % 3)]!));
    expect(value).toBeCloseTo(ref, 10);
  });

  it("round takes ties to the even neighbour, as tf.round; floor, ceil, not and the comparisons give tfjs's values, NaN included", () => {
    // float32-exact, so that tfjs's float32 tensors hold the same numbers
    const xs = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -0.484375, 0.515625, 7, NaN, Infinity, -Infinity];
    const theirs = (f: (t: tf.Tensor) => tf.Tensor): number[] => tf.tidy(() => Array.from(f(tf.tensor1d(xs, "float32")).dataSync()));
    const ours = (fn: UnaryFn): number[] => xs.map((x) => UNARY[fn].eval(x));
    expect(ours("round")).toEqual(theirs((t) => tf.round(t)).map((v) => v + 0)); // −0 and 0 alike
    expect(ours("floor")).toEqual(theirs((t) => tf.floor(t)));
    expect(ours("ceil")).toEqual(theirs((t) => tf.ceil(t)));
    expect(ours("not")).toEqual(theirs((t) => tf.cast(tf.equal(t, 0), "float32")));
    const ys = [-2.5, 0, -0.5, 0.5, 2, 2.5, NaN, 0.515625, 7, NaN, 1, Infinity, 0];
    const both = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): number[] => tf.tidy(() => Array.from(f(tf.tensor1d(xs, "float32"), tf.tensor1d(ys, "float32")).dataSync()));
    const cmp: [BinaryFn, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
      ["gt", tf.greater], ["ge", tf.greaterEqual], ["lt", tf.less], ["le", tf.lessEqual], ["eq", tf.equal], ["ne", tf.notEqual],
      ["and", (a, b) => tf.logicalAnd(tf.notEqual(a, 0), tf.notEqual(b, 0))], ["or", (a, b) => tf.logicalOr(tf.notEqual(a, 0), tf.notEqual(b, 0))],
    ];
    for (const [fn, f] of cmp) expect(xs.map((x, i) => BINARY[fn].eval(x, ys[i]!))).toEqual(both((a, b) => tf.cast(f(a, b), "float32")));
    // max and min: tfjs's backends differ on NaN (cpu propagates it, as ours; wasm keeps the first argument)
    const numbers = xs.map((x, i) => !Number.isNaN(x) && !Number.isNaN(ys[i]!));
    const kept = (v: number[]): number[] => v.filter((_, i) => numbers[i]);
    expect(kept(xs.map((x, i) => BINARY.max.eval(x, ys[i]!)))).toEqual(kept(both(tf.maximum)));
    expect(kept(xs.map((x, i) => BINARY.min.eval(x, ys[i]!)))).toEqual(kept(both(tf.minimum)));
    expect([BINARY.max.eval(3.5, NaN), BINARY.max.eval(NaN, 1), BINARY.min.eval(3.5, NaN), BINARY.min.eval(NaN, 1)]).toEqual([NaN, NaN, NaN, NaN]);
  });

  it("max and min pass the gradient to the chosen side and a tie to the left one, as tfjs's gradients do", () => {
    const a = [0.5, 2, 1.25, -1];
    const b = [1, 2, 0.75, -1];
    for (const fn of ["max", "min"] as const) {
      const g = new Graph();
      const out = g.sum(g.binary("mul", g.binary(fn, g.param(0, [4]), g.param(4, [4])), g.constant([1, 2, 3, 4], [4])));
      const grad = new Float64Array(8);
      compileHost(g, out).valueAndGrad(Float64Array.from([...a, ...b]), grad);
      const ref = tf.tidy(() => {
        const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.sum(tf.mul((fn === "max" ? tf.maximum : tf.minimum)(x, y), tf.tensor1d([1, 2, 3, 4])));
        const [ga, gb] = tf.grads(f)([tf.tensor1d(a), tf.tensor1d(b)]);
        return [...ga!.dataSync(), ...gb!.dataSync()];
      });
      expect(Array.from(grad)).toEqual(ref);
    }
  });

  it("a step's zero derivative is not multiplied into an infinite adjoint", () => {
    // d/dx of floor(x) · (1/y) at y = 0: the adjoint of floor is ∞, its contribution to x is 0, not NaN
    const g = new Graph();
    const out = g.sum(g.binary("div", g.unary("floor", g.param(0, [])), g.param(1, [])));
    const grad = new Float64Array(2);
    compileHost(g, out).valueAndGrad(Float64Array.from([1.5, 0]), grad);
    expect(grad[0]).toBe(0);
  });

  it("folds constants at build time", () => {
    const g = new Graph();
    const c = g.binary("add", g.constant([1, 2], [2]), g.scalar(3));
    expect(g.constValue(g.unary("log", c))).toEqual(Float64Array.from([Math.log(4), Math.log(5)]));
  });

  it("refuses shapes that do not broadcast", () => {
    const g = new Graph();
    expect(() => g.binary("add", g.param(0, [2]), g.param(2, [3]))).toThrow(IrError);
  });
});

describe("host executor: select", () => {
  it("cond [2, 3] from a comparison, a [3] and b [] broadcast: value and gradient against finite differences", () => {
    const theta = Float64Array.from([0.5, -1.2, 2.0, 0.7, -0.3, 1.9, 0.8, -1.3, 2.2, 1.5]);
    const g = new Graph();
    const c = g.param(0, [2, 3]);
    const a = g.param(6, [3]);
    const b = g.param(9, []);
    // exp(a) where c > 0.6, b² elsewhere
    const sel = g.select(g.binary("gt", c, g.scalar(0.6)), g.unary("exp", a), g.unary("square", b));
    expect(g.shape(sel)).toEqual([2, 3]);
    const w = [1, -2, 3, 0.5, 2, -1];
    const out = g.sum(g.binary("mul", sel, g.constant(w, [2, 3])));
    const value = checkGradient(g, out, theta);
    let ref = 0;
    for (let i = 0; i < 6; i++) ref += w[i]! * (theta[i]! > 0.6 ? Math.exp(theta[6 + (i % 3)]!) : theta[9]! ** 2);
    expect(value).toBeCloseTo(ref, 12);
    // the gradient of the condition's parameters is 0; a's and b's are their chosen elements' weights
    const grad = new Float64Array(10);
    compileHost(g, out).valueAndGrad(theta, grad);
    expect(Array.from(grad.slice(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    // c > 0.6: [[no, no, yes], [yes, no, yes]]
    expect(grad[6]).toBeCloseTo(0.5 * Math.exp(theta[6]!), 12);
    expect(grad[7]).toBe(0);
    expect(grad[8]).toBeCloseTo((3 - 1) * Math.exp(theta[8]!), 12);
    expect(grad[9]).toBeCloseTo(2 * theta[9]! * (1 - 2 + 2), 12);
  });

  it("the side not chosen may be NaN or infinite there: value and gradient stay finite", () => {
    // ifelse(x > 0, sqrt(x), -x) and ifelse(x != 0, 1 / x, 0) at x = −4, 0 and 9
    const g = new Graph();
    const x = g.param(0, [3]);
    const s1 = g.select(g.binary("gt", x, g.scalar(0)), g.unary("sqrt", x), g.unary("neg", x));
    const s2 = g.select(g.binary("ne", x, g.scalar(0)), g.binary("div", g.scalar(1), x), g.scalar(0));
    const out = g.sum(g.binary("add", s1, s2));
    const grad = new Float64Array(3);
    const value = compileHost(g, out).valueAndGrad(Float64Array.from([-4, 0, 9]), grad);
    expect(value).toBeCloseTo(4 - 0.25 + 0 + 3 + 1 / 9, 14);
    expect(grad[0]).toBeCloseTo(-1 - 1 / 16, 14);
    expect(grad[1]).toBe(-1); // −x's derivative, and nothing (not NaN) from sqrt(0) or 1/0 beside it
    expect(grad[2]).toBeCloseTo(0.5 / 3 - 1 / 81, 14);
  });

  it("folds: a constant condition picks its side, all-constant operands fold", () => {
    const g = new Graph();
    const p = g.param(0, [2]);
    const q = g.param(2, [2]);
    expect(g.select(g.constant([1, -2], [2]), p, q)).toBe(p);
    expect(g.select(g.scalar(0), p, q)).toBe(q);
    expect(g.select(g.param(4, [2]), p, p)).toBe(p);
    expect(g.nodes[g.select(g.constant([1, 0], [2]), p, q)]!.op).toBe("select");
    expect(Array.from(g.constValue(g.select(g.constant([1, 0, NaN], [3]), g.constant([1, 2, 3], [3]), g.scalar(7)))!)).toEqual([1, 7, 3]);
    expect(() => g.select(p, g.param(4, [3]), q)).toThrow(IrError);
  });
});

describe("host executor: structural ops", () => {
  it("take (gather with repeats), concat and reshape", () => {
    const theta = Float64Array.from([0.5, -1.2, 2.0, 0.7]);
    const g = new Graph();
    const p = g.param(0, [4]);
    const t = g.take(p, Int32Array.from([3, 0, 0, 2]), [2, 2]);
    const c = g.concat([g.reshape(t, [4]), g.param(1, [])], [5]);
    const out = g.sum(g.binary("mul", g.unary("square", c), g.constant([1, 2, 3, 4, 5], [5])));
    const value = checkGradient(g, out, theta);
    const x = [0.7, 0.5, 0.5, 2.0, -1.2];
    expect(value).toBeCloseTo(x.reduce((s, v, i) => s + (i + 1) * v * v, 0), 12);
  });

  it.each([
    ["sum", [1]], ["sum", [0, 2]], ["logsumexp", [2]], ["logsumexp", [0, 1, 2]],
    ["prod", [1]], ["prod", [0, 1, 2]], ["max", [0, 2]], ["max", [0, 1, 2]], ["min", [1]], ["min", [2]],
  ] as const)("%s over axes %j of [2, 3, 2]", (kind, axes) => {
    const theta = Float64Array.from({ length: 12 }, (_, i) => Math.cos(1.3 * i) * 2);
    const g = new Graph();
    const r = g.reduce(kind, g.param(0, [2, 3, 2]), axes);
    const out = g.sum(g.binary("mul", g.unary("square", r), g.constant(Array.from({ length: g.shape(r).reduce((a, b) => a * b, 1) }, (_, i) => i + 1), g.shape(r))));
    const value = checkGradient(g, out, theta);
    // reference: group by the kept coordinates of each element
    const groups = new Map<string, number[]>();
    for (let i = 0; i < 12; i++) {
      const coord = [Math.floor(i / 6), Math.floor(i / 2) % 3, i % 2];
      const key = coord.filter((_, ax) => !(axes as readonly number[]).includes(ax)).join(",");
      groups.set(key, [...(groups.get(key) ?? []), theta[i]!]);
    }
    const fold = {
      sum: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
      logsumexp: (xs: number[]) => Math.log(xs.reduce((a, b) => a + Math.exp(b), 0)),
      prod: (xs: number[]) => xs.reduce((a, b) => a * b, 1),
      max: (xs: number[]) => Math.max(...xs),
      min: (xs: number[]) => Math.min(...xs),
    }[kind];
    const reduced = [...groups.values()].map(fold);
    expect(value).toBeCloseTo(reduced.reduce((s, x, i) => s + (i + 1) * x * x, 0), 10);
  });

  it("prod's gradient is the product of the other elements, exact with one zero and with two", () => {
    for (const xs of [[2, 0, 3, -1.5], [0, 4, 0, 2], [1.5, -2, 0.5, 3]]) {
      const g = new Graph();
      const out = g.reduce("prod", g.param(0, [4]), [0]);
      const grad = new Float64Array(4);
      const value = compileHost(g, out).valueAndGrad(Float64Array.from(xs), grad);
      expect(value).toBe(xs.reduce((a, b) => a * b, 1));
      for (let i = 0; i < 4; i++) expect(grad[i]! + 0).toBe(xs.filter((_, j) => j !== i).reduce((a, b) => a * b, 1) + 0); // +0 and −0 alike
      if (xs.every((x) => x !== 0)) checkGradient(g, out, Float64Array.from(xs));
    }
  });

  it("max and min over axes: NaN propagates, and every tied element gets the adjoint, as tfjs's gradient", () => {
    const xs = [1, 3, 3, -2, 0.5, -2];
    for (const kind of ["max", "min"] as const) {
      const g = new Graph();
      const r = g.reduce(kind, g.param(0, [2, 3]), [1]);
      const out = g.sum(g.binary("mul", r, g.constant([2, 5], [2])));
      const grad = new Float64Array(6);
      compileHost(g, out).valueAndGrad(Float64Array.from(xs), grad);
      const ref = tf.tidy(() => {
        const f = (x: tf.Tensor): tf.Tensor => tf.sum(tf.mul((kind === "max" ? tf.max : tf.min)(x, 1), tf.tensor1d([2, 5])));
        return { value: f(tf.tensor2d(xs, [2, 3])).dataSync()[0]!, grad: Array.from(tf.grad(f)(tf.tensor2d(xs, [2, 3])).dataSync()) };
      });
      expect(Array.from(grad)).toEqual(ref.grad);
      expect(compileHost(g, out).valueAndGrad(Float64Array.from(xs), grad)).toBe(ref.value);
      expect(compileHost(g, out).valueAndGrad(Float64Array.from([1, NaN, 3, 0, 0, 0]), grad)).toBeNaN();
      expect(Array.from(g.constValue(g.reduce(kind, g.constant([1, NaN, 3, 4, -1, 2], [2, 3]), [1]))!)).toEqual([NaN, kind === "max" ? 4 : -1]);
    }
  });

  it.each([
    ["matrix @ vector", [3, 2], [2]],
    ["vector @ matrix", [3], [3, 2]],
    ["matrix @ matrix", [2, 3], [3, 2]],
  ] as const)("%s", (_name, sa, sb) => {
    const na = sa.reduce((a, b) => a * b, 1);
    const nb = sb.reduce((a, b) => a * b, 1);
    const theta = Float64Array.from({ length: na + nb }, (_, i) => Math.sin(i + 1));
    const g = new Graph();
    const a = g.param(0, sa);
    const b = g.param(na, sb);
    const prod = g.matmul(a, b);
    const out = g.sum(g.unary("square", prod));
    const value = checkGradient(g, out, theta);
    // reference: explicit loops over the 2-d views
    const [m, k] = sa.length === 2 ? [sa[0], sa[1]] : [1, sa[0]];
    const n = sb.length === 2 ? sb[1] : 1;
    let ref = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += theta[i * k + p]! * theta[na + p * n + j]!;
      ref += s * s;
    }
    expect(value).toBeCloseTo(ref, 12);
    expect(g.shape(prod)).toEqual(sa.length === 2 && sb.length === 2 ? [2, 2] : [sa.length === 2 ? 3 : 2]);
  });
});

/** Points inside each family's support: [x, a, b, c]. */
const POINTS: Record<FamilyName, number[]> = {
  normal: [0.3, -0.4, 1.3],
  logNormal: [1.7, 0.2, 0.8],
  cauchy: [0.3, -0.4, 1.3],
  studentT: [0.3, 4.5, -0.4, 1.3],
  laplace: [0.3, -0.4, 1.3],
  logistic: [0.3, -0.4, 1.3],
  exponential: [0.6, 1.4],
  gamma: [1.2, 2.5, 1.5],
  inverseGamma: [1.2, 2.5, 1.5],
  weibull: [1.3, 1.7, 0.9],
  beta: [0.35, 2.5, 1.5],
  uniform: [0.5, -1.5, 2.0],
  poissonLog: [3, 0.7],
  poisson: [3, 2.1],
  negativeBinomial: [4, 2.5, 1.8],
  bernoulliLogit: [1, 0.4],
  bernoulli: [0, 0.3],
  binomialLogit: [3, 7, 0.4],
  binomial: [3, 7, 0.35],
};

describe("host executor: fused log densities", () => {
  it.each(Object.keys(POINTS) as FamilyName[])("%s: gradient in every argument, broadcast over 3 values", (family) => {
    const f = FAMILIES[family];
    const pt = POINTS[family];
    const discrete = ["poissonLog", "poisson", "negativeBinomial", "bernoulliLogit", "bernoulli", "binomialLogit", "binomial"].includes(family);
    // x varies over 3 elements (as data for discrete families); parameters are scalars of θ
    const g = new Graph();
    const xs = [pt[0]!, pt[0]! * (discrete ? 1 : 1.1), pt[0]! * (discrete ? 1 : 0.9)];
    const xNode = discrete ? g.constant(xs, [3]) : g.param(0, [3]);
    const base = discrete ? 0 : 3;
    // Binomial's n is data too
    const params = pt.slice(1).map((v, j) => (family.startsWith("binomial") && j === 0 ? g.scalar(v) : g.param(base + j, [])));
    const out = g.lpdf(family, [xNode, ...params]);
    const theta = Float64Array.from([...(discrete ? [] : xs), ...pt.slice(1)]);
    const value = checkGradient(g, out, theta);
    const d = new Float64Array(4);
    const ref = xs.reduce((s, x) => s + familyScorer(family)(x, pt[1]!, pt[2] ?? 0, pt[3] ?? 0, d) + (f.constTerm?.(x, pt[1]!) ?? 0), 0);
    expect(value).toBeCloseTo(ref, 11);
  });
});

/** Row-major n × n product a bᵀ (or a b), for references built independently of linalg.ts. */
function product(a: ArrayLike<number>, b: ArrayLike<number>, n: number, m: number, transposeB: boolean): number[] {
  const out = new Array<number>(n * m).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let p = 0; p < n; p++) out[i * m + j]! += a[i * n + p]! * (transposeB ? b[j * n + p]! : b[p * m + j]!);
  return out;
}

/** The [n, n] indices of a transpose, as a `take` map. */
const transposeIndex = (n: number): Int32Array => Int32Array.from({ length: n * n }, (_, i) => (i % n) * n + Math.floor(i / n));

describe("host executor: Cholesky factor and triangular solves", () => {
  const n = 4;
  // a well-conditioned SPD matrix from θ: A = M Mᵀ + n I
  const spd = (g: Graph, m: number): number => g.binary("add", g.matmul(m, g.take(m, transposeIndex(n), [n, n])), g.constant(Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? n : 0)), [n, n]));
  const theta = Float64Array.from({ length: n * n }, (_, i) => Math.sin(1.7 * i + 0.3));
  const weights = (size: number): number[] => Array.from({ length: size }, (_, i) => ((i * 7) % 5) - 1.5);

  it("cholesky: L is lower triangular with a positive diagonal and L Lᵀ = A; gradient against finite differences", () => {
    const g = new Graph();
    const a = spd(g, g.param(0, [n, n]));
    const l = g.cholesky(a);
    // Σ w ⊙ L and log of its diagonal (the terms of a log determinant)
    const diag = g.take(l, Int32Array.from({ length: n }, (_, i) => i * n + i), [n]);
    const out = g.add(g.sum(g.binary("mul", l, g.constant(weights(n * n), [n, n]))), g.sum(g.unary("log", diag)));
    checkGradient(g, out, theta);
    // the factor's values: read the node back through a graph that outputs one element at a time
    const values = Array.from({ length: n * n }, (_, i) => {
      const gi = new Graph();
      const li = gi.cholesky(spd(gi, gi.param(0, [n, n])));
      return compileHost(gi, gi.take(li, Int32Array.of(i), [])).valueAndGrad(theta, new Float64Array(n * n));
    });
    const aRef = product(theta, theta, n, n, true).map((v, i) => v + (i % (n + 1) === 0 ? n : 0));
    const llt = product(values, values, n, n, true);
    for (let i = 0; i < n * n; i++) expect(llt[i]).toBeCloseTo(aRef[i]!, 12);
    for (let i = 0; i < n; i++) {
      expect(values[i * n + i]).toBeGreaterThan(0);
      for (let j = i + 1; j < n; j++) expect(values[i * n + j]).toBe(0);
    }
  });

  it("cholesky of a parameter matrix reads (and differentiates) its lower triangle only", () => {
    const g = new Graph();
    const a = g.param(0, [n, n]);
    const out = g.sum(g.binary("mul", g.cholesky(a), g.constant(weights(n * n), [n, n])));
    // a diagonally dominant start keeps every finite-difference step positive definite
    const x = Float64Array.from(theta, (v, i) => (i % (n + 1) === 0 ? 3 + v : 0.3 * v));
    checkGradient(g, out, x);
    const grad = new Float64Array(n * n);
    compileHost(g, out).valueAndGrad(x, grad);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(grad[i * n + j]).toBe(0);
  });

  it.each([
    ["L⁻¹ b", false, [n]],
    ["L⁻ᵀ b", true, [n]],
    ["L⁻¹ B", false, [n, 3]],
    ["L⁻ᵀ B", true, [n, 3]],
  ] as const)("%s: L X = B holds; gradient in L and B against finite differences", (_name, transpose, sb) => {
    const m = sb.length === 2 ? sb[1] : 1;
    const g = new Graph();
    const l = g.cholesky(spd(g, g.param(0, [n, n])));
    const b = g.param(n * n, sb);
    const x = g.trisolve(l, b, transpose);
    expect(g.shape(x)).toEqual(sb);
    const out = g.sum(g.binary("mul", g.unary("square", x), g.constant(weights(n * m).map((w) => w + 2), sb)));
    const th = Float64Array.from([...theta, ...Array.from({ length: n * m }, (_, i) => Math.cos(i + 0.5))]);
    checkGradient(g, out, th);
    // X read back element by element, then multiplied by L (or Lᵀ) it gives B again
    const read = (build: (gi: Graph) => number, size: number): number[] => Array.from({ length: size }, (_, i) => {
      const gi = new Graph();
      return compileHost(gi, gi.take(build(gi), Int32Array.of(i), [])).valueAndGrad(th, new Float64Array(th.length));
    });
    const lv = read((gi) => gi.cholesky(spd(gi, gi.param(0, [n, n]))), n * n);
    const xv = read((gi) => gi.trisolve(gi.cholesky(spd(gi, gi.param(0, [n, n]))), gi.param(n * n, sb), transpose), n * m);
    const lMat = transpose ? Array.from(transposeIndex(n), (j) => lv[j]!) : lv;
    const back = product(lMat, xv, n, m, false);
    for (let i = 0; i < n * m; i++) expect(back[i]).toBeCloseTo(th[n * n + i]!, 12);
  });

  it("folds constant operands, and a 1 × 1 factor is a square root", () => {
    const g = new Graph();
    const l = g.cholesky(g.constant([4, 2, 2, 5], [2, 2]));
    expect(Array.from(g.constValue(l)!)).toEqual([2, 0, 1, 2]);
    expect(Array.from(g.constValue(g.trisolve(l, g.constant([2, 5], [2])))!)).toEqual([1, 2]);
    expect(Array.from(g.constValue(g.trisolve(l, g.constant([4, 4], [2]), true))!)).toEqual([1, 2]);
    const g1 = new Graph();
    const out = g1.sum(g1.trisolve(g1.cholesky(g1.param(0, [1, 1])), g1.param(1, [1])));
    expect(checkGradient(g1, out, Float64Array.from([2.25, 3]))).toBeCloseTo(2, 14);
  });

  it("refuses a matrix that is not square and a right-hand side of another size", () => {
    const g = new Graph();
    expect(() => g.cholesky(g.param(0, [2, 3]))).toThrow(IrError);
    expect(() => g.trisolve(g.param(0, [2, 2]), g.param(4, [3]))).toThrow(IrError);
  });
});

describe("host executor: running sums", () => {
  it.each([[[5], 0], [[3, 4], 0], [[3, 4], 1], [[2, 3, 2], 1]] as const)("cumsum of %j along axis %i", (shape, axis) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const theta = Float64Array.from({ length: size }, (_, i) => Math.sin(2.1 * i + 0.4));
    const g = new Graph();
    const c = g.cumsum(g.param(0, shape), axis);
    const w = Array.from({ length: size }, (_, i) => (i % 3) - 0.5 + i / 7);
    const out = g.sum(g.binary("mul", g.unary("square", c), g.constant(w, shape)));
    const value = checkGradient(g, out, theta);
    // reference: each element is the sum of the elements before it along the axis (strides of the row-major layout)
    const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    let ref = 0;
    for (let i = 0; i < size; i++) {
      const j = Math.floor(i / stride) % shape[axis]!;
      let s = 0;
      for (let t = 0; t <= j; t++) s += theta[i - (j - t) * stride]!;
      ref += w[i]! * s * s;
    }
    expect(value).toBeCloseTo(ref, 12);
  });
});
