/**
 * The layer interface: layers are plain values, their parameters plain trees (Flux style).
 *
 * A layer declares its parameters (`paramSpecs`: shapes and initialisers, fixed by its
 * constructor arguments as in Flux, `Dense(2 => 16)`), infers its output shape, and applies
 * itself to explicit parameters. It holds no tensors.
 *
 * The chain (batch) axis. Under NUTS with C chains in lockstep every parameter carries a
 * leading chain axis: a Dense weight is `[C, in, out]` instead of `[in, out]`. The contract:
 *   - `ctx.batched` false: parameters have their declared shapes; x is `[N, ...example]`.
 *   - `ctx.batched` true: x is `[B, N, ...example]` with B = 1 (data shared by every chain)
 *     or B = C, and the output is `[C, N, ...]` (or `[B, N, ...]` for a layer without
 *     parameters). Each parameter may carry the chain axis or not: a layer compares its rank
 *     with the declared one, so partly Bayesian networks work.
 * `forward` is the entry point that turns data `[N, ...]` into the `[1, N, ...]` form
 * (a free reshape, no tiling); layers use one batched matMul for every chain (see batched.ts).
 */
import { tf } from "../core/engine.js";
import { fold, type Key } from "../core/random.js";
import type { Initialiser } from "./init.js";
import { mapTree, paramName, walkParams, walkTree, type ParamTree, type Shape, type ShapeTree, type Tree } from "./tree.js";

/** A declared parameter: its shape (without chain axis) and how to initialise it. */
export interface ParamSpec {
  readonly shape: Shape;
  readonly init: Initialiser;
}
export type SpecTree = Tree<ParamSpec>;

export const isSpec = (v: unknown): v is ParamSpec =>
  typeof v === "object" && v !== null && Array.isArray((v as ParamSpec).shape) && typeof (v as ParamSpec).init === "function";

/**
 * Running state that is not a parameter (BatchNorm's running mean and variance), kept by
 * the training loop. `set` keeps the tensor past any `tf.tidy` and disposes the previous one.
 */
export interface StateStore {
  get(name: string): tf.Tensor | undefined;
  set(name: string, value: tf.Tensor): void;
  names(): string[];
  dispose(): void;
}

export function stateStore(): StateStore {
  const values = new Map<string, tf.Tensor>();
  return {
    get: (name) => values.get(name),
    set: (name, value) => {
      const old = values.get(name);
      values.set(name, tf.keep(value));
      if (old && old !== value) old.dispose();
    },
    names: () => [...values.keys()],
    dispose: () => {
      for (const v of values.values()) v.dispose();
      values.clear();
    },
  };
}

/**
 * Bayes by Backprop (inference/vi/bbb.ts): a factorised Gaussian over some parameters, for layers
 * that sample their outputs from it instead of using drawn weights: Dense by local
 * reparameterisation, Conv1D and Conv2D by Flipout (nn/weight-noise.ts). Every other layer uses
 * the drawn parameters in `params`, as usual.
 */
export interface GaussianWeights {
  /**
   * The means and standard deviations (declared shapes, no chain axis) of the parameters of the
   * layer at `path`, by parameter name; undefined when not all of that layer's parameters are
   * Gaussian (the layer then runs on `params`).
   */
  at(path: readonly string[]): { readonly mean: Readonly<Record<string, tf.Tensor>>; readonly sd: Readonly<Record<string, tf.Tensor>> } | undefined;
  /** Independent draws along the chain axis (the output has this many rows). */
  readonly draws: number;
}

export interface ApplyContext {
  /** Whether the activations, and possibly parameters, carry a leading chain axis. */
  readonly batched: boolean;
  /** Training mode: Dropout drops, BatchNorm uses and updates batch statistics. */
  readonly training: boolean;
  /**
   * MC dropout: Dropout drops outside training too (everything else stays in evaluation mode),
   * with this many independent masks along the chain axis (one per predictive draw).
   */
  readonly dropout?: number;
  /** Randomness for training-mode layers; containers fold it per child. */
  readonly key?: Key;
  /** Where BatchNorm keeps running statistics; absent means batch statistics are used. */
  readonly state?: StateStore;
  /** Path of this layer from the root (names state entries), e.g. `["2"]`. */
  readonly path: readonly string[];
  /** Bayes by Backprop's Gaussian parameters (see GaussianWeights); their noise is drawn from `key`. */
  readonly gaussian?: GaussianWeights;
}

export interface Layer {
  /** The user-facing layer name: "Dense", "Chain", ... */
  readonly kind: string;
  /** The layer as the user would write it: `Dense(2 => 16, tanh)`. */
  describe(): string;
  /** Declared parameters (no chain axis), as a tree of specs. */
  paramSpecs(): SpecTree;
  /** Output shape of one observation for an input observation of `inputShape`; throws ShapeError. */
  outputShape(inputShape: Shape): Shape;
  /** Apply to explicit parameters; see the module comment for the batch contract. */
  apply(params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor;
  /** Sub-layers of containers (Chain: "1", "2", ...; Block: by name), for `net[1]` / `net.norm`. */
  readonly children?: Readonly<Record<string, Layer>>;
}

/** A shape mismatch, saying what was expected and what was found (Flux `_size_check`). */
export class ShapeError extends Error {
  override readonly name = "ShapeError";
}

/** `v` if it is a positive integer, else a ShapeError naming `what`. */
export function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new ShapeError(`${what} must be a positive integer, got ${v}`);
  return v;
}

