/**
 * Loops as fast as their vectorised forms. A loop such as
 * `for t in 2:T { y[t] ~ Normal(c + phi * y[t - 1], sigma) }` records T − 1 scalar `lpdf`
 * nodes over T − 1 scalar means, and straight-line code over thousands of scalar nodes is
 * slow (and large) generated code. Two rewrites restore the vector form:
 *
 * - `sumTerms` merges scalar log-density terms of one family into one `lpdf` over the stacked
 *   arguments;
 * - `stack` builds the vector of several scalar nodes by stacking their inputs instead
 *   (superword vectorisation on the IR): [a₁ + b₁, …, aₙ + bₙ] is [a₁, …, aₙ] + [b₁, …, bₙ]
 *   (and selects likewise, of the stacked conditions and sides),
 *   scalars of one source gathered by one `take`, constants folded, one node shared by every
 *   element kept a scalar (broadcast). `vectorise` applies it to a vector assembled element by
 *   element (`mu[t] = …` in a loop: a `take` over a concatenation of scalars).
 *
 * The scalar nodes stay in the graph; the executor drops those nothing uses any more.
 */
import { sizeOf, type Graph, type Node } from "./graph.js";

type Lpdf = Node & { op: "lpdf" };

const isScalar = (g: Graph, a: number): boolean => sizeOf(g.shape(a)) === 1;

/** How a node is made, one level deep: terms whose arguments agree on it stack well. */
function shape(g: Graph, a: number): string {
  const n = g.nodes[a]!;
  switch (n.op) {
    case "unary": case "binary": return `${n.op}:${n.fn}`;
    case "take": return `take:${n.a}`;
    default: return n.op;
  }
}

/** Σ terms (each a node of one element) as one scalar node. */
export function sumTerms(g: Graph, terms: readonly number[]): number {
  const groups = new Map<string, number[]>();
  const rest: number[] = [];
  for (const t of terms) {
    const n = g.nodes[t]!;
    if (n.op === "lpdf" && n.each !== true && n.args.every((a) => isScalar(g, a))) {
      // terms of one statement in a loop have the same family and arguments made the same way
      const key = `${n.family}(${n.args.map((a) => shape(g, a)).join(", ")})`;
      const list = groups.get(key);
      if (list === undefined) groups.set(key, [t]);
      else list.push(t);
    } else {
      rest.push(t);
    }
  }
  const merged: number[] = [];
  for (const list of groups.values()) {
    if (list.length === 1) {
      merged.push(list[0]!);
      continue;
    }
    const nodes = list.map((t) => g.nodes[t] as Lpdf);
    const args = nodes[0]!.args.map((_, j) => stack(g, nodes.map((n) => n.args[j]!)));
    merged.push(g.lpdf(nodes[0]!.family, args));
  }
  const all = [...merged, ...rest];
  return all.length === 0 ? g.scalar(0) : all.reduce((acc, t) => g.add(acc, t));
}

/**
 * The vector [parts…] of scalar nodes, computed as vector ops where the parts are the same op
 * on stackable inputs; a scalar node when every part is that one node (it broadcasts).
 */
export function stack(g: Graph, parts: readonly number[]): number {
  const first = parts[0]!;
  if (parts.every((p) => p === first)) return first;
  const n = parts.length;
  const nodes = parts.map((p) => g.nodes[p]!);
  const n0 = nodes[0]!;
  if (parts.some((p) => !isScalar(g, p))) return g.concat(parts, [n]);
  if (nodes.every((x) => x.op === "const")) return g.concat(parts, [n]);
  if (n0.op === "unary" && nodes.every((x) => x.op === "unary" && x.fn === n0.fn)) {
    return g.unary(n0.fn, stack(g, nodes.map((x) => (x as typeof n0).a)));
  }
  if (n0.op === "binary" && nodes.every((x) => x.op === "binary" && x.fn === n0.fn)) {
    const bs = nodes as (typeof n0)[];
    return g.binary(n0.fn, stack(g, bs.map((x) => x.a)), stack(g, bs.map((x) => x.b)));
  }
  if (n0.op === "select" && nodes.every((x) => x.op === "select")) {
    const ss = nodes as (typeof n0)[];
    return g.select(stack(g, ss.map((x) => x.cond)), stack(g, ss.map((x) => x.a)), stack(g, ss.map((x) => x.b)));
  }
  if (n0.op === "take" && nodes.every((x) => x.op === "take" && x.a === n0.a)) {
    return g.take(n0.a, Int32Array.from(nodes, (x) => (x as typeof n0).index[0]!), [n]);
  }
  if (n0.op === "param" && nodes.every((x, i) => x.op === "param" && x.offset === n0.offset + i)) return g.param(n0.offset, [n]);
  return g.concat(parts, [n]);
}

/**
 * `x` with a vector assembled element by element (a `take` over a concatenation) rebuilt by
 * `stack` from the scalar elements it selects; other nodes unchanged.
 */
export function vectorise(g: Graph, x: number): number {
  const n = g.nodes[x]!;
  if (n.op !== "take") return x;
  const src = g.nodes[n.a]!;
  if (src.op !== "concat" || !src.parts.some((p) => isScalar(g, p) && g.constValue(p) === undefined)) return x;
  // element k of the concatenation → its part and the offset in it
  const where: [number, number][] = [];
  for (const p of src.parts) for (let i = 0; i < sizeOf(g.shape(p)); i++) where.push([p, i]);
  const elements = Array.from(n.index, (k) => {
    const [p, i] = where[k]!;
    if (isScalar(g, p)) return p;
    const c = g.constValue(p);
    return c !== undefined ? g.scalar(c[i]!) : g.take(p, Int32Array.of(i), []);
  });
  const v = stack(g, elements);
  return sizeOf(g.shape(v)) === sizeOf(n.shape) ? g.reshape(v, n.shape) : v;
}

/**
 * `x[sel] = e` as one gather from the concatenation [sources of x…, e]: assigning into a
 * vector that is already such a gather extends its list of sources instead of nesting, so T
 * element assignments make one node of T + 1 sources, not T nested copies of the vector.
 * `src` maps every element of x to a source element of [x, e] (indexing.ts's assignIndex).
 */
export function assignInto(g: Graph, x: number, e: number, src: Int32Array): number {
  const n = g.nodes[x]!;
  const nx = sizeOf(g.shape(x));
  if (n.op === "take" && g.nodes[n.a]!.op === "concat") {
    const parts = (g.nodes[n.a] as Node & { op: "concat" }).parts;
    const total = sizeOf(g.shape(n.a));
    // elements of x map through its own index; elements of e follow the old sources
    const index = Int32Array.from(src, (s) => (s < nx ? n.index[s]! : total + (s - nx)));
    const joined = g.concat([...parts, e], [total + sizeOf(g.shape(e))]);
    return g.take(joined, index, g.shape(x));
  }
  const joined = g.concat([x, e], [nx + sizeOf(g.shape(e))]);
  return g.take(joined, src, g.shape(x));
}
