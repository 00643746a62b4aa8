/**
 * 1-based indexing on the non-chain axes: `x[i]`, `x[i, :]`, `x[:, 2:4]`, `mu[group]`.
 *
 * One entry per axis (missing trailing entries mean `:`). A scalar drops its axis, a range
 * `a:b` or `a:s:b` (inclusive) slices, an integer array gathers (its shape replaces the
 * axis). Indices must be data: the shapes of values never depend on latents.
 * `assignIndex` is the functional update behind `x[i] = e` (a gather from [x, e], so that
 * gradients flow to both).
 */
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/ast.js";
import { realAxis } from "./align.js";
import { DlmError } from "./errors.js";
import { shapeOf, tensor, type TensorValue } from "./value.js";

export type IndexSpec =
  | { readonly kind: "all" }
  | { readonly kind: "scalar"; readonly i: number }
  | { readonly kind: "range"; readonly start: number; readonly step: number; readonly end: number }
  | { readonly kind: "gather"; readonly idx: tf.Tensor };

const hostCache = new WeakMap<tf.Tensor, number[]>();

/** 0-based positions selected along an axis of length n, and whether the axis is dropped. */
function positions(spec: IndexSpec, n: number, span: Span | undefined, axis: number): { pos: number[]; drop: boolean; shape: number[] } {
  const check = (i: number): number => {
    if (!Number.isInteger(i) || i < 1 || i > n) {
      throw new DlmError(`index ${i} is out of bounds for axis ${axis + 1} of length ${n} (indices are 1-based)`, span);
    }
    return i - 1;
  };
  switch (spec.kind) {
    case "all": return { pos: Array.from({ length: n }, (_, i) => i), drop: false, shape: [n] };
    case "scalar": return { pos: [check(spec.i)], drop: true, shape: [] };
    case "range": {
      const pos: number[] = [];
      if (spec.step === 0) throw new DlmError("a range step must not be zero", span);
      for (let i = spec.start; spec.step > 0 ? i <= spec.end : i >= spec.end; i += spec.step) pos.push(check(i));
      return { pos, drop: false, shape: [pos.length] };
    }
    case "gather": {
      // Index arrays are data: read once per tensor, not once per log-density evaluation.
      let raw = hostCache.get(spec.idx);
      if (raw === undefined) {
        raw = Array.from(spec.idx.dataSync());
        hostCache.set(spec.idx, raw);
      }
      const pos = raw.map((i) => check(i));
      return { pos, drop: false, shape: [...spec.idx.shape] };
    }
  }
}

function checkCount(v: TensorValue, specs: readonly IndexSpec[], span: Span | undefined): number[] {
  const shape = shapeOf(v);
  if (specs.length > shape.length) {
    throw new DlmError(`too many indices: ${specs.length} given for a value of shape [${shape.join(", ")}]`, span);
  }
  return shape;
}

/** `v[specs...]`. */
export function index(v: TensorValue, specs: readonly IndexSpec[], span: Span | undefined): TensorValue {
  const shape = checkCount(v, specs, span);
  let t = v.t;
  let axis = 0; // non-chain axis in the current (partially indexed) tensor
  specs.forEach((spec, k) => {
    const n = shape[k]!;
    const ax = realAxis({ ...v, t }, axis);
    if (spec.kind === "all") { axis += 1; return; }
    if (spec.kind === "range" && spec.step === 1) {
      const p = positions(spec, n, span, k);
      axis += 1;
      // the whole axis (`x[1:n]`): nothing to cut, and no Slice (with its PadV2 gradient)
      if (p.pos.length === n) return;
      const begin = new Array<number>(t.rank).fill(0);
      const size = [...t.shape];
      begin[ax] = p.pos[0] ?? 0;
      size[ax] = p.pos.length;
      t = tf.slice(t, begin, size);
      return;
    }
    const p = positions(spec, n, span, k);
    if (p.drop) {
      // the only element of a length-1 axis (`eta[:, 1]` of an [N, 1] output): a reshape
      if (n === 1) {
        t = tf.squeeze(t, [ax]);
        return;
      }
      t = tf.squeeze(tf.slice(t, t.shape.map((_, i) => (i === ax ? p.pos[0]! : 0)), t.shape.map((d, i) => (i === ax ? 1 : d))), [ax]);
      return;
    }
    const idx = tf.tensor(p.pos, p.shape, "int32");
    t = tf.gather(t, idx, ax);
    axis += p.shape.length;
  });
  return tensor(t, v.batched);
}

/** Flat 0-based positions (row-major over the non-chain shape) selected by specs, and the selection's shape. */
function selection(shape: readonly number[], specs: readonly IndexSpec[], span: Span | undefined): { flat: number[]; shape: number[] } {
  const per = shape.map((n, k) => positions(specs[k] ?? { kind: "all" }, n, span, k));
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  let flat = [0];
  per.forEach((p, k) => {
    const next: number[] = [];
    for (const f of flat) for (const i of p.pos) next.push(f + i * strides[k]!);
    flat = next;
  });
  return { flat, shape: per.flatMap((p) => (p.drop ? [] : p.shape)) };
}

/** `x[specs...] = e`: a new value equal to x except at the selected positions. */
export function assignIndex(x: TensorValue, specs: readonly IndexSpec[], e: TensorValue, span: Span | undefined): TensorValue {
  const shape = checkCount(x, specs, span);
  const sel = selection(shape, specs, span);
  const size = shape.reduce((a, b) => a * b, 1);
  const selSize = sel.flat.length;
  const es = shapeOf(e);
  const eb = tf.broadcastTo(e.batched ? e.t : e.t, e.batched ? [e.t.shape[0]!, ...padTo(es, sel.shape, span)] : padTo(es, sel.shape, span));
  // source index into concat([x_flat, e_flat]) for every output position
  const src = Array.from({ length: size }, (_, i) => i);
  sel.flat.forEach((p, k) => (src[p] = size + k));
  const batched = x.batched || e.batched;
  const c = Math.max(x.batched ? x.t.shape[0]! : 1, e.batched ? e.t.shape[0]! : 1);
  const xf = batched ? tf.broadcastTo(tf.reshape(x.t, [x.batched ? x.t.shape[0]! : 1, size]), [c, size]) : tf.reshape(x.t, [size]);
  const ef = batched ? tf.broadcastTo(tf.reshape(eb, [e.batched ? e.t.shape[0]! : 1, selSize]), [c, selSize]) : tf.reshape(eb, [selSize]);
  const joined = tf.concat([xf, ef], batched ? 1 : 0);
  const out = tf.gather(joined, tf.tensor1d(src, "int32"), batched ? 1 : 0);
  return tensor(tf.reshape(out, batched ? [c, ...shape] : shape), batched);
}

function padTo(from: readonly number[], to: readonly number[], span: Span | undefined): number[] {
  if (from.length > to.length || from.some((d, i) => d !== 1 && d !== to[to.length - from.length + i])) {
    throw new DlmError(`cannot assign a value of shape [${from.join(", ")}] to a selection of shape [${to.join(", ")}]`, span);
  }
  return [...to];
}