export const fmtShape = (s: Shape): string => `(${s.join(", ")}${s.length === 1 ? "," : ""})`;

/** The language name of a layer's parameter, e.g. `[1].weight` (for messages). */
export function paramLabel(ctx: ApplyContext, name: string): string {
  return paramName([...ctx.path, name]);
}

/** The tensor `params[name]`, or a ShapeError naming the missing parameter. */
export function getParam(params: ParamTree, name: string, ctx: ApplyContext): tf.Tensor {
  const p = params[name];
  if (!(p instanceof tf.Tensor)) throw new ShapeError(`missing parameter '${paramLabel(ctx, name)}'`);
  return p;
}

/** The context for a child of a container: path extended, key folded by the child's index. */
export function childContext(ctx: ApplyContext, name: string, index: number): ApplyContext {
  const path = [...ctx.path, name];
  return ctx.key === undefined ? { ...ctx, path } : { ...ctx, path, key: fold(ctx.key, index) };
}

/** The declared parameter shapes, as a tree: `{ "1": { weight: [2, 16], bias: [16] }, ... }`. */
export function paramShapes(layer: Layer): ShapeTree {
  return mapTree(layer.paramSpecs(), isSpec, (s) => s.shape);
}

/**
 * Fresh parameters from the declared initialisers: leaf i (in walk order) is drawn from
 * `fold(key, i)`. The caller owns the tensors (`disposeParams`).
 */
export function initParams(layer: Layer, key: Key): ParamTree {
  const specs = layer.paramSpecs();
  const index = new Map(walkTree(specs, isSpec).map((s, i) => [s.name, i]));
  return mapTree(specs, isSpec, (s, path) => s.init(fold(key, index.get(paramName(path))!), s.shape));
}

/**
 * Whether `params` carry the chain axis, by comparing each tensor's rank with its declared
 * rank: false when none carries one, true when some do. Throws on any other difference.
 */
export function inferBatched(layer: Layer, params: ParamTree): boolean {
  const declared = new Map(walkTree(layer.paramSpecs(), isSpec).map((s) => [s.name, s.value.shape]));
  let batched = false;
  for (const { name, tensor } of walkParams(params)) {
    const shape = declared.get(name);
    if (!shape) throw new ShapeError(`${layer.describe()} has no parameter '${name}'`);
    const extra = tensor.rank - shape.length;
    const tail = tensor.shape.slice(extra);
    if ((extra !== 0 && extra !== 1) || tail.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`parameter '${name}' has shape ${fmtShape(tensor.shape)}, expected ${fmtShape(shape)} or (chains, ${shape.join(", ")})`);
    }
    if (extra === 1) batched = true;
  }
  return batched;
}

export interface ForwardOptions {
  /** Whether the parameters carry the chain axis; inferred from their ranks when absent. */
  readonly batched?: boolean;
  /** Whether x already carries the chain axis (`[C, N, ...]`); data does not. Default false. */
  readonly inputBatched?: boolean;
  readonly training?: boolean;
  /** MC dropout with this many masks along the chain axis (see ApplyContext.dropout). */
  readonly dropout?: number;
  readonly key?: Key;
  readonly state?: StateStore;
  /** Bayes by Backprop's Gaussian parameters (see GaussianWeights); needs `key` and chain-batched parameters. */
  readonly gaussian?: GaussianWeights;
}

/**
 * Run a network: `[N, ...in]` → `[N, ...out]` with plain parameters, or → `[C, N, ...out]`
 * with chain-batched ones (x either `[N, ...in]` or, with `inputBatched`, `[C, N, ...in]`).
 * The caller owns the result.
 */
export function forward(layer: Layer, params: ParamTree, x: tf.Tensor, options: ForwardOptions = {}): tf.Tensor {
  // Input carrying the chain axis implies batch mode even when no parameter carries it.
  const batched = options.batched ?? (options.inputBatched === true || inferBatched(layer, params));
  const base = { batched, training: options.training ?? false, ...(options.dropout !== undefined ? { dropout: options.dropout } : {}), path: [] as readonly string[] };
  const withKey = options.key === undefined ? base : { ...base, key: options.key };
  const withState = options.state === undefined ? withKey : { ...withKey, state: options.state };
  const ctx: ApplyContext = options.gaussian === undefined ? withState : { ...withState, gaussian: options.gaussian };
  return tf.tidy(() => {
    const input = batched && !(options.inputBatched ?? false) ? tf.expandDims(x, 0) : x;
    const out = layer.apply(params, input, ctx);
    // A layer may return its input (Dropout outside training); the caller must own the result.
    return out === x ? tf.clone(out) : out;
  });
}
