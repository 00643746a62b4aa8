/**
 * The summary as a fixed-width text table, like R posterior's print of `summarise_draws` and
 * CmdStan's `stansummary`: name left-aligned, numbers right-aligned, two spaces between columns.
 */
import type { SummaryRow } from "./summary.js";

export interface FormatOptions {
  /** Significant digits for mean, sd, mcse and quantiles (default 3). */
  readonly sigfig?: number;
}

/**
 * `x` with `digits` significant digits: plain notation for 1e-3 ≤ |x| < 1e6 (integers past the
 * significant digits are rounded to whole numbers, never shown in exponent form), exponent
 * notation outside; `NA` for NaN, as R prints it.
 */
export function formatSignificant(x: number, digits = 3): string {
  if (Number.isNaN(x)) return "NA";
  if (!Number.isFinite(x)) return x > 0 ? "Inf" : "-Inf";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e6) return x.toExponential(digits - 1).replace("e+", "e");
  const p = x.toPrecision(digits);
  // toPrecision switches to exponent form once the integer part has more than `digits` digits.
  return p.includes("e") ? String(Math.round(x)) : p;
}

const COLUMNS = ["mean", "sd", "mcse", "q5", "q50", "q95", "ess_bulk", "ess_tail", "rhat"] as const;

/** The rows as a text table (one header line, one line per row, no trailing newline). */
export function formatSummaryTable(rows: readonly SummaryRow[], options: FormatOptions = {}): string {
  const digits = options.sigfig ?? 3;
  const cell = (r: SummaryRow, c: (typeof COLUMNS)[number]): string => {
    switch (c) {
      case "ess_bulk":
      case "ess_tail":
        return Number.isNaN(r[c]) ? "NA" : String(Math.round(r[c]));
      case "rhat":
        return Number.isNaN(r.rhat) ? "NA" : r.rhat.toFixed(3);
      case "mean":
      case "sd":
      case "mcse":
      case "q5":
      case "q50":
      case "q95":
        return formatSignificant(r[c], digits);
      default: {
        const never: never = c;
        throw new Error(`unknown column ${String(never)}`);
      }
    }
  };
  const body = rows.map((r) => [r.name, ...COLUMNS.map((c) => cell(r, c))]);
  const header = ["name", ...COLUMNS];
  const widths = header.map((h, k) => Math.max(h.length, ...body.map((b) => b[k]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]!) : c.padStart(widths[k]!))).join("  ").trimEnd();
  return [line(header), ...body.map(line)].join("\n");
}
