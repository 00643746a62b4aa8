/**
 * The tfjs executor against the float64 references: every op's value and gradient, batched
 * over three chains at different points, against the host executor (itself checked against
 * direct float64 computations in core/exec/host/compile.test.ts) and against central finite
 * differences of that float64 value, to float32 accuracy.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../../engine.js";
import { valueAndGrad } from "../../autodiff.js";
import { Graph } from "../../ir/graph.js";
import { FAMILIES, type FamilyName } from "../../ir/families.js";
import { BINARY_FNS, UNARY_FNS, type UnaryFn } from "../../ir/ops.js";
import { compileHost } from "../host/compile.js";
import { compileTfjs } from "./execute.js";
import { fdGrad } from "../testing.js";

const CHAINS = 3;

/** Rows of θ: the base point and two perturbations of it, one per chain. */
const rowsOf = (base: readonly number[], jitter = 0.05): number[][] =>
  Array.from({ length: CHAINS }, (_, c) => base.map((x, i) => x * (1 + jitter * c * Math.sin(i + c))));


/** The tfjs executor's value and gradient of every row equal the float64 ones to float32 accuracy. */
function agree(g: Graph, out: number, rows: readonly (readonly number[])[], tol = 2e-4): void {
  const host = compileHost(g, out);
  const run = compileTfjs(g, out);
  const q = tf.tensor2d(rows.map((r) => Array.from(r)), [rows.length, g.dim]);
  // the first call uploads the constants (kept for the executor's life); later calls leave nothing behind
  tf.dispose(Object.values(valueAndGrad(run, q)));
  const before = tf.memory().numTensors;
  const { value, grad } = valueAndGrad(run, q);
  const [vs, gs] = [value.arraySync(), grad.arraySync()];
  tf.dispose([value, grad]);
  expect(tf.memory().numTensors).toBe(before);
  q.dispose();
  rows.forEach((r, c) => {
    const theta = Float64Array.from(r);
    const gRef = new Float64Array(g.dim);
    const vRef = host.valueAndGrad(theta, gRef);
    const gFd = fdGrad((x) => host.valueAndGrad(x, new Float64Array(g.dim)), theta);
    expect(Math.abs(vs[c]! - vRef)).toBeLessThan(tol * (1 + Math.abs(vRef)));
    for (let i = 0; i < g.dim; i++) {
      const scale = 1 + Math.abs(gRef[i]!);
      expect(Math.abs(gs[c]![i]! - gRef[i]!)).toBeLessThan(tol * 5 * scale);
      expect(Math.abs(gs[c]![i]! - gFd[i]!)).toBeLessThan(tol * 5 * scale);
    }
  });
}

const UNARY_POINTS: Partial<Record<UnaryFn, number[]>> = { logNormalCdf: [-3.5, -1.2, 2.3], logit: [0.2, 0.5, 0.9], relu: [-0.7, 0.4, 1.9], elu: [-0.7, 0.4, 1.9], abs: [-0.7, 0.4, 1.9] };

describe("tfjs executor: elementwise ops", () => {
  it.each(UNARY_FNS)("%s", (fn) => {
    const g = new Graph();
    const out = g.sum(g.binary("mul", g.unary(fn, g.param(0, [3])), g.constant([1, 2, 3], [3])));
    agree(g, out, rowsOf(UNARY_POINTS[fn] ?? [0.3, 1.7, 2.9], 0.02));
  });

  it.each(BINARY_FNS)("%s with broadcasting [2, 3], [3] and a scalar", (fn) => {
    const g = new Graph();
    const ab = g.binary(fn, g.param(0, [2, 3]), g.param(6, [3]));
    const out = g.sum(g.binary("mul", g.binary(fn, g.param(9, []), ab), g.constant([1, -2, 3, 0.5, 2, -1], [2, 3])));
    agree(g, out, rowsOf([0.5, 1.2, 2.0, 0.7, 1.1, 1.9, 0.8, 1.3, 2.2, 1.5]));
  });

  it("select between two branches by a comparison of parameters, with broadcasting", () => {
    const g = new Graph();
    const x = g.param(0, [2, 3]);
    const t = g.param(6, []);
    const chosen = g.select(g.binary("gt", x, t), g.unary("log", g.unary("exp", x)), g.binary("mul", g.param(7, [3]), x));
    const out = g.sum(g.binary("mul", chosen, g.constant([1, -2, 3, 0.5, 2, -1], [2, 3])));
    agree(g, out, rowsOf([0.5, 1.2, -2.0, 0.7, -1.1, 1.9, 0.6, 0.8, 1.3, 2.2]));
  });

  it("constants of higher rank than a parameter broadcast under the chain axis", () => {
    const g = new Graph();
    const out = g.sum(g.unary("square", g.binary("sub", g.constant([1, 2, 3, 4, 5, 6], [2, 3]), g.param(0, [3]))));
    agree(g, out, rowsOf([0.4, -1, 2]));
  });
});

