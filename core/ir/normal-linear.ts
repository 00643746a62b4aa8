/**
 * A linear regression's likelihood by its sufficient statistics. When data y [N] are scored by
 * Normal(mu, σ) (or LogNormal, as Normal on log y) with σ one value and mu affine in a few
 * single values s₁ … s_K that depend on θ, mu = o + Σⱼ xⱼ sⱼ with data columns xⱼ and offset o
 * (`a + X @ b`, `b[1] + b[2] * height + b[3] * male`), the density as written costs O(N K)
 * per evaluation, but only O(K²) through the data's cross-products, computed once here:
 *
 *   Σ (yₙ − oₙ − xₙ·s)² = Σ (ỹₙ − x̃ₙ·s − c)² = Σ ỹ² + N c² − 2 s·(X̃ᵀỹ) + sᵀ (X̃ᵀX̃) s,
 *
 * with ỹ and X̃ = [x̃₁ … x̃_K] the data (y − o and the columns) centred by their means ȳ and
 * x̄, and c = x̄·s − ȳ (centring makes the cross terms Σ ỹ and X̃ᵀ1 vanish). Centring also keeps
 * the cancellation between the terms small: in float64 the relative error of the sum of
 * squares is about 1e-16 / (1 − R²).
 */
import type { FamilyName } from "./families.js";
import { sizeOf, type Graph } from "./graph.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** mu = offset + Σ coefficient ⊙ basis, over N elements. */
interface Affine {
  /** The single values, by a key that names one element of one node. */
  readonly basis: Map<string, { node: number; coef: Float64Array }>;
  readonly offset: Float64Array;
}

/**
 * Σ log p(y | args) for `family` by sufficient statistics, or undefined where the shape does
 * not apply (not a normal family, y not data, σ not one value, mu not affine in single values)
 * or would not pay (K² against N).
 */
export function linearLikelihood(g: Graph, family: FamilyName, y: number, args: readonly number[]): number | undefined {
  if (family !== "normal" && family !== "logNormal") return undefined;
  const [mu, sigma] = args as [number, number];
  const data = g.constValue(y);
  if (data === undefined || g.shape(y).length !== 1 || sizeOf(g.shape(sigma)) !== 1) return undefined;
  const n = data.length;
  if (sizeOf(g.shape(mu)) !== n && sizeOf(g.shape(mu)) !== 1) return undefined;
  const form = affine(g, mu, n);
  const k = form?.basis.size ?? 0;
  if (form === undefined || k === 0 || k * (k + 1) > 4 * n) return undefined;
  const yv = family === "logNormal" ? data.map(Math.log) : data;
  const columns = [...form.basis.values()];
  const r = yv.map((v, i) => v - form.offset[i]!);
  const ybar = r.reduce((s, v) => s + v, 0) / n;
  const xbar = columns.map((c) => c.coef.reduce((s, v) => s + v, 0) / n);
  let syy = 0;
  const xty = new Float64Array(k);
  const xtx = new Float64Array(k * k);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const yc = r[i]! - ybar;
    syy += yc * yc;
    for (let j = 0; j < k; j++) row[j] = columns[j]!.coef[i]! - xbar[j]!;
    for (let j = 0; j < k; j++) {
      xty[j]! += row[j]! * yc;
      for (let l = 0; l < k; l++) xtx[j * k + l]! += row[j]! * row[l]!;
    }
  }
  const s = g.concat(columns.map((c) => c.node), [k]);
  const dot = (u: number, v: number): number => g.sum(g.binary("mul", u, v));
  const c = g.binary("sub", dot(s, g.constant(xbar, [k])), g.scalar(ybar));
  const quad = g.binary("add",
    g.binary("add", g.scalar(syy), g.binary("mul", g.scalar(n), g.unary("square", c))),
    g.binary("sub", dot(s, g.matmul(g.constant(xtx, [k, k]), s)), g.binary("mul", g.scalar(2), dot(s, g.constant(xty, [k])))));
  const sd = g.reshape(sigma, []);
  const lp = g.binary("mul", g.scalar(-0.5), g.binary("div", quad, g.unary("square", sd)));
  // LogNormal(y | μ, σ) = Normal(log y | μ, σ) − log y
  const constant = 0.5 * n * LOG_2PI + (family === "logNormal" ? yv.reduce((t, v) => t + v, 0) : 0);
  return g.binary("sub", lp, g.binary("add", g.binary("mul", g.scalar(n), g.unary("log", sd)), g.scalar(constant)));
}

