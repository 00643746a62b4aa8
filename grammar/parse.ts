/**
 * `parse(source, file)`: the front end's one entry point. Never throws on user input:
 * every problem, including pathological input, comes back as a diagnostic.
 */
import type { IToken } from "chevrotain";
import type { Program } from "./ast.js";
import { Incomplete } from "./cst.js";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import { lex } from "./lex.js";
import { recognize } from "./parser.js";
import { strayDiagnostic, syntaxDiagnostics } from "./syntax-errors.js";
import { toProgram } from "./to-ast.js";

/** What `parse` returns: the program (statements with errors left out) and every diagnostic, in source order. */
export interface ParseResult {
  readonly program: Program;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parses a `.dlm` file. `program` always exists; when `diagnostics` holds errors it
 * contains only the statements that parsed cleanly (so tools can still offer outlines).
 * @example parse("y ~ Normal(0, 1)", "m.dlm").program.body[0].kind === "Tilde"
 */
export function parse(source: string, file = "<input>"): ParseResult {
  const empty: Program = { kind: "Program", body: [], span: { start: 0, end: source.length } };
  const lexed = lex(source, file);
  if (!lexed.parseable) return { program: empty, diagnostics: lexed.diagnostics };
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  try {
    const { csts, errors } = recognize(lexed.tokens);
    diagnostics.push(...syntaxDiagnostics(errors, source, file, lexed));
    const stray = (t: IToken, inBlock: boolean, startsLine: boolean) => strayDiagnostic(t, inBlock, startsLine, source, file, lexed);
    const program = toProgram({ file, diagnostics, stray }, csts, source.length);
    return { program, diagnostics: sorted(diagnostics) };
  } catch (e) {
    if (e instanceof RangeError || e instanceof Incomplete) {
      // Recursion limits: an expression nested thousands of levels deep (`- - - … x`, `a^a^…`).
      diagnostics.push(diagnostic(file, { start: 0, end: Math.min(1, source.length) }, "expression nested too deeply to parse", {
        hint: "split it into named parts",
      }));
      return { program: empty, diagnostics: sorted(diagnostics) };
    }
    throw e;
  }
}

function sorted(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}