describe("tfjs executor: structural ops", () => {
  it("take, concat and reshape", () => {
    const g = new Graph();
    const p = g.param(0, [4]);
    const t = g.take(p, Int32Array.from([3, 0, 0, 2]), [2, 2]);
    const c = g.concat([g.reshape(t, [4]), g.param(1, []), g.constant([0.5], [1])], [6]);
    const out = g.sum(g.binary("mul", g.unary("square", c), g.constant([1, 2, 3, 4, 5, 6], [6])));
    agree(g, out, rowsOf([0.5, -1.2, 2.0, 0.7]));
  });

  it.each([
    ["sum", [1]], ["sum", [0, 2]], ["logsumexp", [2]], ["logsumexp", [0, 1]], ["logsumexp", [0, 1, 2]],
    ["prod", [1]], ["prod", [0, 2]], ["max", [1]], ["max", [0, 1, 2]], ["min", [2]], ["min", [0, 2]],
  ] as const)("%s over axes %j of [2, 3, 2]", (kind, axes) => {
    const g = new Graph();
    const r = g.reduce(kind, g.param(0, [2, 3, 2]), axes);
    const size = g.shape(r).reduce((a, b) => a * b, 1);
    const out = g.sum(g.binary("mul", g.unary("square", r), g.constant(Array.from({ length: size }, (_, i) => i + 1), g.shape(r))));
    agree(g, out, rowsOf(Array.from({ length: 12 }, (_, i) => Math.cos(1.3 * i) * 2)));
  });

  it.each([[[5], 0], [[3, 4], 1], [[2, 3, 2], 1]] as const)("cumsum of %j along axis %i", (shape, axis) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const g = new Graph();
    const w = Array.from({ length: size }, (_, i) => (i % 3) - 0.5 + i / 7);
    const out = g.sum(g.binary("mul", g.unary("square", g.cumsum(g.param(0, shape), axis)), g.constant(w, shape)));
    agree(g, out, rowsOf(Array.from({ length: size }, (_, i) => Math.sin(2.1 * i + 0.4))));
  });

  it.each([
    ["param matrix @ param vector", [3, 2], [2], "pp"],
    ["param vector @ param matrix", [3], [3, 2], "pp"],
    ["param matrix @ param matrix", [2, 3], [3, 2], "pp"],
    ["data matrix @ param vector", [4, 3], [3], "cp"],
    ["param matrix @ data matrix", [2, 3], [3, 4], "pc"],
  ] as const)("%s", (_name, sa, sb, kinds) => {
    const na = sa.reduce((a, b) => a * b, 1);
    const nb = sb.reduce((a, b) => a * b, 1);
    const g = new Graph();
    const values = (n: number, s: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(i + s));
    const a = kinds[0] === "p" ? g.param(0, sa) : g.constant(values(na, 1), sa);
    const b = kinds[1] === "p" ? g.param(kinds[0] === "p" ? na : 0, sb) : g.constant(values(nb, 2), sb);
    const out = g.sum(g.unary("square", g.matmul(a, b)));
    agree(g, out, rowsOf(values(g.dim, 0.5)));
  });

  it("Cholesky factor and the two triangular solves of an SPD matrix built from θ", () => {
    const n = 3;
    const g = new Graph();
    const m = g.param(0, [n, n]);
    const mt = g.transpose(m);
    const a = g.binary("add", g.matmul(m, mt), g.constant(Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? n : 0)), [n, n]));
    const l = g.cholesky(a);
    const b = g.param(n * n, [n, 2]);
    const x1 = g.trisolve(l, b);
    const x2 = g.trisolve(l, g.constant([1, -1, 0.5], [n]), true);
    const diag = g.take(l, Int32Array.from({ length: n }, (_, i) => i * n + i), [n]);
    const out = g.add(g.add(g.sum(g.unary("square", x1)), g.sum(g.unary("square", x2))), g.sum(g.unary("log", diag)));
    agree(g, out, rowsOf(Array.from({ length: n * n + 2 * n }, (_, i) => Math.sin(1.7 * i + 0.3))), 1e-3);
  });
});

