/**
 * The model IR: a flat list of nodes over float64 arrays (row-major), each node's inputs
 * earlier in the list. A log density is recorded into one graph (interpreter/record.ts) and
 * compiled by an executor (core/exec/host/) into value and gradient in one pass.
 *
 * The op set is closed: parameters (slices of the flat unconstrained vector θ), constants,
 * elementwise unary and binary maps with NumPy broadcasting (ops.ts), an elementwise choice
 * between two values (`select`, the recorded form of a branch on parameter values), the sum of all elements,
 * `take` (every index, gather, slice, reshape and transpose is a constant map from output
 * element to input element), flat concatenation, running sums, matrix products, the Cholesky factor and
 * triangular solves (linalg.ts, which holds their gradient rules), and one fused log-density
 * sum per distribution family (families.ts). Each op's gradient rule is written once, in the
 * executor or in linalg.ts, on these nodes.
 */
import { broadcastOffsets, broadcastShape, sizeOf } from "../broadcast.js";
import { FAMILIES, type FamilyName } from "./families.js";
import type { BinaryFn, UnaryFn } from "./ops.js";
import { BINARY, UNARY } from "./ops-compile.js";
import { cholesky, solveLower } from "./linalg.js";

export type Shape = readonly number[];

export type Node =
  | { readonly op: "param"; readonly offset: number; readonly shape: Shape }
  | { readonly op: "const"; readonly data: Float64Array; readonly shape: Shape }
  | { readonly op: "unary"; readonly fn: UnaryFn; readonly a: number; readonly shape: Shape }
  | { readonly op: "binary"; readonly fn: BinaryFn; readonly a: number; readonly b: number; readonly shape: Shape }
  /**
   * out = cond ≠ 0 ? a : b elementwise, the three broadcast together (a NaN condition picks
   * a, as tf.where(cond != 0, …)); the adjoint goes only to the chosen side, none to cond.
   */
  | { readonly op: "select"; readonly cond: number; readonly a: number; readonly b: number; readonly shape: Shape }
  | { readonly op: "sum"; readonly a: number; readonly shape: Shape }
  /**
   * Grouped reductions: out[j] = Σ (or log Σ exp, Π, max, min) of the a[i] with group[i] = j
   * (a reduction over some axes is one map from input element to output element).
   */
  | { readonly op: "reduce"; readonly kind: ReduceKind; readonly a: number; readonly group: Int32Array; readonly shape: Shape }
  /** Running sums along one axis: a seen as [outer, len, inner], out[o, j, i] = Σ_{j' ≤ j} a[o, j', i]. */
  | { readonly op: "cumsum"; readonly a: number; readonly outer: number; readonly len: number; readonly inner: number; readonly shape: Shape }
  /** out[i] = a[index[i]]. */
  | { readonly op: "take"; readonly a: number; readonly index: Int32Array; readonly shape: Shape }
  /** The inputs' elements one after another (row-major), reshaped to `shape`. */
  | { readonly op: "concat"; readonly parts: readonly number[]; readonly shape: Shape }
  /** [m, k] @ [k, n] → [m, n]; a vector operand is a column ([k] → [k, 1]) or a row, as `dims` says. */
  | { readonly op: "matmul"; readonly a: number; readonly b: number; readonly m: number; readonly k: number; readonly n: number; readonly shape: Shape }
  /** The lower Cholesky factor of the [n, n] node a (its lower triangle read). */
  | { readonly op: "cholesky"; readonly a: number; readonly n: number; readonly shape: Shape }
  /** X = L⁻¹ B, or L⁻ᵀ B with `transpose`: L lower triangular [n, n], B (and X) [n] or [n, m]. */
  | { readonly op: "trisolve"; readonly l: number; readonly b: number; readonly n: number; readonly m: number; readonly transpose: boolean; readonly shape: Shape }
  /**
   * Σ over the broadcast of `args` of the family's log density (args[0] is the value), or with
   * `each` the log densities themselves, one per element of the broadcast (mixtures).
   */
  | { readonly op: "lpdf"; readonly family: FamilyName; readonly args: readonly number[]; readonly shape: Shape; readonly each?: boolean };

/**
 * What a grouped reduction computes. `max` and `min` propagate NaN and pass the adjoint to
 * every element equal to the result (tfjs's tf.max/tf.min gradient); `prod`'s gradient is the
 * product of the other elements, exact where elements are 0.
 */
export type ReduceKind = "sum" | "logsumexp" | "prod" | "max" | "min";

export { sizeOf };

