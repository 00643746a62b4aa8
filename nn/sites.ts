/**
 * A network's parameters as named blocks, the form the interpreter needs to make them
 * random variables (`params(net) ~ Normal(0, s)`) or point parameters: names as the language
 * writes them (`net[1].weight`), shapes as declared, in walk order. `core/flatten.ts`
 * lays the blocks out in the flat vector that HMC/VI move; `treeFromNamed` turns the named
 * values (with their leading chain axis) back into the tree that `forward` takes.
 */
import type { tf } from "../core/engine.js";
import { isSpec, type Layer, type SpecTree } from "./layer.js";
import { mapTree, paramName, walkTree, type ParamTree, type Shape } from "./tree.js";

export interface ParamBlock {
  readonly name: string;
  readonly shape: Shape;
}

function specsAt(layer: Layer, group: readonly string[]): SpecTree {
  let node: SpecTree = layer.paramSpecs();
  for (const seg of group) {
    const next = node[seg];
    if (next === undefined || isSpec(next)) throw new Error(`${layer.describe()} has no parameter group '${paramName(group)}'`);
    node = next;
  }
  return node;
}

/**
 * The parameter blocks of `layer` bound to `root`, or of one group of it (`group = ["1"]`
 * for `params(net[1])`): `[{ name: "net[1].weight", shape: [2, 16] }, ...]`.
 */
export function paramBlocks(layer: Layer, root: string, group: readonly string[] = []): ParamBlock[] {
  return walkTree(specsAt(layer, group), isSpec, paramName(group, root)).map((l) => ({ name: l.name, shape: l.value.shape }));
}

/** The parameter tree of `layer` from values named as `paramBlocks` names them (tensors are shared, not copied). */
export function treeFromNamed(layer: Layer, values: Readonly<Record<string, tf.Tensor>>, root: string): ParamTree {
  return mapTree(layer.paramSpecs(), isSpec, (_s, path) => {
    const name = paramName(path, root);
    const v = values[name];
    if (v === undefined) throw new Error(`no value for parameter '${name}'`);
    return v;
  });
}
