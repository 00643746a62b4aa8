/**
 * Chain-axis alignment: the rule that lets one tensor program serve C chains.
 *
 * A batched value `[C, ...a]` and a plain value `[...b]` combine as `[C, ...broadcast(a, b)]`:
 * the batched operand gets singleton axes inserted after its chain axis until its non-chain
 * rank reaches the common rank; NumPy broadcasting (aligned at the right) does the rest.
 */
import { broadcastShape } from "../core/broadcast.js";
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/ast.js";
import { DlmError } from "./errors.js";
import { shapeOf, tensor, type TensorValue } from "./value.js";

/** Insert singleton axes after the chain axis so the non-chain rank is `rank`. */
export function padBatched(t: tf.Tensor, rank: number): tf.Tensor {
  const inner = t.rank - 1;
  if (inner >= rank) return t;
  return tf.reshape(t, [t.shape[0]!, ...new Array<number>(rank - inner).fill(1), ...t.shape.slice(1)]);
}


const fmt = (s: readonly number[]): string => `[${s.join(", ")}]`;

/** Align operands for an elementwise op; throws a DlmError naming both shapes on mismatch. */
export function alignAll(values: readonly TensorValue[], span: Span | undefined, what = "these operands"): { ts: tf.Tensor[]; batched: boolean } {
  const shapes = values.map(shapeOf);
  let common: number[] | undefined = [];
  for (const s of shapes) common = common === undefined ? undefined : broadcastShape(common, s);
  if (common === undefined) {
    throw new DlmError(`the shapes of ${what} do not broadcast: ${shapes.map(fmt).join(" and ")}`, span,
      "elementwise operations need equal sizes or size 1 along each axis (aligned at the right); `@` is the matrix product");
  }
  const rank = common.length;
  const batched = values.some((v) => v.batched);
  return { ts: values.map((v) => (v.batched ? padBatched(v.t, rank) : v.t)), batched };
}

/** Apply an elementwise tf op to aligned operands. */
export function elementwise(values: readonly TensorValue[], f: (...ts: tf.Tensor[]) => tf.Tensor, span: Span | undefined, what?: string): TensorValue {
  const { ts, batched } = alignAll(values, span, what);
  return tensor(f(...ts), batched);
}

/** Axis of `t` for the 0-based non-chain axis `axis` (negative counts from the end). */
export function realAxis(v: TensorValue, axis: number): number {
  const inner = v.t.rank - (v.batched ? 1 : 0);
  const a = axis < 0 ? inner + axis : axis;
  return v.batched ? a + 1 : a;
}

/** Broadcast a batched value's chain axis to C (for stacking with other batched values). */
export function withChains(v: TensorValue, c: number): tf.Tensor {
  if (v.batched) return v.t.shape[0] === c ? v.t : tf.broadcastTo(v.t, [c, ...v.t.shape.slice(1)]);
  return tf.broadcastTo(tf.expandDims(v.t, 0), [c, ...v.t.shape]);
}
