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
  // A copy: `params(net) ~ D` replaces the slot's parameters for this run only.
  return { kind: "net", layer: v.layer, root: name, path: [], slot: { ...slot } };
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
    const mode = net.slot.mode;
    const out = forward(net.layer, params, x.t, {
      batched, inputBatched: x.batched,
      ...(mode !== undefined ? {
        training: mode.training, ...(mode.dropout !== undefined ? { dropout: mode.dropout } : {}),
        ...(mode.key !== undefined ? { key: mode.key } : {}), ...(mode.state !== undefined ? { state: mode.state } : {}),
        ...(mode.gaussian !== undefined ? { gaussian: net.path.length === 0 ? mode.gaussian : { draws: mode.gaussian.draws, at: (p: readonly string[]) => mode.gaussian!.at([...net.path, ...p]) } } : {}),
      } : {}),
    });
    return tensor(out, batched);
  } catch (e) {
    throw locate(e, span, `${paramName(net.path, net.root) || "network"}: `);
  }
}

type MutableTree = Record<string, unknown>;

/** `tree` with the leaves at `updates` replaced: one copy of each node on the way, not one per leaf. */
function setLeaves(tree: ParamTree, updates: readonly { path: readonly string[]; value: unknown }[]): ParamTree {
  const root: MutableTree = { ...tree };
  const copied = new Set<object>([root]);
  for (const { path, value } of updates) {
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      let child = node[key] as MutableTree | undefined;
      if (child === undefined || !copied.has(child)) {
        child = { ...(child ?? {}) };
        copied.add(child);
        node[key] = child;
      }
      node = child;
    }
    node[path[path.length - 1]!] = value;
  }
  return root as ParamTree;
}

interface Leaf { readonly path: readonly string[]; readonly shape: readonly number[] }

/**
 * What a layer's parameter leaves look like under a root and path: the leaves, their full
 * paths and their names. Layers are immutable and the layer builtins hand out the same object
 * for the same arguments, so this is derived once per layer rather than on every evaluation.
 */
const leafPlans = new WeakMap<Layer, Map<string, { leaves: readonly Leaf[]; paths: readonly (readonly string[])[]; names: readonly string[] }>>();

function leafPlan(net: NetValue, leaves: () => readonly Leaf[], key: string): { leaves: readonly Leaf[]; paths: readonly (readonly string[])[]; names: readonly string[] } {
  let byRoot = leafPlans.get(net.layer);
  if (byRoot === undefined) leafPlans.set(net.layer, (byRoot = new Map()));
  const k = `${key}|${net.root}|${net.path.join("/")}`;
  let plan = byRoot.get(k);
  if (plan === undefined) {
    const ls = leaves();
    const paths = ls.map((leaf) => [...net.path, ...leaf.path]);
    plan = { leaves: ls, paths, names: paths.map((p) => paramName(p, net.root)) };
    byRoot.set(k, plan);
  }
  return plan;
}

function priorOnLeaves(net: NetValue, plan: ReturnType<typeof leafPlan>, dist: DistValue, stmt: TildeStmt, handler: Handler): void {
  const sites = plan.leaves.map((leaf, i) => ({ name: plan.names[i]!, dist: dist.resized(leaf.shape), shape: leaf.shape, stmt }));
  const values = handler.latentGroup !== undefined && sites.length > 1 ? handler.latentGroup(sites) : sites.map((s) => handler.latent(s));
  net.slot.params = setLeaves(net.slot.params, plan.paths.map((path, i) => ({ path, value: values[i]!.t })));
  net.slot.batched = net.slot.batched || values.some((v) => v.batched);
}

/** `params(net) ~ D`: an iid prior on every scalar of every parameter tensor of `net`. */
export function tildeParams(net: NetValue, dist: DistValue, stmt: TildeStmt, handler: Handler): void {
  const plan = leafPlan(net, () => walkTree(net.layer.paramSpecs(), isSpec).map((l) => ({ path: l.path, shape: l.value.shape })), "*");
  if (plan.leaves.length === 0) throw new DlmError(`${paramName(net.path, net.root)} has no parameters`, stmt.target.span);
  priorOnLeaves(net, plan, dist, stmt, handler);
}

/** `net[2].weight ~ D`. */
export function tildeParamLeaf(net: NetValue, leaf: string, dist: DistValue, stmt: TildeStmt, handler: Handler): void {
  const spec = net.layer.paramSpecs()[leaf];
  if (spec === undefined || !isSpec(spec)) {
    throw new DlmError(`${paramName(net.path, net.root)} has no parameter \`${leaf}\``, stmt.target.span);
  }
  priorOnLeaves(net, leafPlan(net, () => [{ path: [leaf], shape: spec.shape }], leaf), dist, stmt, handler);
}

export type { Layer };
