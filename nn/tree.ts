/**
 * Parameter trees: a network's parameters as plain nested records (Flux's Functors walk,
 * NumPyro's pytrees).
 *
 * A `ParamTree` is a record whose values are tensors or child trees. A Chain's tree is keyed
 * by 1-based layer position (`{ "1": { weight, bias }, "2": { ... } }`), a block network's
 * by sub-layer name (`{ norm: { gain, bias }, ff: { "1": ... } }`). Nothing is registered:
 * parameters are found by walking the record.
 *
 * Walk order is stable: depth first, children in `Object.keys` order, which JavaScript
 * defines as integer keys ascending (so `"10"` follows `"9"`) and then named keys in
 * insertion (declaration) order.
 */
import { tf } from "../core/engine.js";

export type Shape = readonly number[];

/** A record of leaves of type `L` or of child trees. */
export interface Tree<L> {
  readonly [name: string]: L | Tree<L>;
}

export type ParamTree = Tree<tf.Tensor>;
export type ShapeTree = Tree<Shape>;

export interface TreeLeaf<L> {
  /** Keys from the root to the leaf, e.g. `["1", "weight"]`. */
  readonly path: readonly string[];
  /** The language's name of the leaf, e.g. `[1].weight`, `norm.gain`, or `net[1].weight` with a root. */
  readonly name: string;
  readonly value: L;
}

export interface ParamEntry {
  readonly path: readonly string[];
  readonly name: string;
  readonly tensor: tf.Tensor;
}

const INDEX = /^[1-9][0-9]*$/;

/**
 * The language's name of a path: integer keys become `[i]`, named keys `.name`.
 * `paramName(["1", "weight"], "net")` = `net[1].weight`; `paramName(["norm", "gain"])` = `norm.gain`.
 */
export function paramName(path: readonly string[], root = ""): string {
  let name = root;
  for (const seg of path) {
    if (INDEX.test(seg)) name += `[${seg}]`;
    else name += name === "" ? seg : `.${seg}`;
  }
  return name;
}

/** Inverse of `paramName` for names without a root: `[1].weight` → `["1", "weight"]`. */
export function parseParamName(name: string): string[] {
  const path: string[] = [];
  const re = /\[([1-9][0-9]*)\]|\.?([A-Za-z_][A-Za-z0-9_]*)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < name.length && (m = re.exec(name)) !== null) path.push((m[1] ?? m[2])!);
  if (re.lastIndex !== name.length || path.length === 0) throw new Error(`'${name}' is not a parameter path`);
  return path;
}

/** Every leaf of `tree` in walk order (depth first, `Object.keys` order). */
export function walkTree<L>(tree: Tree<L>, isLeaf: (v: L | Tree<L>) => v is L, root = ""): TreeLeaf<L>[] {
  const out: TreeLeaf<L>[] = [];
  const visit = (node: Tree<L>, path: string[]): void => {
    for (const k of Object.keys(node)) {
      const v = node[k]!;
      const p = [...path, k];
      if (isLeaf(v)) out.push({ path: p, name: paramName(p, root), value: v });
      else visit(v, p);
    }
  };
  visit(tree, []);
  return out;
}

/** A tree of the same structure with every leaf replaced by `f(leaf, path)`. */
export function mapTree<A, B>(
  tree: Tree<A>,
  isLeaf: (v: A | Tree<A>) => v is A,
  f: (leaf: A, path: readonly string[]) => B,
): Tree<B> {
  const visit = (node: Tree<A>, path: string[]): Tree<B> => {
    const out: Record<string, B | Tree<B>> = {};
    for (const k of Object.keys(node)) {
      const v = node[k]!;
      out[k] = isLeaf(v) ? f(v, [...path, k]) : visit(v, [...path, k]);
    }
    return out;
  };
  return visit(tree, []);
}

export const isTensor = (v: unknown): v is tf.Tensor => v instanceof tf.Tensor;
export const isShape = (v: unknown): v is Shape => Array.isArray(v);

/** Every tensor of a parameter tree with its path and language name (`root` prefixes names). */
export function walkParams(tree: ParamTree, root = ""): ParamEntry[] {
  return walkTree(tree, isTensor, root).map(({ path, name, value }) => ({ path, name, tensor: value }));
}

/**
 * Number of scalars in a tree of tensors or of shapes; with `batched`, the leading axis of
 * every tensor (the chain axis of batched parameters) is not counted.
 */
export function paramCount(tree: ParamTree | ShapeTree, batched = false): number {
  const sizes: number[] = [];
  const visit = (node: Tree<unknown>): void => {
    for (const v of Object.values(node)) {
      if (isTensor(v)) sizes.push(v.shape.slice(Number(batched)).reduce((a, b) => a * b, 1));
      else if (isShape(v)) sizes.push(v.reduce((a, b) => a * b, 1));
      else visit(v as Tree<unknown>);
    }
  };
  visit(tree as Tree<unknown>);
  return sizes.reduce((a, b) => a + b, 0);
}

/** `f` applied to every tensor; the result is a new tree (the input is not disposed). */
export function mapParams(tree: ParamTree, f: (t: tf.Tensor, path: readonly string[]) => tf.Tensor): ParamTree {
  return mapTree(tree, isTensor, f);
}

/** `f` applied leafwise to two trees of the same structure. */
export function zipParams(
  a: ParamTree,
  b: ParamTree,
  f: (x: tf.Tensor, y: tf.Tensor, path: readonly string[]) => tf.Tensor,
): ParamTree {
  return mapTree(a, isTensor, (x, path) => f(x, getParam(b, path), path));
}

/** The subtree or tensor at `path`; throws with the language name when absent. */
export function subtree(tree: ParamTree, path: readonly string[]): ParamTree | tf.Tensor {
  let node: ParamTree | tf.Tensor = tree;
  for (const seg of path) {
    const next: ParamTree | tf.Tensor | undefined = isTensor(node) ? undefined : node[seg];
    if (next === undefined) throw new Error(`no parameter '${paramName(path)}'`);
    node = next;
  }
  return node;
}

function getParam(tree: ParamTree, path: readonly string[]): tf.Tensor {
  const v = subtree(tree, path);
  if (!isTensor(v)) throw new Error(`'${paramName(path)}' is a group of parameters, not one tensor`);
  return v;
}

/** Dispose every tensor in the tree. */
export function disposeParams(tree: ParamTree): void {
  for (const e of walkParams(tree)) e.tensor.dispose();
}