/** Each family's arguments at points inside its support; `true` marks data (a constant). */
const FAMILY_ARGS: Record<FamilyName, readonly (readonly [number, boolean])[]> = {
  normal: [[0.3, false], [-0.4, false], [1.3, false]],
  logNormal: [[1.7, false], [0.2, false], [0.8, false]],
  cauchy: [[0.3, false], [-0.4, false], [1.3, false]],
  studentT: [[0.3, false], [4.5, false], [-0.4, false], [1.3, false]],
  laplace: [[0.3, false], [-0.4, false], [1.3, false]],
  logistic: [[0.3, false], [-0.4, false], [1.3, false]],
  exponential: [[0.6, false], [1.4, false]],
  gamma: [[1.2, false], [2.5, false], [1.5, false]],
  inverseGamma: [[1.2, false], [2.5, false], [1.5, false]],
  weibull: [[1.3, false], [1.7, false], [0.9, false]],
  beta: [[0.35, false], [2.5, false], [1.5, false]],
  uniform: [[0.5, true], [-1.5, false], [2.0, false]],
  poissonLog: [[3, true], [0.7, false]],
  poisson: [[3, true], [2.1, false]],
  negativeBinomial: [[4, true], [2.5, false], [1.8, false]],
  bernoulliLogit: [[1, true], [0.4, false]],
  bernoulli: [[0, true], [0.3, false]],
  binomialLogit: [[3, true], [7, true], [0.4, false]],
  binomial: [[3, true], [7, true], [0.35, false]],
};

describe("tfjs executor: fused log densities (one definition, core/ir/families.ts)", () => {
  it.each(Object.keys(FAMILY_ARGS) as FamilyName[])("%s: summed over a broadcast of 3 values, and elementwise", (family) => {
    expect(FAMILY_ARGS[family].length).toBe(FAMILIES[family].arity);
    for (const each of [false, true]) {
      const g = new Graph();
      const base: number[] = [];
      // the value varies over 3 elements; the parameters are scalars
      const args = FAMILY_ARGS[family].map(([v, data], j) => {
        const vs = j === 0 ? [v, data ? v : v * 1.1, data ? v : v * 0.9] : [v];
        const shape = j === 0 ? [3] : [];
        if (data) return g.constant(vs, shape);
        base.push(...vs);
        return g.param(base.length - vs.length, shape);
      });
      const lp = g.lpdf(family, args, each);
      const out = each ? g.sum(g.binary("mul", lp, g.constant([1, 0.5, 2], [3]))) : lp;
      agree(g, out, rowsOf(base, 0.03));
    }
  });

  it("a mixture: log-sum-exp of elementwise densities plus log weights", () => {
    const g = new Graph();
    const x = g.constant([-1, 0.2, 2.5, 3.1], [4, 1]);
    const mu = g.param(0, [2]);
    const sigma = g.unary("exp", g.param(2, [2]));
    const lw = g.unary("logSigmoid", g.param(4, [2]));
    const lp = g.binary("add", g.lpdf("normal", [x, mu, sigma], true), lw);
    const out = g.sum(g.reduce("logsumexp", lp, [1]));
    agree(g, out, rowsOf([-0.5, 2.4, 0.1, -0.3, 0.7, -0.7]));
  });
});

describe("tfjs executor: a graph without parameters", () => {
  it("gives its constant to every chain with a zero gradient", () => {
    const g = new Graph();
    g.param(0, [2]);
    const out = g.lpdf("normal", [g.constant([0.5], [1]), g.scalar(0), g.scalar(1)]);
    agree(g, out, rowsOf([1, 2]));
  });
});