/** Each reduction's fold over float64 numbers (constant folding; the host executor inlines the same). */
const REDUCE_FOLD: Readonly<Record<Exclude<ReduceKind, "logsumexp">, { readonly start: number; readonly step: (acc: number, x: number) => number }>> = {
  sum: { start: 0, step: (acc, x) => acc + x },
  prod: { start: 1, step: (acc, x) => acc * x },
  max: { start: -Infinity, step: (acc, x) => (x > acc || x !== x ? x : acc) },
  min: { start: Infinity, step: (acc, x) => (x < acc || x !== x ? x : acc) },
};

/** Thrown for a shape or op the IR does not have; the recorder turns it into "cannot record". */
export class IrError extends Error {}

const fmt = (s: Shape): string => `[${s.join(", ")}]`;

/** A graph under construction. Node ids are indices into `nodes`. */
export class Graph {
  readonly nodes: Node[] = [];
  /** Length of θ: the largest parameter end seen. */
  dim = 0;

  private push(n: Node): number {
    this.nodes.push(n);
    return this.nodes.length - 1;
  }

  shape(id: number): Shape {
    return this.nodes[id]!.shape;
  }

  /** The values of a constant node, or undefined for a node that depends on θ. */
  constValue(id: number): Float64Array | undefined {
    const n = this.nodes[id]!;
    return n.op === "const" ? n.data : undefined;
  }

  param(offset: number, shape: Shape): number {
    this.dim = Math.max(this.dim, offset + sizeOf(shape));
    return this.push({ op: "param", offset, shape: [...shape] });
  }

  constant(data: ArrayLike<number>, shape: Shape = []): number {
    if (data.length !== sizeOf(shape)) throw new IrError(`constant of ${data.length} values for shape ${fmt(shape)}`);
    return this.push({ op: "const", data: Float64Array.from(data), shape: [...shape] });
  }

  scalar(v: number): number {
    return this.constant([v], []);
  }

  /** Elementwise unary op; folded to a constant when its input is one. */
  unary(fn: UnaryFn, a: number): number {
    const c = this.constValue(a);
    if (c !== undefined) return this.constant(c.map((x) => UNARY[fn].eval(x)), this.shape(a));
    return this.push({ op: "unary", fn, a, shape: this.shape(a) });
  }

  /** Elementwise binary op with broadcasting; folded when both inputs are constants. */
  binary(fn: BinaryFn, a: number, b: number): number {
    const shape = broadcastShape(this.shape(a), this.shape(b));
    if (shape === undefined) throw new IrError(`shapes ${fmt(this.shape(a))} and ${fmt(this.shape(b))} do not broadcast`);
    const ca = this.constValue(a);
    const cb = this.constValue(b);
    if (ca !== undefined && cb !== undefined) {
      const n = sizeOf(shape);
      const ia = broadcastOffsets(shape, this.shape(a));
      const ib = broadcastOffsets(shape, this.shape(b));
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = BINARY[fn].eval(ca[ia ? ia[i]! : i]!, cb[ib ? ib[i]! : i]!);
      return this.constant(out, shape);
    }
    return this.push({ op: "binary", fn, a, b, shape });
  }

  /**
   * cond ≠ 0 ? a : b elementwise with broadcasting. A constant condition that picks one side
   * everywhere is that side (when it has the result's shape); all three constant fold.
   */
  select(cond: number, a: number, b: number): number {
    const shape = broadcastShape(this.shape(cond), this.shape(a), this.shape(b));
    if (shape === undefined) throw new IrError(`shapes ${fmt(this.shape(cond))}, ${fmt(this.shape(a))} and ${fmt(this.shape(b))} do not broadcast`);
    const same = (x: number): boolean => fmt(this.shape(x)) === fmt(shape);
    const cc = this.constValue(cond);
    if (cc !== undefined) {
      if (cc.every((c) => c !== 0) && same(a)) return a;
      if (cc.every((c) => c === 0) && same(b)) return b;
    }
    if (a === b && same(a)) return a;
    const ca = this.constValue(a);
    const cb = this.constValue(b);
    if (cc !== undefined && ca !== undefined && cb !== undefined) {
      const n = sizeOf(shape);
      const [ic, ia, ib] = [cond, a, b].map((x) => broadcastOffsets(shape, this.shape(x)));
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = cc[ic ? ic[i]! : i] !== 0 ? ca[ia ? ia[i]! : i]! : cb[ib ? ib[i]! : i]!;
      return this.constant(out, shape);
    }
    return this.push({ op: "select", cond, a, b, shape });
  }

