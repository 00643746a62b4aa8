/**
 * Runtime values of the interpreter.
 *
 * The central fact is the chain axis: a log density is evaluated for C chains at once, so a
 * tensor derived from a latent carries a leading axis of length C (`batched: true`) and data
 * does not. Every operation aligns the non-chain axes of its operands (ops.ts), so a batched
 * scalar `[C]` times data `[N]` is `[C, N]`. JS numbers stay numbers (loop bounds, sizes).
 */
import { tf } from "../core/engine.js";
import type { Distribution } from "../distributions/distribution.js";
import type { Layer } from "../nn/layer.js";
import type { Span, FnDef, ModelDef, NetworkDef } from "../grammar/ast.js";
import { DlmError } from "./errors.js";
import type { NetSlot } from "./handler.js";

/** A numeric array; `batched` means axis 0 is the chain axis. */
export interface TensorValue {
  readonly kind: "tensor";
  readonly t: tf.Tensor;
  readonly batched: boolean;
}

/** A distribution, built lazily so that its parameters can be aligned with the value it scores. */
export interface DistValue {
  readonly kind: "dist";
  readonly name: string;
  readonly batched: boolean;
  /** Build with the batched parameters' non-chain batch rank padded to at least `rank`. */
  build(rank: number): Distribution;
  /** Source text for messages: `Normal(mu, sigma)`. */
  readonly text: string;
  /** The same distribution with `size` replaced (the iid prior of `params(net) ~ D`). */
  resized(size: readonly number[]): DistValue;
}

/** A network: a layer value plus the parameters it currently uses (set by a handler). */
export interface NetValue {
  readonly kind: "net";
  readonly layer: Layer;
  /** Name in the model (`net`), and the path of this sub-network (`["1"]` for `net[1]`). */
  readonly root: string;
  readonly path: readonly string[];
  /** The parameter slot shared by a network and its sub-networks, with its mode (training or not). */
  readonly slot: NetSlot;
}

/** A lexical scope. `frame` marks a function or model body: assignments do not escape it. */
export interface Env {
  readonly vars: Map<string, Value>;
  readonly parent: Env | undefined;
  readonly frame: boolean;
}

export function childEnv(parent: Env | undefined, frame = false): Env {
  return { vars: new Map(), parent, frame };
}

