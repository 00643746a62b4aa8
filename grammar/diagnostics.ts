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
 *          = note: a remark
 *          = hint: ...
 *     model.dlm:2:1: note: a second place that explains the error
 *        2 | ...
 *          | ^
 *
 * A note with a place is rendered like a diagnostic of severity "note" (so the error still
 * has exactly one `file:line:col: error:` header); a note without one is a `= note:` line.
 */
import type { Span } from "./ast.js";

/** How bad: errors stop a program from running, warnings do not. */
export type Severity = "error" | "warning";

/** More about a diagnostic: a second place that matters (where an unclosed bracket was noticed), or a remark. */
export interface Note {
  readonly message: string;
  readonly span?: Span;
}

/** One located problem. `expected`, `found`, `hint` and `notes` are present where they say something. */
export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly file: string;
  readonly expected?: string;
  readonly found?: string;
  readonly hint?: string;
  readonly notes?: readonly Note[];
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

/** Offsets of line starts, for line numbers and indentation by binary search. */
export class Lines {
  private readonly starts: number[] = [0];
  constructor(private readonly source: string) {
    for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  /** 1-based line and column of `offset`. */
  position(offset: number): { line: number; col: number } {
    const line = this.line(offset);
    return { line, col: offset - this.starts[line - 1]! + 1 };
  }

  /** 1-based line number of `offset`. */
  line(offset: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid;
    }
    return lo + 1;
  }

  /** Number of spaces and tabs that start the line holding `offset`. */
  indent(offset: number): number {
    const start = this.starts[this.line(offset) - 1]!;
    let i = start;
    while (i < this.source.length && (this.source[i] === " " || this.source[i] === "\t")) i += 1;
    return i - start;
  }
}

/** Builds an error diagnostic, leaving out the optional parts that are undefined. */
export function diagnostic(
  file: string,
  span: Span,
  message: string,
  extra: {
    expected?: string | undefined;
    found?: string | undefined;
    hint?: string | undefined;
    notes?: readonly Note[] | undefined;
    severity?: Severity;
  } = {},
): Diagnostic {
  return {
    severity: extra.severity ?? "error",
    message,
    span,
    file,
    ...(extra.expected === undefined ? {} : { expected: extra.expected }),
    ...(extra.found === undefined ? {} : { found: extra.found }),
    ...(extra.hint === undefined ? {} : { hint: extra.hint }),
    ...(extra.notes === undefined || extra.notes.length === 0 ? {} : { notes: extra.notes }),
  };
}

/** Source lines longer than this are shown as a window of this many characters. */
const MAX_SHOWN = 120;
/** Characters shown before the column in a windowed line. */
const CONTEXT = 40;

/**
 * Control characters (other than tab) shown as their Unicode pictures, one for one, so that
 * a binary file's line cannot disturb a terminal and carets still line up.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (c) => String.fromCharCode(c === "\u007f" ? 0x2421 : 0x2400 + c.charCodeAt(0)));
}

/** `file:line:col: severity: message`, the source line, a caret line under the span, then expected/found, notes without a place, the hint, and notes with one. */
export function renderDiagnostic(d: Diagnostic, source: string): string {
  const { lines, pad } = located(d.file, d.severity, d.message, d.span, source);
  if (d.expected !== undefined) lines.push(` ${pad} = expected: ${d.expected}`);
  if (d.found !== undefined) lines.push(` ${pad} = found: ${d.found}`);
  const notes = d.notes ?? [];
  for (const n of notes) if (n.span === undefined) lines.push(` ${pad} = note: ${n.message}`);
  if (d.hint !== undefined) lines.push(` ${pad} = hint: ${d.hint}`);
  for (const n of notes) if (n.span !== undefined) lines.push(...located(d.file, "note", n.message, n.span, source).lines);
  return lines.join("\n");
}

/** The header, source line and caret line for one place; `pad` is the gutter's width in spaces. */
function located(file: string, severity: string, message: string, span: Span, source: string): { lines: string[]; pad: string } {
  const { line, col } = lineCol(source, span.start);
  const lineStart = Math.min(span.start, source.length) - (col - 1);
  const newline = source.indexOf("\n", lineStart);
  const full = source.slice(lineStart, newline === -1 ? source.length : newline).replace(/\r$/, "");
  // Very long lines are shown as a window around the column, marked with `…`.
  const from = full.length > MAX_SHOWN ? Math.max(0, Math.min(col - 1 - CONTEXT, full.length - MAX_SHOWN)) : 0;
  const to = Math.min(full.length, from + MAX_SHOWN);
  const text = `${from > 0 ? "…" : ""}${printable(full.slice(from, to))}${to < full.length ? "…" : ""}`;
  const gutter = String(line);
  const pad = " ".repeat(gutter.length);
  // Keep tabs in the lead-in so the caret lines up under tabbed source.
  const lead = `${from > 0 ? " " : ""}${full.slice(from, col - 1).replace(/[^\t]/g, " ")}`;
  const width = Math.max(1, Math.min(span.end, lineStart + to) - span.start);
  return {
    lines: [`${file}:${line}:${col}: ${severity}: ${message}`, ` ${gutter} | ${text}`, ` ${pad} | ${lead}${"^".repeat(width)}`],
    pad,
  };
}

/** Every diagnostic rendered, in source order, separated by blank lines. */
export function renderDiagnostics(ds: readonly Diagnostic[], source: string): string {
  return [...ds]
    .sort((a, b) => a.span.start - b.span.start)
    .map((d) => renderDiagnostic(d, source))
    .join("\n\n");
}
