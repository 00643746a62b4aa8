/**
 * The one CSV reader of data tables, for `read_csv` in scripts and `--data file.csv` on the
 * command line. A header row names the columns; `#` lines and blank lines are skipped. A
 * column whose cells are all numbers (`inf`, `-inf` and `nan` included, as CmdStan writes
 * them) is numeric; a column of text is text (read_csv turns it into category codes). A
 * missing cell (empty, `NA`, `N/A`, `null` or `missing`) or a column mixing numbers and text
 * is an error naming the file, the line and the column: silently coding such a column would
 * give a wrong answer with no warning.
 */
import { parse } from "csv-parse/sync";

/** A malformed table; the message starts with `file:line:` where a line is known. */
export class CsvError extends Error {
  override readonly name = "CsvError";
}

export type CsvColumn =
  | { readonly kind: "number"; readonly name: string; readonly values: Float64Array; readonly integer: boolean }
  | { readonly kind: "text"; readonly name: string; readonly cells: readonly string[] };

export interface CsvTable {
  readonly columns: readonly CsvColumn[];
  readonly rows: number;
}

const SPECIAL: Readonly<Record<string, number>> = {
  inf: Infinity, "+inf": Infinity, infinity: Infinity, "+infinity": Infinity,
  "-inf": -Infinity, "-infinity": -Infinity, nan: NaN,
};
const MISSING = new Set(["", "NA", "N/A", "na", "n/a", "null", "NULL", "missing"]);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number an `inf`, `-inf` or `nan` string (any case, as CmdStan accepts them) stands for. */
export function specialNumber(s: string): number | undefined {
  return SPECIAL[s.trim().toLowerCase()];
}

/** The number a cell holds, or undefined when it is not a number. */
export function cellNumber(cell: string): number | undefined {
  return DECIMAL.test(cell) ? Number(cell) : specialNumber(cell);
}

const quote = (s: string): string => JSON.stringify(s.length > 24 ? `${s.slice(0, 24)}…` : s);

/** Parses CSV text (`file` names it in messages). */
export function parseCsvTable(text: string, file: string): CsvTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { comment: "#", comment_no_infix: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: true }) as unknown as typeof records;
  } catch (e) {
    const line = (e as { lines?: unknown }).lines;
    const msg = (e instanceof Error ? e.message : String(e)).replace(/^Invalid [^:]*: /, "");
    throw new CsvError(`${file}${typeof line === "number" ? `:${line}` : ""}: malformed CSV: ${msg}`);
  }
  const head = records[0];
  if (!head) throw new CsvError(`${file}: the CSV file is empty (a header row naming the columns is required)`);
  const header = head.record;
  const body = records.slice(1);
  if (body.length === 0) throw new CsvError(`${file}: the CSV file has a header but no data rows`);
  const seen = new Set<string>();
  header.forEach((name, j) => {
    if (name === "") throw new CsvError(`${file}:${head.info.lines}: column ${j + 1} has an empty name in the header`);
    if (seen.has(name)) throw new CsvError(`${file}:${head.info.lines}: the header names column '${name}' twice`);
    seen.add(name);
  });
  for (const { record, info } of body) {
    if (record.length !== header.length) {
      throw new CsvError(`${file}:${info.lines}: ${record.length} field${record.length === 1 ? "" : "s"}, but the header has ${header.length}`);
    }
  }
  const columns = header.map((name, j): CsvColumn => {
    const cells = body.map((r) => r.record[j]!);
    const missing = cells.findIndex((c) => MISSING.has(c));
    if (missing >= 0) {
      throw new CsvError(
        `${file}:${body[missing]!.info.lines}: column '${name}' has a missing value (${cells[missing] === "" ? "an empty cell" : quote(cells[missing]!)}); ` +
          "fill it or remove the row: data arrays cannot hold missing values",
      );
    }
    const numbers = cells.map(cellNumber);
    const firstText = numbers.findIndex((x) => x === undefined);
    if (firstText < 0) {
      const values = Float64Array.from(numbers as number[]);
      return { kind: "number", name, values, integer: values.every((v) => Number.isInteger(v)) };
    }
    const firstNumber = numbers.findIndex((x) => x !== undefined);
    if (firstNumber >= 0) {
      const [a, b] = [firstNumber, firstText];
      throw new CsvError(
        `${file}:${body[b]!.info.lines}: column '${name}' mixes numbers (${quote(cells[a]!)} on line ${body[a]!.info.lines}) and text (${quote(cells[b]!)}); ` +
          "a column is either all numbers or all text",
      );
    }
    return { kind: "text", name, cells };
  });
  return { columns, rows: body.length };
}