  sum(a: number): number {
    const c = this.constValue(a);
    if (c !== undefined) return this.scalar(c.reduce((s, x) => s + x, 0));
    return this.push({ op: "sum", a, shape: [] });
  }

  /** Σ, log Σ exp, Π, max or min over the axes `axes` of a (0-based), those axes dropped. */
  reduce(kind: ReduceKind, a: number, axes: readonly number[]): number {
    const shape = this.shape(a);
    if (axes.some((ax) => !Number.isInteger(ax) || ax < 0 || ax >= shape.length)) throw new IrError(`reduce over axes [${axes.join(", ")}] of ${fmt(shape)}`);
    const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const outShape = kept.map((i) => shape[i]!);
    const n = sizeOf(shape);
    const group = new Int32Array(n);
    const idx = new Array<number>(shape.length).fill(0);
    for (let k = 0; k < n; k++) {
      let o = 0;
      for (const i of kept) o = o * shape[i]! + idx[i]!;
      group[k] = o;
      for (let i = shape.length - 1; i >= 0; i--) {
        if (++idx[i]! < shape[i]!) break;
        idx[i] = 0;
      }
    }
    const c = this.constValue(a);
    if (c !== undefined) {
      const out = new Float64Array(sizeOf(outShape));
      if (kind !== "logsumexp") {
        const { start, step } = REDUCE_FOLD[kind];
        out.fill(start);
        c.forEach((x, k) => (out[group[k]!] = step(out[group[k]!]!, x)));
      } else {
        const m = new Float64Array(out.length).fill(-Infinity);
        c.forEach((x, k) => (m[group[k]!] = Math.max(m[group[k]!]!, x)));
        const s = new Float64Array(out.length);
        c.forEach((x, k) => (s[group[k]!]! += Math.exp(x - m[group[k]!]!)));
        s.forEach((v, j) => (out[j] = m[j]! + Math.log(v)));
      }
      return this.constant(out, outShape);
    }
    return this.push({ op: "reduce", kind, a, group, shape: outShape });
  }

