/**
 * `include "file.dlm"`: reading an included file, the names it defines, and the static check
 * of every file a program includes (for `dlm check`, which reports what `dlm run` would).
 * Paths are relative to the including file. A file that is not .dlm source gives one error at
 * the include statement instead of a syntax error for every line: binary bytes (NUL, invalid
 * UTF-8, control characters), or, without the `.dlm` extension, syntax errors in its first
 * lines (a CSV or JSON file included by mistake; the error names the first of them).
 */
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { lineCol, parse, type Diagnostic, type Program, type Span } from "../grammar/index.js";
import { check } from "./check.js";
import { resolvePath } from "./data-readers.js";
import { DlmError } from "./errors.js";

/** How much of a file the binary and not-.dlm sniffing reads. */
const SNIFF_CHARS = 64 * 1024;
const SNIFF_LINES = 50;

const NOT_DLM_HINT = "include takes .dlm files (definitions and statements); read data with read_csv or read_json";

/** Control characters other than tab, newline, carriage return, form feed and vertical tab. */
function controlCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 11 && c !== 12 && c !== 13) || c === 127) n++;
  }
  return n;
}

/**
 * The text of the file `include "path"` names (`full`, resolved), or a DlmError at `span` when
 * it cannot be read or does not look like .dlm source (see the module comment).
 */
export function readIncludedSource(full: string, path: string, span: Span | undefined): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch {
    throw new DlmError(`cannot read the included file ${full}`, span, "paths are relative to the including file");
  }
  const binary = (): DlmError => new DlmError(`\`include "${path}"\`: ${full} is not a .dlm source file (it holds binary data)`, span, NOT_DLM_HINT);
  if (bytes.subarray(0, SNIFF_CHARS).includes(0)) throw binary();
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw binary();
  }
  const head = text.slice(0, SNIFF_CHARS);
  if (controlCount(head) > Math.max(2, head.length / 100)) throw binary();
  if (extname(full).toLowerCase() !== ".dlm") {
    const firstLines = head.split("\n").slice(0, SNIFF_LINES).join("\n");
    const errors = parse(firstLines, full).diagnostics.filter((d) => d.severity === "error");
    const first = errors[0];
    if (first !== undefined) {
      const { line, col } = lineCol(firstLines, first.span.start);
      const where = `${line}:${col}: ${first.message}`;
      const count = errors.length === 1 ? `a syntax error at ${where}` : `${errors.length} syntax errors in its first lines, the first at ${where}`;
      throw new DlmError(
        `\`include "${path}"\`: ${full} does not look like .dlm source (${count})`,
        span, NOT_DLM_HINT,
      );
    }
  }
  return text;
}

/** Names a file's top level defines: fns, networks, models and assigned variables. */
function topNames(program: Program): string[] {
  return program.body.flatMap((t) => (t.kind === "Fn" || t.kind === "Network" || t.kind === "Model" ? [t.name] : t.kind === "Assign" && t.target.kind === "Name" ? [t.target.name] : []));
}

/**
 * Top-level names an included file defines (for the static check of the including file). A
 * file's own names never come back to it through an include cycle (the cycle is reported when
 * the include runs).
 */
export function includedNames(source: string, file: string, seen = new Set<string>([resolvePath(file, file)])): string[] {
  const out: string[] = [];
  for (const s of parse(source, file).program.body) {
    if (s.kind !== "Include") continue;
    const full = resolvePath(s.path, file);
    if (seen.has(full)) continue;
    seen.add(full);
    let text: string;
    try {
      text = readIncludedSource(full, s.path, s.span);
    } catch {
      continue; // reported when the include runs
    }
    out.push(...topNames(parse(text, full).program));
    out.push(...includedNames(text, full, seen));
  }
  return out;
}

/** A diagnostic with the text of the file it points into (to render it). */
export interface LocatedDiagnostic {
  readonly diagnostic: Diagnostic;
  readonly source: string;
}

const asDiagnostic = (e: DlmError, file: string): Diagnostic => ({
  severity: "error", message: e.message, span: e.span ?? { start: 0, end: 0 }, file, ...(e.hint !== undefined ? { hint: e.hint } : {}),
});

/**
 * The static problems of the files a program includes, recursively, as running it would meet
 * them: a missing, unreadable or non-.dlm file, or an include cycle, at its include statement;
 * each included file's syntax and static errors in that file, checked with the names defined
 * before it runs (the including files' definitions and the variables they assigned before the
 * include). Each file is reported once, however often it is included.
 */
export function includeDiagnostics(program: Program, source: string, file: string, known: Iterable<string> = []): LocatedDiagnostic[] {
  const out: LocatedDiagnostic[] = [];
  const checked = new Set<string>();
  const walk = (prog: Program, text: string, at: string, before: ReadonlySet<string>, chain: readonly string[]): Set<string> => {
    // Definitions are hoisted; variables are known from their assignment on.
    const names = new Set([...before, ...prog.body.flatMap((s) => (s.kind === "Fn" || s.kind === "Network" || s.kind === "Model" ? [s.name] : []))]);
    const self = resolvePath(at, at);
    for (const s of prog.body) {
      if (s.kind === "Assign" && s.target.kind === "Name") names.add(s.target.name);
      if (s.kind !== "Include") continue;
      const full = resolvePath(s.path, at);
      const fail = (e: DlmError): void => void out.push({ diagnostic: asDiagnostic(e, at), source: text });
      if (full === self) {
        fail(new DlmError(`\`include "${s.path}"\` includes the file that contains it`, s.span));
        continue;
      }
      const cycleAt = chain.indexOf(full);
      if (cycleAt >= 0) {
        const cycle = [...chain.slice(cycleAt), full].map((f) => basename(f)).join(" → ");
        fail(new DlmError(`include cycle: ${cycle}`, s.span, "a file may not include, directly or through other files, a file that is including it"));
        continue;
      }
      let included: string;
      try {
        included = readIncludedSource(full, s.path, s.span);
      } catch (e) {
        if (e instanceof DlmError) fail(e);
        else throw e;
        continue;
      }
      const parsed = parse(included, full);
      const syntax = parsed.diagnostics.filter((d) => d.severity === "error");
      const theirs = new Set(includedNames(included, full));
      const first = !checked.has(full);
      checked.add(full);
      if (syntax.length > 0) {
        if (first) for (const d of parsed.diagnostics) out.push({ diagnostic: d, source: included });
        continue;
      }
      if (first) {
        for (const d of check(parsed.program, full, included, [...names, ...theirs])) out.push({ diagnostic: d, source: included });
      }
      const after = walk(parsed.program, included, full, names, [...chain, full]);
      for (const n of [...topNames(parsed.program), ...after, ...theirs]) names.add(n);
    }
    return names;
  };
  walk(program, source, file, new Set(known), [resolvePath(file, file)]);
  return out;
}
