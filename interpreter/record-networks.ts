/**
 * Networks in the recorded IR: a layer stack whose parameters all have priors (`params(net) ~
 * D`) becomes a set of latent nodes, one per parameter tensor (keyed by its path, as
 * nn/layer.ts's `paramSpecs` names them), and `net(x)` its forward pass as IR ops, with the
 * meaning nn/ gives each layer: Dense(in => out, act) is act(x W + b) with W `[in, out]`
 * (nn/dense.ts), Chain composes its layers in order (nn/chain.ts), LayerNorm normalises the
 * last axis (nn/layer-norm.ts), Flatten reshapes, Dropout is the identity outside training,
 * Embedding gathers rows of its weight by 1-based indices of data. Other layers throw
 * IrError, so the instance stays on the interpreter.
 */
import { IrError, type Graph } from "../core/ir/graph.js";
import type { Layer } from "../nn/layer.js";
import type { DenseLayer } from "../nn/dense.js";
import type { ChainLayer } from "../nn/chain.js";
import type { LayerNormLayer } from "../nn/layer-norm.js";
import type { EmbeddingLayer } from "../nn/embedding.js";
import { RECORDED_BUILTINS } from "./record-builtins.js";
import type { Value } from "./value.js";
import { paramName } from "../nn/tree.js";

/** A network bound in the recorded model: its layer and the node of each parameter tensor by path ("1/weight"). */
export interface RecordedNet {
  /** The layer this value stands for: the whole network, or a part reached by `net[i]`, `net.name`. */
  readonly layer: Layer;
  readonly root: string;
  /** Where `layer` sits in the whole network's parameter tree. */
  readonly path: readonly string[];
  readonly params: ReadonlyMap<string, number>;
}


/** `net[i]`: the i-th layer of a Chain (networks.ts's subNet). */
export function subNetwork(net: RecordedNet, i: Value | undefined): RecordedNet {
  const k = i?.kind === "num" && Number.isInteger(i.v) ? String(i.v) : undefined;
  const child = k === undefined ? undefined : net.layer.children?.[k];
  if (child === undefined) throw new IrError(`${paramName(net.path, net.root)} indexed by other than the number of one of its layers`);
  return { ...net, layer: child, path: [...net.path, k!] };
}

/** `net.name`: a named child layer, or a parameter tensor's node (networks.ts's netField). */
export function networkField(net: RecordedNet, name: string): RecordedNet | number {
  const child = net.layer.children?.[name];
  if (child !== undefined) return { ...net, layer: child, path: [...net.path, name] };
  const node = net.params.get([...net.path, name].join("/"));
  if (node === undefined) throw new IrError(`${paramName(net.path, net.root)} has no parameter or layer \`${name}\``);
  return node;
}

/** The activations of nn/activations.ts that the IR has, by name: the recorded builtins of the same meaning. */
const ACTIVATION_BUILTINS: Readonly<Record<string, string>> = {
  relu: "relu", elu: "elu", tanh: "tanh", sigmoid: "sigmoid", softplus: "softplus", swish: "swish", silu: "swish", gelu: "gelu",
};

function activate(g: Graph, name: string, x: number): number {
  if (name === "identity") return x;
  if (name === "logsigmoid") return g.unary("logSigmoid", x);
  if (name === "softmax" || name === "logsoftmax") {
    // over the last axis, as nn/'s
    return RECORDED_BUILTINS[name]!.build(g, [x], [-1]);
  }
  const b = ACTIVATION_BUILTINS[name];
  if (b === undefined) throw new IrError(`the activation ${name} is not in the recorded op set yet`);
  return RECORDED_BUILTINS[b]!.build(g, [x], undefined);
}

/** The forward pass of `layer` on x (rows are observations), its parameters under `path`. */
export function recordForward(g: Graph, net: RecordedNet, layer: Layer, path: readonly string[], x: number): number {
  const param = (leaf: string): number => {
    const n = net.params.get([...path, leaf].join("/"));
    if (n === undefined) throw new IrError(`the parameter ${paramName([...path, leaf], net.root)} has no prior`);
    return n;
  };
  switch (layer.kind) {
    case "Chain": {
      const c = layer as ChainLayer;
      return c.layers.reduce((y, l, i) => recordForward(g, net, l, [...path, String(i + 1)], y), x);
    }
    case "Dense": {
      const d = layer as DenseLayer;
      const s = g.shape(x);
      if (s.length < 1 || s.length > 2 || s[s.length - 1] !== d.nin) throw new IrError(`${d.describe()} on an input of shape [${s.join(", ")}]`);
      let y = g.matmul(x, param("weight"));
      if (d.bias) y = g.binary("add", y, param("bias"));
      return activate(g, d.activation.name, y);
    }
    case "LayerNorm": {
      // (x − mean) / √(var + eps) over the last axis (var biased), then gain · x̂ + bias
      const l = layer as LayerNormLayer;
      const s = g.shape(x);
      const last = s.length - 1;
      if (last < 0 || s[last] !== l.size) throw new IrError(`${l.describe()} on an input of shape [${s.join(", ")}]`);
      const keep = s.map((d, i) => (i === last ? 1 : d));
      const mean = g.reshape(g.binary("div", g.reduce("sum", x, [last]), g.scalar(l.size)), keep);
      const centred = g.binary("sub", x, mean);
      const variance = g.reshape(g.binary("div", g.reduce("sum", g.unary("square", centred), [last]), g.scalar(l.size)), keep);
      let y = g.binary("div", centred, g.unary("sqrt", g.binary("add", variance, g.scalar(l.eps))));
      if (l.affine) y = g.binary("add", g.binary("mul", y, param("gain")), param("bias"));
      return activate(g, l.activation.name, y);
    }
    case "Flatten": {
      // [N, ...e] → [N, prod(e)], row-major
      const s = g.shape(x);
      if (s.length < 2) throw new IrError(`Flatten() on an input of shape [${s.join(", ")}]`);
      return g.reshape(x, [s[0]!, s.slice(1).reduce((a, b) => a * b, 1)]);
    }
    // no dropout when a log density is evaluated (nn/dropout.ts: training mode only)
    case "Dropout": return x;
    case "Embedding": {
      // out[..., :] = weight[x − 1, :] for 1-based indices of data
      const e = layer as EmbeddingLayer;
      const ids = g.constValue(x);
      if (ids === undefined) throw new IrError("an Embedding of indices that depend on parameters");
      const index = new Int32Array(ids.length * e.dim);
      ids.forEach((v, i) => {
        if (!Number.isInteger(v) || v < 1 || v > e.vocab) throw new IrError(`${e.describe()} of the index ${v}`);
        for (let j = 0; j < e.dim; j++) index[i * e.dim + j] = (v - 1) * e.dim + j;
      });
      return g.take(param("weight"), index, [...g.shape(x), e.dim]);
    }
    default:
      throw new IrError(`the layer ${layer.describe()} is not in the recorded set yet`);
  }
}
