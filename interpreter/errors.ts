/**
 * User-facing errors of the interpreter. Every mistake a `.dlm` user can make becomes a
 * `DlmError` with the span of the offending source, rendered like a syntax error by
 * grammar's `renderDiagnostic` (file:line:col, the line, a caret, a hint).
 */
import type { Span } from "../grammar/ast.js";

/** A located user error: `message` says what went wrong, `hint` how to fix it. */
export class DlmError extends Error {
  override readonly name = "DlmError";
  constructor(
    message: string,
    readonly span: Span | undefined,
    readonly hint?: string,
    /** The file the span points into, when it differs from the script being run. */
    readonly file?: string,
    /** That file's text (an included file, or an earlier REPL input). */
    readonly source?: string,
  ) {
    super(message);
  }
}

/** Throw a DlmError (for use in expression position). */
export function fail(span: Span | undefined, message: string, hint?: string): never {
  throw new DlmError(message, span, hint);
}

/** Attach a span to an error thrown by a library (DistributionError, ShapeError, ...). */
export function locate(e: unknown, span: Span, prefix = ""): DlmError {
  if (e instanceof DlmError) return e.span === undefined ? new DlmError(e.message, span, e.hint) : e;
  const message = e instanceof Error ? e.message : String(e);
  // The argument binder's errors (core/bind.ts) carry a hint of their own.
  const hint = e instanceof Error && "hint" in e && typeof e.hint === "string" ? e.hint : undefined;
  return new DlmError(prefix + message, span, hint);
}
