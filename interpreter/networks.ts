/**
 * Networks inside models: binding a layer stack to a name gives it parameters (from the
 * handler: point parameters, or latents once `params(net) ~ D` puts a prior on them);
 * `net[i]` and `net.name` reach sub-networks and parameter tensors; `net(x)` runs the
 * forward pass with chain-batched parameters (nn/layer.ts `forward`).
 */
import type { Span, TildeStmt } from "../grammar/ast.js";
import { forward, isSpec, type Layer } from "../nn/layer.js";
import { paramName, walkTree, isTensor, type ParamTree } from "../nn/tree.js";
import { DlmError, fail, locate } from "./errors.js";
import type { Handler } from "./handler.js";
import { tensor, type DistValue, type LayerValue, type NetValue, type TensorValue, type Value } from "./value.js";

/** `net = Chain(...)` inside a model. */
export function bindNetwork(name: string, v: LayerValue, span: Span, handler: Handler): NetValue {
  const slot = handler.network(name, v.layer, span);
  return { kind: "net", layer: v.layer, root: name, path: [], slot: { params: slot.params, batched: slot.batched } };
}

/** `net[i]`: the i-th layer of a Chain. */
export function subNet(net: NetValue, i: number, span: Span): NetValue {
  const child = net.layer.children?.[String(i)];
  if (child === undefined) {
    const n = Object.keys(net.layer.children ?? {}).length;
    fail(span, `${paramName(net.path, net.root)} has no layer ${i}${n > 0 ? ` (it has ${n})` : ""}`);
  }
  return { ...net, layer: child, path: [...net.path, String(i)] };
}

function subtree(tree: ParamTree, path: readonly string[]): ParamTree | undefined {
  let t: ParamTree | undefined = tree;
  for (const p of path) {
    const next: unknown = t?.[p];
    t = next === undefined || isTensor(next) ? undefined : (next as ParamTree);
  }
  return t;
}

/** `net.norm` (a named child) or `net[1].weight` (a parameter tensor). */
export function netField(net: NetValue, name: string, span: Span): Value {
  const child = net.layer.children?.[name];
  if (child !== undefined) return { ...net, layer: child, path: [...net.path, name] };
  const leaf = subtree(net.slot.params, net.path)?.[name];
  if (leaf !== undefined && isTensor(leaf)) return tensor(leaf, net.slot.batched && leaf.rank > declaredRank(net, name));
  return fail(span, `${paramName(net.path, net.root)} has no parameter or layer \`${name}\``);
}

function declaredRank(net: NetValue, leaf: string): number {
  const spec = net.layer.paramSpecs()[leaf];
  return spec !== undefined && isSpec(spec) ? spec.shape.length : 0;
}

/** `net(x)`. */
export function callNet(net: NetValue, x: TensorValue, span: Span): TensorValue {
  const params = subtree(net.slot.params, net.path) ?? {};
  const batched = net.slot.batched || x.batched;
  try {
    const out = forward(net.layer, params, x.t, { batchRank: batched ? 1 : 0, inputBatched: x.batched });
    return tensor(out, batched);
  } catch (e) {
    throw locate(e, span, `${paramName(net.path, net.root) || "network"}: `);
  }
}

function setLeaf(tree: ParamTree, path: readonly string[], value: unknown): ParamTree {
  const [head, ...rest] = path;
  if (head === undefined) return tree;
  const next = rest.length === 0 ? value : setLeaf((tree[head] ?? {}) as ParamTree, rest, value);
  return { ...tree, [head]: next } as ParamTree;
}

function priorOnLeaves(net: NetValue, leaves: readonly { path: readonly string[]; shape: readonly number[] }[], dist: DistValue, stmt: TildeStmt, handler: Handler): void {
  const sites = leaves.map((leaf) => ({ name: paramName([...net.path, ...leaf.path], net.root), dist: dist.resized(leaf.shape), shape: leaf.shape, stmt }));
  const values = handler.latentGroup !== undefined && sites.length > 1 ? handler.latentGroup(sites) : sites.map((s) => handler.latent(s));
  leaves.forEach((leaf, i) => {
    const v = values[i]!;
    net.slot.params = setLeaf(net.slot.params, [...net.path, ...leaf.path], v.t);
    net.slot.batched = net.slot.batched || v.batched;
  });
}

/** `params(net) ~ D`: an iid prior on every scalar of every parameter tensor of `net`. */
export function tildeParams(net: NetValue, dist: DistValue, stmt: TildeStmt, handler: Handler): void {
  const leaves = walkTree(net.layer.paramSpecs(), isSpec).map((l) => ({ path: l.path, shape: l.value.shape }));
  if (leaves.length === 0) throw new DlmError(`${paramName(net.path, net.root)} has no parameters`, stmt.target.span);
  priorOnLeaves(net, leaves, dist, stmt, handler);
}

/** `net[2].weight ~ D`. */
export function tildeParamLeaf(net: NetValue, leaf: string, dist: DistValue, stmt: TildeStmt, handler: Handler): void {
  const spec = net.layer.paramSpecs()[leaf];
  if (spec === undefined || !isSpec(spec)) {
    throw new DlmError(`${paramName(net.path, net.root)} has no parameter \`${leaf}\``, stmt.target.span);
  }
  priorOnLeaves(net, [{ path: [leaf], shape: spec.shape }], dist, stmt, handler);
}

export type { Layer };
