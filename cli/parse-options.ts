/** Argument parsers for commander: a malformed value is a usage error (exit 2). */
import { InvalidArgumentError } from "commander";

/** An integer ≥ `min`. */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got '${value}'`);
    return n;
  };
}

/** A finite number strictly between `lo` and `hi`. */
export function numberBetween(lo: number, hi: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= lo || n >= hi) throw new InvalidArgumentError(`expected a number in (${lo}, ${hi}), got '${value}'`);
    return n;
  };
}

/** A positive finite number. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return n;
}
