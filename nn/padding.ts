/**
 * Spatial padding and output sizes for convolution and pooling windows, TensorFlow/Flux rules.
 *   "valid": no padding;  a number p: p on every side;
 *   "same":  output ⌈size/stride⌉, total padding max((out − 1)·stride + k − size, 0), the odd
 *            element at the end (TensorFlow's SAME; Flux's SamePad for stride 1).
 */
import { ShapeError } from "./layer.js";

export type Padding = "valid" | "same" | number;

export interface AxisPad {
  readonly before: number;
  readonly after: number;
  readonly out: number;
}

/** Padding and output length along one axis of length `size` for window `k`, stride `s`. */
export function axisPad(size: number, k: number, s: number, pad: Padding): AxisPad {
  let before = 0;
  let after = 0;
  if (pad === "same") {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + k - size, 0);
    before = Math.floor(total / 2);
    after = total - before;
  } else if (typeof pad === "number") {
    if (!Number.isInteger(pad) || pad < 0) throw new ShapeError(`padding must be a non-negative integer, got ${pad}`);
    before = after = pad;
  }
  const out = Math.floor((size + before + after - k) / s) + 1;
  if (out < 1) throw new ShapeError(`a window of ${k} does not fit an input of size ${size} with padding ${before + after}`);
  return { before, after, out };
}

export function describePad(pad: Padding): string {
  return typeof pad === "number" ? String(pad) : `"${pad}"`;
}

export function isPadding(v: unknown): v is Padding {
  return v === "valid" || v === "same" || (typeof v === "number" && Number.isInteger(v) && v >= 0);
}