/** Look a name up through the enclosing scopes. */
export function lookup(env: Env | undefined, name: string): Value | undefined {
  for (let e = env; e !== undefined; e = e.parent) {
    const v = e.vars.get(name);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Assign: update the binding in the nearest scope of this frame that has it, else define here. */
export function assignVar(env: Env, name: string, v: Value): void {
  for (let e: Env | undefined = env; e !== undefined; e = e.parent) {
    if (e.vars.has(name)) {
      e.vars.set(name, v);
      return;
    }
    if (e.frame) break;
  }
  env.vars.set(name, v);
}

export interface Closure {
  readonly kind: "fn";
  readonly def: FnDef;
  readonly env: Env;
}

/** A layer stack not yet bound to parameters (`Dense(2 => 16)`, `mlp(2, 16, 1)`). */
export interface LayerValue {
  readonly kind: "layer";
  readonly layer: Layer;
}
export interface NetworkCtor {
  readonly kind: "network";
  readonly def: NetworkDef;
}
export interface ModelCtor {
  readonly kind: "model";
  readonly def: ModelDef;
}

/** A builtin function: positional and keyword values in, a value out. */
export interface Builtin {
  readonly kind: "builtin";
  readonly name: string;
  call(args: readonly Value[], kwargs: ReadonlyMap<string, Value>, span: Span): Value;
}

/** A record with named fields (`split.train`, a table's columns, `pred.y`). */
export interface RecordValue {
  readonly kind: "record";
  readonly fields: ReadonlyMap<string, Value>;
  /** What it is, for messages and `print`: "table", "split", ... */
  readonly tag: string;
}

/** Anything a host object (instance, posterior, algorithm) needs to carry through the evaluator. */
export interface OpaqueValue {
  readonly kind: "opaque";
  readonly tag: string;
  readonly payload: unknown;
  readonly show: string;
}

export type Value =
  | { readonly kind: "num"; readonly v: number }
  | { readonly kind: "bool"; readonly v: boolean }
  | { readonly kind: "str"; readonly v: string }
  | { readonly kind: "missing" }
  | { readonly kind: "list"; readonly items: readonly Value[] }
  | TensorValue
  | DistValue
  | NetValue
  | LayerValue
  | Closure
  | NetworkCtor
  | ModelCtor
  | Builtin
  | RecordValue
  | OpaqueValue;

export const num = (v: number): Value => ({ kind: "num", v });
export const tensor = (t: tf.Tensor, batched: boolean): TensorValue => ({ kind: "tensor", t, batched });
export const MISSING: Value = { kind: "missing" };

/** A short type description for messages: "a number", "a tensor of shape [3, 2]". */
export function describeValue(v: Value): string {
  switch (v.kind) {
    case "num": return "a number";
    case "bool": return "a boolean";
    case "str": return "a string";
    case "missing": return "`missing`";
    case "list": return `a list of ${v.items.length}`;
    case "tensor": return v.batched ? `a latent-dependent array of shape [${v.t.shape.slice(1).join(", ")}]` : `an array of shape [${v.t.shape.join(", ")}]`;
    case "dist": return `a distribution (${v.name})`;
    case "net": return "a network";
    case "layer": return `a layer (${v.layer.describe()})`;
    case "fn": return `the function ${v.def.name}`;
    case "network": return `the network constructor ${v.def.name}`;
    case "model": return `the model ${v.def.name}`;
    case "builtin": return `the builtin ${v.name}`;
    case "record": return `a ${v.tag}`;
    case "opaque": return `a ${v.tag}`;
  }
}

/** Shape without the chain axis. */
export function shapeOf(v: TensorValue): number[] {
  return v.batched ? v.t.shape.slice(1) : [...v.t.shape];
}

/** Numbers, booleans and arrays as a TensorValue (float32); anything else is an error. */
export function asTensorValue(v: Value, span: Span | undefined, what = "this"): TensorValue {
  switch (v.kind) {
    case "tensor": return v;
    case "num": return tensor(tf.scalar(v.v), false);
    case "bool": return tensor(tf.scalar(v.v ? 1 : 0), false);
    case "list": {
      const items = v.items.map((x) => asTensorValue(x, span, what));
      return stackValues(items, span);
    }
    default: throw new DlmError(`${what} should be a number or an array, but it is ${describeValue(v)}`, span);
  }
}

/** Stack values along a new first non-chain axis (array literals). */
export function stackValues(items: readonly TensorValue[], span: Span | undefined): TensorValue {
  if (items.length === 0) return tensor(tf.zeros([0]), false);
  const batched = items.some((x) => x.batched);
  const shapes = items.map(shapeOf);
  const first = shapes[0]!;
  if (shapes.some((s) => s.length !== first.length || s.some((d, i) => d !== first[i]))) {
    throw new DlmError(`the elements of this array have different shapes: ${shapes.map((s) => `[${s.join(", ")}]`).join(", ")}`, span);
  }
  if (!batched) return tensor(tf.stack(items.map((x) => x.t)), false);
  // Batched items may carry a chain axis of 1 (a latent-free value made batched by a chain-1
  // trace) next to C: broadcast every item to C chains before stacking.
  const c = Math.max(...items.map((x) => (x.batched ? x.t.shape[0]! : 1)));
  const parts = items.map((x) => (x.batched ? (x.t.shape[0] === c ? x.t : tf.broadcastTo(x.t, [c, ...first])) : tf.broadcastTo(tf.expandDims(x.t, 0), [c, ...first])));
  return tensor(tf.stack(parts, 1), true);
}

/** A JS number from a value that must be a plain (not latent-dependent) scalar. */
export function asNumber(v: Value, span: Span | undefined, what = "this"): number {
  if (v.kind === "num") return v.v;
  if (v.kind === "bool") return v.v ? 1 : 0;
  if (v.kind === "tensor" && !v.batched && v.t.size === 1) return v.t.dataSync()[0]!;
  if (v.kind === "tensor" && v.batched) {
    throw new DlmError(`${what} must not depend on a latent variable (shapes, sizes, loop bounds and branch conditions are fixed)`, span);
  }
  throw new DlmError(`${what} should be a number, but it is ${describeValue(v)}`, span);
}

/** A JS integer (sizes, indices). */
export function asInt(v: Value, span: Span | undefined, what = "this"): number {
  const n = asNumber(v, span, what);
  if (!Number.isInteger(n)) throw new DlmError(`${what} should be an integer, got ${n}`, span);
  return n;
}

/** Truthiness for `if`/`while`-style control: a plain boolean or scalar. */
export function asBool(v: Value, span: Span | undefined, what = "this condition"): boolean {
  if (v.kind === "bool") return v.v;
  return asNumber(v, span, what) !== 0;
}

export function asString(v: Value, span: Span | undefined, what = "this"): string {
  if (v.kind === "str") return v.v;
  throw new DlmError(`${what} should be a string, but it is ${describeValue(v)}`, span);
}
