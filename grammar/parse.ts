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
    const parsed = toProgram({ file, diagnostics, recovered: errors.length > 0, stray }, csts, source.length);
    // Nesting depth is bounded by the token count, so short inputs need no check.
    const program = lexed.tokens.length < MAX_AST_DEPTH ? parsed : limitDepth(parsed, file, diagnostics);
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

/**
 * Statements whose tree is deeper than this are reported and left out, so that every
 * recursive walker (printer, interpreter) is safe on any AST that `parse` returns.
 */
export const MAX_AST_DEPTH = 1000;

function limitDepth(program: Program, file: string, diagnostics: Diagnostic[]): Program {
  const body = program.body.filter((stmt) => {
    if (depth(stmt) <= MAX_AST_DEPTH) return true;
    diagnostics.push(diagnostic(file, stmt.span, `statement nested more than ${MAX_AST_DEPTH} levels deep`, { hint: "split it into named parts" }));
    return false;
  });
  return body.length === program.body.length ? program : { ...program, body };
}

/** Depth of the object tree under `root`, walked with an explicit stack (no recursion). */
function depth(root: object): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, d] = item;
    if (typeof value !== "object" || value === null) continue;
    if (d > max) max = d;
    if (max > MAX_AST_DEPTH) return max;
    for (const child of Object.values(value)) if (typeof child === "object" && child !== null) stack.push([child, d + 1]);
  }
  return max;
}

function sorted(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}
