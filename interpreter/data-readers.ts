/**
 * Data readers for scripts: `read_csv` gives a table (a record whose fields are the columns,
 * plus the whole numeric matrix for `d[:, 1:2]`, `nrows(d)`); `read_json` reads plain JSON and
 * Stan-style JSON data (an object of numbers and nested arrays). Text columns of a CSV become
 * 1-based category codes in sorted order of their distinct values; csv-table.ts says what a
 * CSV may hold (missing cells and mixed columns are errors).
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/ast.js";
import { CsvError, parseCsvTable } from "./csv-table.js";
import { DlmError } from "./errors.js";
import { num, tensor, type Value } from "./value.js";

/** A path relative to the script's folder. */
export function resolvePath(path: string, scriptFile: string): string {
  return isAbsolute(path) ? path : resolve(dirname(scriptFile), path);
}

function readText(path: string, span: Span): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new DlmError(`cannot read the file ${path}`, span, "paths are relative to the script's folder");
  }
}

/** Parse CSV text (header row first) into a table value; text columns become category codes. */
export function parseCsv(text: string, what: string, span: Span): Value {
  let table;
  try {
    table = parseCsvTable(text, what);
  } catch (e) {
    if (e instanceof CsvError) throw new DlmError(e.message, span);
    throw e;
  }
  const n = table.rows;
  const columns = table.columns.map((c) => {
    if (c.kind === "number") return c.values;
    const levels = [...new Set(c.cells)].sort();
    const code = new Map(levels.map((l, i) => [l, i + 1]));
    return Float64Array.from(c.cells, (s) => code.get(s)!);
  });
  const width = columns.length;
  const matrix = new Float32Array(n * width);
  columns.forEach((c, j) => c.forEach((v, i) => (matrix[i * width + j] = v)));
  const fields = new Map<string, Value>();
  table.columns.forEach((c, j) => fields.set(c.name, tensor(tf.tensor1d(Float32Array.from(columns[j]!)), false)));
  fields.set("__matrix", tensor(tf.tensor2d(matrix, [n, width]), false));
  fields.set("__names", { kind: "list", items: table.columns.map((c) => ({ kind: "str", v: c.name })) });
  return { kind: "record", tag: "table", fields };
}

export function readCsv(path: string, scriptFile: string, span: Span): Value {
  const full = resolvePath(path, scriptFile);
  return parseCsv(readText(full, span), path, span);
}

function fromJson(v: unknown, where: string, span: Span): Value {
  if (typeof v === "number") return num(v);
  if (typeof v === "boolean") return { kind: "bool", v };
  if (typeof v === "string") return { kind: "str", v };
  if (Array.isArray(v)) {
    try {
      return tensor(tf.tensor(v as number[]), false);
    } catch {
      return { kind: "list", items: v.map((x, i) => fromJson(x, `${where}[${i + 1}]`, span)) };
    }
  }
  if (typeof v === "object" && v !== null) {
    return { kind: "record", tag: "data record", fields: new Map(Object.entries(v).map(([k, x]) => [k, fromJson(x, `${where}.${k}`, span)])) };
  }
  throw new DlmError(`${where}: unsupported JSON value`, span);
}

export function readJson(path: string, scriptFile: string, span: Span): Value {
  const text = readText(resolvePath(path, scriptFile), span);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DlmError(`${path} is not valid JSON: ${(e as Error).message}`, span);
  }
  return fromJson(parsed, path, span);
}
