/**
 * Shape functions, constructors and linear algebra. Sizes count non-chain axes only.
 */
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/ast.js";
import { realAxis, withChains } from "./align.js";
import { builtin } from "./builtins-math.js";
import { DlmError } from "./errors.js";
import { asInt, asNumber, asTensorValue, num, shapeOf, stackValues, tensor, type Builtin, type TensorValue, type Value } from "./value.js";

const list = (xs: readonly number[]): Value => ({ kind: "list", items: xs.map(num) });

function dataShape(v: Value, span: Span): number[] {
  if (v.kind === "record" && v.fields.has("__matrix")) return shapeOf(v.fields.get("__matrix") as TensorValue);
  if (v.kind === "list") return [v.items.length];
  return shapeOf(asTensorValue(v, span));
}

function dims(args: readonly Value[], span: Span): number[] {
  if (args.length === 1 && args[0]!.kind === "list") return args[0]!.items.map((x) => asInt(x, span, "a size"));
  return args.map((a) => asInt(a, span, "a size"));
}

/** Concatenate along non-chain axis `axis`, broadcasting the chain axis where needed. */
function concatValues(vals: readonly TensorValue[], axis: number, span: Span): TensorValue {
  const batched = vals.some((v) => v.batched);
  const c = Math.max(1, ...vals.map((v) => (v.batched ? v.t.shape[0]! : 1)));
  const ts = vals.map((v) => (batched ? withChains(v, c) : v.t));
  try {
    return tensor(tf.concat(ts, batched ? axis + 1 : axis), batched);
  } catch {
    throw new DlmError(`cannot concatenate shapes ${vals.map((v) => `[${shapeOf(v).join(", ")}]`).join(", ")} along axis ${axis + 1}`, span);
  }
}

