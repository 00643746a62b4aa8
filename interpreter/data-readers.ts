/**
 * Data readers for scripts: `read_csv` gives a table (a record whose fields are the columns,
 * plus the whole numeric matrix for `d[:, 1:2]`, `nrows(d)`); `read_json` reads plain JSON and
 * Stan-style JSON data (an object of numbers and nested arrays). Text columns of a CSV become
 * 1-based category codes in sorted order of their distinct values.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/ast.js";
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

function splitLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { out.push(cur); cur = ""; }
    else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/** Parse CSV text (header row first) into a table value. */
export function parseCsv(text: string, what: string, span: Span): Value {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("#"));
  if (lines.length < 2) throw new DlmError(`${what} has no data rows`, span);
  const header = splitLine(lines[0]!);
  const rows = lines.slice(1).map(splitLine);
  rows.forEach((r, i) => {
    if (r.length !== header.length) throw new DlmError(`${what}, line ${i + 2}: ${r.length} fields but the header has ${header.length}`, span);
  });
  const columns = header.map((_, j) => {
    const raw = rows.map((r) => r[j]!);
    const nums = raw.map(Number);
    if (nums.every((x, i) => Number.isFinite(x) && raw[i] !== "")) return nums;
    const levels = [...new Set(raw)].sort();
    return raw.map((s) => levels.indexOf(s) + 1);
  });
  const n = rows.length;
  const matrix = new Float32Array(n * header.length);
  columns.forEach((c, j) => c.forEach((v, i) => (matrix[i * header.length + j] = v)));
  const fields = new Map<string, Value>();
  header.forEach((h, j) => fields.set(h, tensor(tf.tensor1d(columns[j]!), false)));
  fields.set("__matrix", tensor(tf.tensor2d(matrix, [n, header.length]), false));
  fields.set("__names", { kind: "list", items: header.map((h) => ({ kind: "str", v: h })) });
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
