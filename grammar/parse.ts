/**
 * `parse(source, file)`: the front end's one entry point. Never throws on user input:
 * every problem, including pathological input, comes back as a diagnostic.
 */
import type { IToken } from "chevrotain";
import type { Program } from "./ast.js";
import { Incomplete } from "./cst.js";
import { diagnostic, Lines, type Diagnostic } from "./diagnostics.js";
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
 * A file that is not `.dlm` source at all (binary data, or another language: a long run of
 * lines with errors) gets its first few errors and then one diagnostic saying so, and an
 * empty program.
 * @example parse("y ~ Normal(0, 1)", "m.dlm").program.body[0].kind === "Tilde"
 */
export function parse(source: string, file = "<input>"): ParseResult {
  const empty: Program = { kind: "Program", body: [], span: { start: 0, end: source.length } };
  const control = controlCharacters(source);
  if (control > 0) {
    // Binary: only a prefix is parsed, so the time spent does not grow with the file.
    const cut = source.lastIndexOf("\n", BINARY_PREFIX);
    const prefix = source.slice(0, source.length <= BINARY_PREFIX ? source.length : cut > 0 ? cut + 1 : BINARY_PREFIX);
    const { diagnostics } = parseText(prefix, file, false);
    const why = `it contains control characters (${control} in its first ${Math.min(SAMPLE, source.length)} characters), as binary files do`;
    return { program: empty, diagnostics: giveUp(diagnostics, 0, file, why) };
  }
  return parseText(source, file, true);
}

/** Characters of a file's start that decide whether it is binary. */
const SAMPLE = 4096;
/** Characters of a binary file that are parsed for the errors shown before giving up. */
const BINARY_PREFIX = 2048;
/** Errors shown, in a file that is not `.dlm` source, before the diagnostic that says so. */
const ERRORS_BEFORE_GIVING_UP = 3;
/**
 * More than MAX_ERROR_LINES lines with errors, or more than MAX_ERRORS errors (minified code
 * has few lines), within ERROR_WINDOW lines mean the file is not `.dlm` source: a real
 * file's mistakes are far sparser.
 */
const ERROR_WINDOW = 20;
const MAX_ERROR_LINES = 10;
const MAX_ERRORS = 20;

/** Lexical and bracket errors up to which a file is parsed before deciding whether it is `.dlm` source. */
const PARSE_ANYWAY = 500;

/**
 * Control characters other than whitespace (tab, newline, vertical tab, form feed, carriage
 * return) among the first SAMPLE characters, if a NUL or at least 1% of them are; else 0.
 * Text files have none (a stray one is just an unexpected character); binary data has many.
 * U+FFFD (bytes that were not UTF-8) does not count: a Latin-1 file with accents in its
 * comments is still source.
 */
function controlCharacters(source: string): number {
  const sample = source.slice(0, SAMPLE);
  const count = sample.match(/[\u0000-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  return sample.includes("\u0000") || (count >= 4 && count * 100 >= sample.length) ? count : 0;
}

/**
 * The first window of ERROR_WINDOW lines with too many errors (diagnostics in source order),
 * extended while errors follow within a window: its first error's index, its first and last
 * line, and its number of errors.
 */
function errorRun(diagnostics: readonly Diagnostic[], source: string): { first: number; from: number; to: number; errors: number } | undefined {
  const errors = diagnostics.flatMap((d, i) => (d.severity === "error" ? [i] : []));
  if (errors.length <= MAX_ERROR_LINES) return undefined;
  const index = new Lines(source);
  const lines = errors.map((i) => index.line(diagnostics[i]!.span.start));
  // Errors k..n (indices into `errors`) lie within the window of lines that ends at error n's line.
  let k = 0;
  let distinct = 0;
  for (let n = 0; n < errors.length; n++) {
    if (n === 0 || lines[n] !== lines[n - 1]) distinct += 1;
    while (lines[n]! - lines[k]! >= ERROR_WINDOW) {
      if (lines[k + 1] !== lines[k]) distinct -= 1;
      k += 1;
    }
    if (distinct > MAX_ERROR_LINES || n - k + 1 > MAX_ERRORS) {
      let end = n;
      while (end + 1 < errors.length && lines[end + 1]! - lines[end]! <= ERROR_WINDOW) end += 1;
      return { first: errors[k]!, from: lines[k]!, to: lines[end]!, errors: end - k + 1 };
    }
  }
  return undefined;
}

/** The errors before `from`, ERRORS_BEFORE_GIVING_UP from `from` on, then one saying the file is not `.dlm` source. */
function giveUp(diagnostics: readonly Diagnostic[], from: number, file: string, why: string): Diagnostic[] {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const at = errors.indexOf(diagnostics[from]!);
  const shown = errors.slice(0, (at === -1 ? 0 : at) + ERRORS_BEFORE_GIVING_UP);
  const next = errors[shown.length];
  const last = shown[shown.length - 1];
  const span = next?.span ?? (last === undefined ? { start: 0, end: 0 } : { start: last.span.end, end: last.span.end });
  const stopped = next === undefined ? "" : `; stopped after ${shown.length} error${shown.length === 1 ? "" : "s"}`;
  return [
    ...shown,
    diagnostic(file, span, "this does not look like a .dlm file", {
      notes: [{ message: `${why}${stopped}` }],
      hint: "dlm reads model source files: plain text in the dlm language",
    }),
  ];
}

/** `parse` after the check for binary files; `checkRuns`: give up on a long run of lines with errors. */
function parseText(source: string, file: string, checkRuns: boolean): ParseResult {
  const empty: Program = { kind: "Program", body: [], span: { start: 0, end: source.length } };
  const notDlm = (ds: readonly Diagnostic[]): ParseResult | undefined => {
    const run = checkRuns ? errorRun(ds, source) : undefined;
    if (run === undefined) return undefined;
    const why = run.to === run.from ? `${run.errors} errors on line ${run.from}` : `${run.errors} errors between lines ${run.from} and ${run.to}`;
    return { program: empty, diagnostics: giveUp(ds, run.first, file, why) };
  };
  const lexed = lex(source, file);
  // Parsing garbage is slow (every error costs the parser a recovery): with this many lexical
  // and bracket errors already, a run of them is enough to give up.
  const early = lexed.diagnostics.length > PARSE_ANYWAY ? notDlm(sorted(lexed.diagnostics)) : undefined;
  if (early !== undefined) return early;
  if (!lexed.parseable) return { program: empty, diagnostics: sorted(lexed.diagnostics) };
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  try {
    const { csts, errors } = recognize(lexed.tokens);
    diagnostics.push(...syntaxDiagnostics(errors, source, file, lexed));
    const stray = (t: IToken, inBlock: boolean, startsLine: boolean) => strayDiagnostic(t, inBlock, startsLine, file, lexed);
    const recovered = errors.length > 0 || lexed.damaged.size > 0;
    const parsed = toProgram({ file, diagnostics, recovered, damaged: lexed.damaged, stray }, csts, source.length);
    // Nesting depth is bounded by the token count, so short inputs need no check.
    const program = lexed.tokens.length < MAX_AST_DEPTH ? parsed : limitDepth(parsed, file, diagnostics);
    const result = { program, diagnostics: sorted(diagnostics) };
    return notDlm(result.diagnostics) ?? result;
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