export const ARRAY_BUILTINS: readonly Builtin[] = [
  builtin("size", (args, _kwargs, span) => {
    const s = dataShape(args[0]!, span);
    if (args.length === 1) return list(s);
    const d = asInt(args[1]!, span, "the axis");
    if (d < 1 || d > s.length) throw new DlmError(`axis ${d} is out of range for shape [${s.join(", ")}]`, span);
    return num(s[d - 1]!);
  }),
  builtin("length", (args, _kwargs, span) => {
    const a = args[0]!;
    if (a.kind === "str") return num(a.v.length);
    return num(dataShape(a, span).reduce((x, y) => x * y, 1));
  }),
  builtin("nrows", (args, _kwargs, span) => {
    const s = dataShape(args[0]!, span);
    if (s.length < 1) throw new DlmError("nrows needs an array with at least one axis", span);
    return num(s[0]!);
  }),
  builtin("ncols", (args, _kwargs, span) => {
    const s = dataShape(args[0]!, span);
    if (s.length < 2) throw new DlmError(`ncols needs a matrix, but this has shape [${s.join(", ")}]`, span);
    return num(s[1]!);
  }),
  builtin("zeros", (args, _kwargs, span) => tensor(tf.zeros(dims(args, span)), false)),
  builtin("ones", (args, _kwargs, span) => tensor(tf.ones(dims(args, span)), false)),
  builtin("fill", (args, _kwargs, span) => {
    const v = asTensorValue(args[0]!, span, "the fill value");
    const shape = dims(args.slice(1), span);
    if (shapeOf(v).length > 0) throw new DlmError("fill takes a scalar value", span);
    return tensor(v.batched ? tf.broadcastTo(tf.reshape(v.t, [v.t.shape[0]!, ...shape.map(() => 1)]), [v.t.shape[0]!, ...shape]) : tf.fill(shape, asNumber(args[0]!, span)), v.batched);
  }),
  builtin("eye", (args, _kwargs, span) => {
    return tensor(tf.eye(asInt(args[0]!, span, "the size")), false);
  }),
  builtin("range", (args, kwargs, span) => {
    const a = asNumber(args[0]!, span);
    const b = asNumber(args[1]!, span);
    const step = kwargs.has("step") ? asNumber(kwargs.get("step")!, span) : 1;
    if (step === 0) throw new DlmError("range step must not be zero", span);
    const out: number[] = [];
    for (let x = a; step > 0 ? x <= b + 1e-9 : x >= b - 1e-9; x += step) out.push(x);
    return tensor(tf.tensor1d(out), false);
  }),
  builtin("reshape", (args, _kwargs, span) => {
    const x = asTensorValue(args[0]!, span);
    const shape = dims(args.slice(1), span);
    const n = shapeOf(x).reduce((a, b) => a * b, 1);
    if (shape.reduce((a, b) => a * b, 1) !== n) throw new DlmError(`cannot reshape [${shapeOf(x).join(", ")}] (${n} elements) to [${shape.join(", ")}]`, span);
    return tensor(tf.reshape(x.t, x.batched ? [x.t.shape[0]!, ...shape] : shape), x.batched);
  }),
  builtin("transpose", (args, _kwargs, span) => {
    const x = asTensorValue(args[0]!, span);
    const r = shapeOf(x).length;
    if (r === 1) return tensor(tf.reshape(x.t, x.batched ? [x.t.shape[0]!, 1, x.t.shape[1]!] : [1, x.t.shape[0]!]), x.batched);
    if (r !== 2) throw new DlmError(`transpose needs a vector or a matrix, got shape [${shapeOf(x).join(", ")}]`, span);
    return tensor(tf.transpose(x.t, x.batched ? [0, 2, 1] : [1, 0]), x.batched);
  }),
  builtin("vcat", (args, _kwargs, span) => {
    return concatValues(args.map((a) => asTensorValue(a, span)), 0, span);
  }),
  builtin("hcat", (args, _kwargs, span) => {
    const vals = args.map((a) => asTensorValue(a, span));
    const cols = vals.map((v) => (shapeOf(v).length === 1 ? tensor(tf.expandDims(v.t, -1), v.batched) : v));
    return concatValues(cols, 1, span);
  }),
  builtin("stack", (args, _kwargs, span) => {
    // One argument is a collection: a list is stacked; an array (an array literal `[a, b]`
    // is already stacked by the evaluator) is its own stack along its first non-chain axis.
    if (args.length === 1 && args[0]!.kind !== "list") return asTensorValue(args[0]!, span);
    const items = args.length === 1 && args[0]!.kind === "list" ? args[0]!.items : args;
    return stackValues(items.map((a) => asTensorValue(a, span)), span);
  }),
  builtin("diag", (args, _kwargs, span) => {
    const x = asTensorValue(args[0]!, span);
    const r = shapeOf(x).length;
    if (r === 1) {
      const n = shapeOf(x)[0]!;
      return tensor(tf.mul(tf.expandDims(x.t, -1), tf.eye(n)), x.batched);
    }
    if (r === 2) return tensor(tf.sum(tf.mul(x.t, tf.eye(shapeOf(x)[0]!, shapeOf(x)[1]!)), -1), x.batched);
    throw new DlmError("diag takes a vector (to build a diagonal matrix) or a matrix (to read its diagonal)", span);
  }),
  builtin("outer", (args, _kwargs, span) => {
    const [a, b] = args.map((x) => asTensorValue(x, span)) as [TensorValue, TensorValue];
    if (shapeOf(a).length !== 1 || shapeOf(b).length !== 1) throw new DlmError("outer takes two vectors", span);
    const batched = a.batched || b.batched;
    const A = a.batched ? tf.expandDims(a.t, -1) : tf.expandDims(a.t, -1);
    const B = b.batched ? tf.expandDims(b.t, -2) : tf.expandDims(b.t, 0);
    return tensor(tf.mul(a.batched || !batched ? A : tf.expandDims(A, 0), B), batched);
  }),
  builtin("dot", (args, _kwargs, span) => {
    const [a, b] = args.map((x) => asTensorValue(x, span)) as [TensorValue, TensorValue];
    const batched = a.batched || b.batched;
    const A = a.batched || !batched ? a.t : tf.expandDims(a.t, 0);
    const B = b.batched || !batched ? b.t : tf.expandDims(b.t, 0);
    return tensor(tf.sum(tf.mul(A, B), batched ? realAxis({ kind: "tensor", t: A, batched }, -1) : -1), batched);
  }),
];