  /** Running sums of a along `axis` (0-based). */
  cumsum(a: number, axis: number): number {
    const shape = this.shape(a);
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) throw new IrError(`cumsum along axis ${axis} of ${fmt(shape)}`);
    const outer = sizeOf(shape.slice(0, axis));
    const len = shape[axis]!;
    const inner = sizeOf(shape.slice(axis + 1));
    const c = this.constValue(a);
    if (c !== undefined) {
      const out = Float64Array.from(c);
      for (let o = 0; o < outer; o++) for (let j = 1; j < len; j++) for (let i = 0; i < inner; i++) out[(o * len + j) * inner + i]! += out[(o * len + j - 1) * inner + i]!;
      return this.constant(out, shape);
    }
    return this.push({ op: "cumsum", a, outer, len, inner, shape });
  }

  take(a: number, index: Int32Array, shape: Shape): number {
    if (index.length !== sizeOf(shape)) throw new IrError(`take: ${index.length} indices for shape ${fmt(shape)}`);
    const n = sizeOf(this.shape(a));
    for (const i of index) if (i < 0 || i >= n) throw new IrError(`take: index ${i} out of bounds for ${n} elements`);
    const c = this.constValue(a);
    if (c !== undefined) return this.constant(Array.from(index, (i) => c[i]!), shape);
    // a take of a take is one take (x[2:T] of a vector assembled element by element)
    const inner = this.nodes[a]!;
    if (inner.op === "take") return this.take(inner.a, Int32Array.from(index, (i) => inner.index[i]!), shape);
    return this.push({ op: "take", a, index, shape: [...shape] });
  }

  reshape(a: number, shape: Shape): number {
    const n = sizeOf(this.shape(a));
    if (sizeOf(shape) !== n) throw new IrError(`cannot reshape ${fmt(this.shape(a))} to ${fmt(shape)}`);
    return this.take(a, Int32Array.from({ length: n }, (_, i) => i), shape);
  }

  /** The transpose of a matrix (a `take`). */
  transpose(a: number): number {
    const s = this.shape(a);
    if (s.length !== 2) throw new IrError(`transpose of ${fmt(s)}, not a matrix`);
    const [r, c] = [s[0]!, s[1]!];
    return this.take(a, Int32Array.from({ length: r * c }, (_, i) => (i % r) * c + Math.floor(i / r)), [c, r]);
  }

  concat(parts: readonly number[], shape: Shape): number {
    const n = parts.reduce((s, p) => s + sizeOf(this.shape(p)), 0);
    if (n !== sizeOf(shape)) throw new IrError(`concat of ${n} elements for shape ${fmt(shape)}`);
    const cs = parts.map((p) => this.constValue(p));
    if (cs.every((c) => c !== undefined)) return this.constant(cs.flatMap((c) => Array.from(c!)), shape);
    return this.push({ op: "concat", parts: [...parts], shape: [...shape] });
  }

  /** Matrix products of rank-1 or rank-2 operands, as the interpreter's `@` (a vector on the left is a row, on the right a column). */
  matmul(a: number, b: number): number {
    const sa = this.shape(a);
    const sb = this.shape(b);
    if (sa.length < 1 || sa.length > 2 || sb.length < 1 || sb.length > 2) throw new IrError(`matmul of ${fmt(sa)} and ${fmt(sb)}`);
    const m = sa.length === 2 ? sa[0]! : 1;
    const k = sa[sa.length - 1]!;
    const kb = sb[0]!;
    const n = sb.length === 2 ? sb[1]! : 1;
    if (k !== kb) throw new IrError(`matmul: inner sizes of ${fmt(sa)} and ${fmt(sb)} differ`);
    const shape = [...(sa.length === 2 ? [m] : []), ...(sb.length === 2 ? [n] : [])];
    return this.push({ op: "matmul", a, b, m, k, n, shape });
  }

  /** The lower Cholesky factor of a symmetric positive-definite [n, n] matrix. */
  cholesky(a: number): number {
    const shape = this.shape(a);
    const n = shape[0]!;
    if (shape.length !== 2 || shape[1] !== n) throw new IrError(`cholesky of ${fmt(shape)}, not a square matrix`);
    if (n === 1) return this.unary("sqrt", a);
    const c = this.constValue(a);
    if (c !== undefined) {
      const l = new Float64Array(n * n);
      cholesky(c, l, n);
      return this.constant(l, shape);
    }
    return this.push({ op: "cholesky", a, n, shape: [n, n] });
  }

  /** L⁻¹ b, or L⁻ᵀ b with `transpose`, for a lower triangular [n, n] L and b [n] or [n, m]. */
  trisolve(l: number, b: number, transpose = false): number {
    const sl = this.shape(l);
    const sb = this.shape(b);
    const n = sl[0]!;
    if (sl.length !== 2 || sl[1] !== n || sb.length < 1 || sb.length > 2 || sb[0] !== n) throw new IrError(`triangular solve of ${fmt(sl)} and ${fmt(sb)}`);
    const m = sb.length === 2 ? sb[1]! : 1;
    if (n === 1) return this.binary("div", b, this.reshape(l, []));
    const [cl, cb] = [this.constValue(l), this.constValue(b)];
    if (cl !== undefined && cb !== undefined) {
      const x = new Float64Array(n * m);
      solveLower(cl, cb, x, n, m, transpose);
      return this.constant(x, sb);
    }
    return this.push({ op: "trisolve", l, b, n, m, transpose, shape: [...sb] });
  }

  /** Σ log p(args[0] | args[1..]) over the broadcast of the arguments; with `each`, the log densities elementwise. */
  lpdf(family: FamilyName, args: readonly number[], each = false): number {
    const f = FAMILIES[family];
    if (args.length !== f.arity) throw new IrError(`${family} takes ${f.arity} arguments, got ${args.length}`);
    const shape = broadcastShape(...args.map((a) => this.shape(a)));
    if (shape === undefined) throw new IrError(`${family}: shapes ${args.map((a) => fmt(this.shape(a))).join(", ")} do not broadcast`);
    return this.push(each ? { op: "lpdf", family, args: [...args], shape, each } : { op: "lpdf", family, args: [...args], shape: [] });
  }

  add(a: number, b: number): number {
    return this.binary("add", a, b);
  }
}

/** The nodes a node reads. */
export const inputsOf = (n: Node): readonly number[] => {
  switch (n.op) {
    case "param": case "const": return [];
    case "unary": case "sum": case "take": case "reduce": case "cumsum": case "cholesky": return [n.a];
    case "trisolve": return [n.l, n.b];
    case "binary": case "matmul": return [n.a, n.b];
    case "select": return [n.cond, n.a, n.b];
    case "concat": return n.parts;
    case "lpdf": return n.args;
  }
};

/** Which nodes `output` depends on (the others need not run). */
export function liveNodes(nodes: readonly Node[], output: number): boolean[] {
  const live = new Array<boolean>(nodes.length).fill(false);
  live[output] = true;
  for (let k = output; k >= 0; k--) if (live[k]) for (const a of inputsOf(nodes[k]!)) live[a] = true;
  return live;
}
