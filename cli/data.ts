/**
 * Data files for `dlm sample`, `dlm vi` and `dlm train`: Stan-style JSON (CmdStan's format:
 * keys are the model's argument names, arrays nested row-major, integers stay integers,
 * "inf"/"-inf"/"NaN" strings allowed as CmdStan allows them) or CSV (one vector per column,
 * named by the header row). See CmdStan guide, "JSON format for CmdStan".
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { CsvError, parseCsvTable, specialNumber } from "../interpreter/csv-table.js";
import { fileErrorMessage, UserError } from "./errors.js";

/**
 * One data value: a rectangular array of numbers, `values` row-major with `shape`
 * (`[]` for a scalar). `integer` is true when every entry was written as an integer.
 */
export interface DataArray {
  readonly shape: readonly number[];
  readonly values: Float64Array;
  readonly integer: boolean;
}

export type DataRecord = ReadonlyMap<string, DataArray>;

/** Converts one JSON value to a `DataArray`, or throws a UserError naming the key and the place. */
export function fromJsonValue(name: string, v: unknown): DataArray {
  const shape: number[] = [];
  const values: number[] = [];
  let integer = true;
  // The first element at each depth fixes the extent there; every other element must match.
  const walk = (x: unknown, depth: number, where: string): void => {
    if (Array.isArray(x)) {
      if (depth === shape.length) {
        if (depth > 0 && values.length > 0) throw new UserError(`'${where}' is an array where a number was expected (arrays must be rectangular)`);
        shape.push(x.length);
      } else if (depth > shape.length || shape[depth] !== x.length) {
        throw new UserError(`'${where}' has ${x.length} entries, expected ${shape[depth] ?? "a number"} (arrays must be rectangular)`);
      }
      x.forEach((e, i) => walk(e, depth + 1, `${where}[${i + 1}]`));
      return;
    }
    if (depth < shape.length) throw new UserError(`'${where}' is a number where an array of ${shape[depth]} was expected (arrays must be rectangular)`);
    if (shape.length === 0 && depth > 0) throw new UserError(`'${where}' is not rectangular`);
    let n: number;
    if (typeof x === "number") n = x;
    else if (typeof x === "boolean") n = x ? 1 : 0;
    else if (typeof x === "string" && specialNumber(x) !== undefined) n = specialNumber(x)!;
    else throw new UserError(`'${where}' is ${describe(x)}, expected a number`);
    if (!Number.isInteger(n)) integer = false;
    values.push(n);
  };
  walk(v, 0, name);
  // An empty array nested deeper (`[[], []]`) leaves the inner extent fixed at 0: fine.
  return { shape, values: Float64Array.from(values), integer };
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "string") return `the string ${JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}…` : x)}`;
  if (typeof x === "object") return "an object";
  return `a ${typeof x}`;
}

/** Parses Stan-style JSON text (`file` names it in messages). */
export function parseJsonData(text: string, file: string): DataRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    // V8 gives no position for an unexpected token (it quotes the text around it instead).
    const offset = pos ? Number(pos[1]) : jsonErrorOffset(text);
    const where = offset >= 0 ? `:${lineColOf(text, offset)}` : "";
    const what = msg.replace(/^JSON\.parse: /, "").replace(/ in JSON at position \d+.*$/s, "").replace(/, (\.\.\.)?"[\s\S]*" is not valid JSON$/, "").replace(/\s+/g, " ");
    throw new UserError(`${file}${where}: malformed JSON: ${what}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new UserError(`${file}: the data must be a JSON object whose keys are the model's arguments`);
  const out = new Map<string, DataArray>();
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    try {
      out.set(k, fromJsonValue(k, v));
    } catch (e) {
      throw e instanceof UserError ? new UserError(`${file}: ${e.message}`) : e;
    }
  }
  return out;
}

/** The offset of the first character that makes `s` invalid JSON (-1 when none is found). */
function jsonErrorOffset(s: string): number {
  let i = 0;
  const num = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const ws = (): void => {
    while (i < s.length && " \t\n\r".includes(s[i]!)) i++;
  };
  const str = (): void => {
    for (i++; i < s.length; i++) {
      if (s[i] === '"') return void i++;
      if (s[i] === "\\") i++;
      else if (s[i]! < " ") throw i;
    }
    throw i;
  };
  const value = (): void => {
    ws();
    const open = s[i];
    if (open === "{" || open === "[") {
      const close = open === "{" ? "}" : "]";
      i++;
      ws();
      if (s[i] === close) return void i++;
      for (;;) {
        if (open === "{") {
          ws();
          if (s[i] !== '"') throw i;
          str();
          ws();
          if (s[i] !== ":") throw i;
          i++;
        }
        value();
        ws();
        if (s[i] === ",") i++;
        else if (s[i] === close) return void i++;
        else throw i;
      }
    }
    if (open === '"') return str();
    const lit = ["true", "false", "null"].find((l) => s.startsWith(l, i));
    if (lit !== undefined) return void (i += lit.length);
    num.lastIndex = i;
    if (!num.test(s)) throw i;
    i = num.lastIndex;
  };
  try {
    value();
    ws();
    return i < s.length ? i : -1;
  } catch (e) {
    return typeof e === "number" ? Math.min(e, s.length) : -1;
  }
}

function lineColOf(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `${line}:${offset - before.lastIndexOf("\n")}`;
}

/** Parses CSV text with a header row: each column becomes a vector named by its header. */
export function parseCsvData(text: string, file: string): DataRecord {
  let table;
  try {
    table = parseCsvTable(text, file);
  } catch (e) {
    throw e instanceof CsvError ? new UserError(e.message) : e;
  }
  const out = new Map<string, DataArray>();
  for (const c of table.columns) {
    if (c.kind === "text") {
      throw new UserError(`${file}: column '${c.name}' holds text (${JSON.stringify(c.cells[0])} in the first row), expected numbers`);
    }
    out.set(c.name, { shape: [table.rows], values: c.values, integer: c.integer });
  }
  return out;
}

/** Reads a data file: `.csv` as CSV, anything else as JSON. */
export async function loadData(path: string): Promise<DataRecord> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new UserError(fileErrorMessage(path, e));
  }
  return extname(path).toLowerCase() === ".csv" ? parseCsvData(text, path) : parseJsonData(text, path);
}

/** The nested-array form of a `DataArray` (a number for a scalar). */
export function toNested(d: DataArray): number | unknown[] {
  if (d.shape.length === 0) return d.values[0]!;
  const build = (axis: number, offset: number, stride: number): unknown[] => {
    const n = d.shape[axis]!;
    const inner = stride / Math.max(n, 1);
    return Array.from({ length: n }, (_, i) =>
      axis === d.shape.length - 1 ? d.values[offset + i]! : build(axis + 1, offset + i * inner, inner),
    );
  };
  return build(0, 0, d.values.length);
}
