/**
 * The host executor against independent references: each op's value against a direct float64
 * computation, and the generated reverse-mode gradient against central finite differences of
 * the generated value.
 */
import { describe, expect, it } from "vitest";
import { Graph, IrError } from "../../ir/graph.js";
import { FAMILIES, type FamilyName } from "../../ir/families.js";
import { UNARY_FNS, BINARY_FNS, type UnaryFn } from "../../ir/ops.js";
import { digamma64, lgamma64 } from "../../special-host.js";
import { compileHost } from "./compile.js";

/** Central differences of f at x, step h relative to |x|. */
function fdGrad(f: (x: Float64Array) => number, x: Float64Array): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const h = 1e-6 * Math.max(1, Math.abs(x[i]!));
    const xp = Float64Array.from(x);
    const xm = Float64Array.from(x);
    xp[i]! += h;
    xm[i]! -= h;
    g[i] = (f(xp) - f(xm)) / (2 * h);
  }
  return g;
}

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
};

/** Points inside each op's domain, on both sides of a kink. */
const UNARY_POINTS: Partial<Record<UnaryFn, number[]>> = { logit: [0.2, 0.5, 0.9], relu: [-0.7, 0.4, 1.9], elu: [-0.7, 0.4, 1.9], abs: [-0.7, 0.4, 1.9] };

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
    const f = (x: number, y: number): number => ({ add: x + y, sub: x - y, mul: x * y, div: x / y, pow: x ** y })[fn];
    const w = [1, -2, 3, 0.5, 2, -1];
    let ref = 0;
    for (let i = 0; i < 6; i++) ref += w[i]! * f(theta[9]!, f(theta[i]!, theta[6 + (i % 3)]!));
    expect(value).toBeCloseTo(ref, 10);
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
    const reduced = [...groups.values()].map((xs) => (kind === "sum" ? xs.reduce((a, b) => a + b, 0) : Math.log(xs.reduce((a, b) => a + Math.exp(b), 0))));
    expect(value).toBeCloseTo(reduced.reduce((s, x, i) => s + (i + 1) * x * x, 0), 10);
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
    const ref = xs.reduce((s, x) => s + f.lpg(x, pt[1]!, pt[2] ?? 0, pt[3] ?? 0, d) + (f.constTerm?.(x, pt[1]!) ?? 0), 0);
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