/** The affine form of node `id` over N elements, or undefined. */
function affine(g: Graph, id: number, n: number): Affine | undefined {
  const node = g.nodes[id]!;
  const size = sizeOf(node.shape);
  const c = g.constValue(id);
  if (c !== undefined) {
    if (size !== 1 && (size !== n || node.shape.length !== 1)) return undefined;
    return { basis: new Map(), offset: size === 1 ? new Float64Array(n).fill(c[0]!) : Float64Array.from(c) };
  }
  if (size === 1) {
    // one element of a larger node is named by that node and index, so b[1] read twice is one value
    const key = node.op === "take" ? `${node.a}:${node.index[0]}` : `${id}`;
    return { basis: new Map([[key, { node: id, coef: new Float64Array(n).fill(1) }]]), offset: new Float64Array(n) };
  }
  if (size !== n || node.shape.length !== 1) return undefined;
  switch (node.op) {
    case "binary": {
      if (node.fn === "add" || node.fn === "sub") {
        const [a, b] = [affine(g, node.a, n), affine(g, node.b, n)];
        return a === undefined || b === undefined ? undefined : combine(a, b, node.fn === "add" ? 1 : -1);
      }
      if (node.fn === "mul" || node.fn === "div") {
        const [ca, cb] = [g.constValue(node.a), g.constValue(node.b)];
        if (node.fn === "mul" && ca !== undefined) return scale(affine(g, node.b, n), ca, n, false);
        if (cb !== undefined) return scale(affine(g, node.a, n), cb, n, node.fn === "div");
      }
      return undefined;
    }
    case "unary": return node.fn === "neg" ? scale(affine(g, node.a, n), Float64Array.of(-1), n, false) : undefined;
    case "matmul": {
      // X [N, K] (data) @ b [K]: column j of X times b[j]
      const x = g.constValue(node.a);
      if (x === undefined || g.shape(node.a).length !== 2 || g.shape(node.b).length !== 1 || g.constValue(node.b) !== undefined) return undefined;
      const k = node.k;
      const basis = new Map<string, { node: number; coef: Float64Array }>();
      for (let j = 0; j < k; j++) basis.set(`${node.b}:${j}`, { node: g.take(node.b, Int32Array.of(j), []), coef: Float64Array.from({ length: n }, (_, i) => x[i * k + j]!) });
      return { basis, offset: new Float64Array(n) };
    }
    default: return undefined;
  }
}

function combine(a: Affine, b: Affine, sign: 1 | -1): Affine {
  const basis = new Map([...a.basis].map(([key, t]) => [key, { node: t.node, coef: Float64Array.from(t.coef) }]));
  for (const [key, t] of b.basis) {
    const into = basis.get(key);
    if (into === undefined) basis.set(key, { node: t.node, coef: t.coef.map((v) => sign * v) });
    else t.coef.forEach((v, i) => (into.coef[i]! += sign * v));
  }
  return { basis, offset: a.offset.map((v, i) => v + sign * b.offset[i]!) };
}

/** a times (or divided by) data c of one element or N. */
function scale(a: Affine | undefined, c: Float64Array, n: number, divide: boolean): Affine | undefined {
  if (a === undefined || (c.length !== 1 && c.length !== n)) return undefined;
  const f = (i: number): number => (divide ? 1 / c[c.length === 1 ? 0 : i]! : c[c.length === 1 ? 0 : i]!);
  return {
    basis: new Map([...a.basis].map(([key, t]) => [key, { node: t.node, coef: t.coef.map((v, i) => v * f(i)) }])),
    offset: a.offset.map((v, i) => v * f(i)),
  };
}
