/**
 * Compact printing of arrays, NumPy style: nested brackets, a common number format per array,
 * and arrays of more than `threshold` (1000) elements summarised to their first and last
 * `edge` (3) entries along every axis with `...` between (numpy.set_printoptions defaults).
 */

export interface ArrayFormat {
  readonly threshold?: number;
  readonly edge?: number;
  /** Significant digits (default 6, as `print` in Julia / NumPy's precision 8 trimmed). */
  readonly digits?: number;
}

/** One number: integers plain, others with `digits` significant digits, exponent form outside [1e-4, 1e6). */
export function formatNumber(x: number, digits = 6): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Inf" : "-Inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return x.toExponential(digits - 1).replace(/\.?0+e/, "e");
  return String(Number(x.toPrecision(digits)));
}

/** `values` (row-major) of `shape` as text; a scalar for shape []. */
export function formatArray(values: ArrayLike<number>, shape: readonly number[], options: ArrayFormat = {}): string {
  const threshold = options.threshold ?? 1000;
  const edge = options.edge ?? 3;
  const digits = options.digits ?? 6;
  if (shape.length === 0) return formatNumber(values[0]!, digits);
  const size = shape.reduce((a, b) => a * b, 1);
  const summarise = size > threshold;
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  // Indices shown along an axis: all, or the first and last `edge` with a gap marker (-1).
  const shown = (n: number): number[] =>
    summarise && n > 2 * edge ? [...Array.from({ length: edge }, (_, i) => i), -1, ...Array.from({ length: edge }, (_, i) => n - edge + i)] : Array.from({ length: n }, (_, i) => i);
  const cells: string[] = [];
  const collect = (axis: number, offset: number): void => {
    for (const i of shown(shape[axis]!)) {
      if (i < 0) continue;
      if (axis === shape.length - 1) cells.push(formatNumber(values[offset + i]!, digits));
      else collect(axis + 1, offset + i * strides[axis]!);
    }
  };
  collect(0, 0);
  const width = Math.max(0, ...cells.map((c) => c.length));
  let next = 0;
  const render = (axis: number, indent: number): string => {
    const parts: string[] = [];
    for (const i of shown(shape[axis]!)) {
      if (i < 0) {
        parts.push("...");
        continue;
      }
      parts.push(axis === shape.length - 1 ? cells[next++]!.padStart(width) : render(axis + 1, indent + 1));
    }
    if (axis === shape.length - 1) return `[${parts.join(", ")}]`;
    const sep = ",\n" + "\n".repeat(shape.length - axis - 2) + " ".repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  return render(0, 0);
}
