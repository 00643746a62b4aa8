/**
 * `Concat` and `Pack` (tf.concat, tf.stack) for tfjs-backend-wasm 4.22.0, through `Transpose`.
 *
 * Defect of the stock kernels (a cost, not a wrong result; measured on the 2-core machine, see
 * bench/RESULTS.md): they copy one contiguous run per input per outer index from JavaScript,
 * ~100 ns a run whatever its length, so joining along an inner axis of short runs is slow:
 * `tf.stack([a, b], 2)` for two [256, 1000] tensors (runs of one element) takes ~120 ms.
 * `tf.linalg.bandPart` (triangular factors) stacks its matrices this way.
 *
 * Joining along axis 0 is one copy per input, so: stack along axis 0 and transpose the new
 * axis into place; concatenate with `axis` moved to the front of every input (one transpose
 * each), then move it back. Used when the runs are short (fewer than `SHORT_RUN` elements on
 * average) and there are many of them (at least `MANY_RUNS`); otherwise the stock kernel.
 */
import type { Info, KernelFunc } from "./compose.js";
import { compose } from "./compose.js";

const SHORT_RUN = 16;
const MANY_RUNS = 1024;

type Inputs = Parameters<KernelFunc>[0]["inputs"];
const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);
/** A permutation moving axis `axis` to the front, and its inverse. */
function toFront(axis: number, rank: number): [number[], number[]] {
  const perm = [axis, ...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis)];
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [perm, inverse];
}

/** Whether joining `parts` along `axis` makes many short runs. */
function shortRuns(parts: readonly Info[], axis: number): boolean {
  const outer = sizeOf(parts[0]!.shape.slice(0, axis));
  const meanRun = parts.reduce((s, t) => s + sizeOf(t.shape.slice(axis)), 0) / parts.length;
  return outer * parts.length >= MANY_RUNS && meanRun < SHORT_RUN;
}

/** The replacement `Concat`: out = concat(inputs, axis). */
export function concatFix(stock: KernelFunc, backendName: string): KernelFunc {
  return (args) => {
    const parts = (args.inputs as unknown as Info[]).filter((t) => sizeOf(t.shape) > 0);
    const rank = parts[0]?.shape.length ?? 0;
    const axis = normAxis(args.attrs?.["axis"] as number, rank);
    const numeric = parts.every((t) => t.dtype !== "string");
    if (parts.length < 2 || axis === 0 || !numeric || !shortRuns(parts, axis)) return stock(args);
    return compose(args.backend, backendName, (c) => {
      const [perm, inverse] = toFront(axis, rank);
      const fronted = parts.map((t) => c.transpose(t, perm));
      const joined = c.call(stock, fronted as unknown as Inputs, { axis: 0 });
      return c.transpose(joined, inverse);
    });
  };
}

/** The replacement `Pack`: out = stack(inputs, axis). */
export function packFix(stock: KernelFunc, backendName: string): KernelFunc {
  return (args) => {
    const parts = args.inputs as unknown as Info[];
    const rank = (parts[0]?.shape.length ?? 0) + 1;
    const axis = normAxis(args.attrs?.["axis"] as number, rank);
    const numeric = parts.every((t) => t.dtype !== "string");
    const outer = sizeOf(parts[0]?.shape.slice(0, axis) ?? []);
    const run = sizeOf(parts[0]?.shape.slice(axis) ?? []);
    if (parts.length < 2 || axis === 0 || !numeric || outer * parts.length < MANY_RUNS || run >= SHORT_RUN) return stock(args);
    return compose(args.backend, backendName, (c) => {
      const stacked = c.call(stock, args.inputs, { axis: 0 });
      const [, inverse] = toFront(axis, rank);
      return c.transpose(stacked, inverse);
    });
  };
}
