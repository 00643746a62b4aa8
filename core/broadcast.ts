/**
 * NumPy broadcasting of shapes (aligned at the right; a 1 stretches): the one implementation
 * that distributions, kernels, linear algebra and the interpreter's shape checks share.
 */

/** The number of elements of `shape` (1 for a scalar). */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The broadcast of `shapes`, or undefined when two of them disagree on an axis. */
export function broadcastShape(...shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      const e = k >= 0 ? s[k]! : 1;
      if (e === 1) continue;
      if (d !== 1 && d !== e) return undefined;
      d = e;
    }
    out.push(d);
  }
  return out;
}

/** The broadcast of `shapes`; on a mismatch throws the error `fail` makes from a message naming them (a RangeError by default). */
export function broadcastShapesOrThrow(shapes: readonly (readonly number[])[], fail: (message: string) => Error = (m) => new RangeError(m)): number[] {
  const out = broadcastShape(...shapes);
  if (out === undefined) throw fail(`shapes ${shapes.map((x) => `[${x.join(", ")}]`).join(" and ")} do not broadcast`);
  return out;
}

// Offsets depend on the two shapes only, and a model calls its densities with the same shapes
// at every gradient: cached (a bounded map, cleared when full).
const offsetCache = new Map<string, Int32Array | undefined>();
const OFFSET_CACHE_SIZE = 256;

/**
 * For each element (row-major) of `shape`, the flat index of the element of an operand of
 * `inShape` broadcast to it; undefined where the two shapes agree (the identity). The
 * returned array is shared (cached): read it, never write it.
 */
export function broadcastOffsets(shape: readonly number[], inShape: readonly number[]): Int32Array | undefined {
  const key = `${shape.join(",")}|${inShape.join(",")}`;
  if (offsetCache.has(key)) return offsetCache.get(key);
  const out = computeOffsets(shape, inShape);
  if (offsetCache.size >= OFFSET_CACHE_SIZE) offsetCache.clear();
  offsetCache.set(key, out);
  return out;
}

function computeOffsets(shape: readonly number[], inShape: readonly number[]): Int32Array | undefined {
  const rank = shape.length;
  const offset = rank - inShape.length;
  const padded = shape.map((_, i) => (i < offset ? 1 : inShape[i - offset]!));
  if (padded.every((d, i) => d === shape[i])) return undefined;
  const strides = new Array<number>(rank).fill(0);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    strides[i] = padded[i] === 1 ? 0 : s;
    s *= padded[i]!;
  }
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let k = 0; k < n; k++) {
    out[k] = o;
    for (let i = rank - 1; i >= 0; i--) {
      idx[i]!++;
      o += strides[i]!;
      if (idx[i]! < shape[i]!) break;
      o -= strides[i]! * shape[i]!;
      idx[i] = 0;
    }
  }
  return out;
}
