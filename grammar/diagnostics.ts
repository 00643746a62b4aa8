/**
 * Diagnostics as values: the front end reports problems, it never throws on user input.
 *
 * Rendered form (one block per diagnostic):
 *
 *     model.dlm:3:18: error: unexpected `)` in the arguments of a call
 *        3 |   y ~ Normal(mu, )
 *          |                  ^
 *          = expected: an expression
 *          = found: `)`
 *          = hint: ...
 */
import type { Span } from "./ast.js";

/** How bad: errors stop a program from running, warnings do not. */
export type Severity = "error" | "warning";

/** One located problem. `expected`, `found` and `hint` are present where they say something. */
export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly file: string;
  readonly expected?: string;
  readonly found?: string;
  readonly hint?: string;
}

/** A 1-based line and column (column counted in UTF-16 code units). */
export interface LineCol {
  readonly line: number;
  readonly col: number;
}

/** Line and column of `offset` in `source`, both 1-based; offsets past the end clamp to it. */
export function lineCol(source: string, offset: number): LineCol {
  const at = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf("\n"); i !== -1 && i < at; i = source.indexOf("\n", i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, col: at - lineStart + 1 };
}

/** Builds an error diagnostic, leaving out the optional parts that are undefined. */
export function diagnostic(
  file: string,
  span: Span,
  message: string,
  extra: { expected?: string | undefined; found?: string | undefined; hint?: string | undefined; severity?: Severity } = {},
): Diagnostic {
  return {
    severity: extra.severity ?? "error",
    message,
    span,
    file,
    ...(extra.expected === undefined ? {} : { expected: extra.expected }),
    ...(extra.found === undefined ? {} : { found: extra.found }),
    ...(extra.hint === undefined ? {} : { hint: extra.hint }),
  };
}

/** Source lines longer than this are shown as a window of this many characters. */
const MAX_SHOWN = 120;
/** Characters shown before the column in a windowed line. */
const CONTEXT = 40;

/** `file:line:col: severity: message`, the source line, a caret line under the span, then expected/found/hint. */
export function renderDiagnostic(d: Diagnostic, source: string): string {
  const { line, col } = lineCol(source, d.span.start);
  const lineStart = d.span.start - (col - 1);
  const newline = source.indexOf("\n", lineStart);
  const full = source.slice(lineStart, newline === -1 ? source.length : newline).replace(/\r$/, "");
  // Very long lines are shown as a window around the column, marked with `…`.
  const from = full.length > MAX_SHOWN ? Math.max(0, Math.min(col - 1 - CONTEXT, full.length - MAX_SHOWN)) : 0;
  const to = Math.min(full.length, from + MAX_SHOWN);
  const text = `${from > 0 ? "…" : ""}${full.slice(from, to)}${to < full.length ? "…" : ""}`;
  const gutter = String(line);
  const pad = " ".repeat(gutter.length);
  // Keep tabs in the lead-in so the caret lines up under tabbed source.
  const lead = `${from > 0 ? " " : ""}${full.slice(from, col - 1).replace(/[^\t]/g, " ")}`;
  const width = Math.max(1, Math.min(d.span.end, lineStart + to) - d.span.start);
  const lines = [
    `${d.file}:${line}:${col}: ${d.severity}: ${d.message}`,
    ` ${gutter} | ${text}`,
    ` ${pad} | ${lead}${"^".repeat(width)}`,
  ];
  if (d.expected !== undefined) lines.push(` ${pad} = expected: ${d.expected}`);
  if (d.found !== undefined) lines.push(` ${pad} = found: ${d.found}`);
  if (d.hint !== undefined) lines.push(` ${pad} = hint: ${d.hint}`);
  return lines.join("\n");
}

/** Every diagnostic rendered, in source order, separated by blank lines. */
export function renderDiagnostics(ds: readonly Diagnostic[], source: string): string {
  return [...ds]
    .sort((a, b) => a.span.start - b.span.start)
    .map((d) => renderDiagnostic(d, source))
    .join("\n\n");
}
