/**
 * Chevrotain recognition errors → diagnostics that say what was expected, what was found,
 * and where likely, a hint (a misspelled keyword or name). Bracket mistakes are reported
 * before parsing (brackets.ts); errors they cause in the parser are left out here.
 */
import type { IRecognitionException, IToken } from "chevrotain";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import { KNOWN_CALLABLES } from "./known-names.js";
import { needsOperand } from "./brackets.js";
import type { Lexed } from "./lex.js";
import type { ErrorPayload } from "./parser.js";
import { suggest } from "../core/suggest.js";
import { KEYWORDS } from "./tokens.js";

/** Rule name → where the parser was, for "unexpected X in …". */
const places: Readonly<Record<string, string>> = {
  callArguments: "the arguments of a call",
  argument: "the arguments of a call",
  parameters: "a parameter list",
  keywordParameter: "a parameter list",
  indexArguments: "an index",
  indexArgument: "an index",
  arrayLiteral: "an array",
  parenthesized: "parentheses",
  ifStatement: "an `if` statement",
  ifExpression: "an `if` expression",
  braced: "an `if` expression",
  forStatement: "a `for` loop",
  fnDefinition: "an `fn` definition",
  networkDefinition: "a `network` definition",
  modelDefinition: "a `model` definition",
  definitionBody: "a definition",
  includeStatement: "an `include`",
  block: "a block",
};

const listRules = new Set(["callArguments", "arrayLiteral", "parenthesized", "parameters", "indexArguments"]);

const expressionStarts = new Set(["a number", "a string", "a name", "`true`", "`false`", "`missing`", "`[`", "`(`", "`-` or `!`", "`if`"]);

/** How a token is named in a message. */
export function describeToken(t: IToken): string {
  switch (t.tokenType.name) {
    case "EOF": return "end of file";
    case "Newline": return "end of line";
    case "Identifier": return `name \`${t.image}\``;
    case "NumberLiteral": return `number \`${t.image}\``;
    case "StringLiteral": return `string ${t.image}`;
    default: return `\`${t.image}\``;
  }
}

function expectedText(payload: ErrorPayload | undefined): string | undefined {
  if (payload === undefined) return undefined;
  if (payload.kind === "notAllInput") return "a new line, `;` or end of file";
  // Chevrotain names only the closer when a comma-separated list stops early (`f(a b)`).
  if (payload.kind === "mismatch" && listRules.has(payload.rule) && (payload.expected[0] === "`)`" || payload.expected[0] === "`]`")) {
    return `\`,\` or ${payload.expected[0]}`;
  }
  const labels = [...new Set(payload.expected)];
  const exprCount = labels.filter((l) => expressionStarts.has(l)).length;
  const rest = labels.filter((l) => exprCount < 3 || !expressionStarts.has(l));
  if (exprCount >= 3) rest.unshift(payload.rule === "statement" ? "a statement" : "an expression");
  if (payload.rule === "statement" && rest.length > 3) return "a statement";
  if (rest.length === 0) return undefined;
  return rest.length === 1 ? rest[0] : `${rest.slice(0, -1).join(", ")} or ${rest[rest.length - 1]!}`;
}

function parsePayload(message: string): ErrorPayload | undefined {
  try {
    return JSON.parse(message) as ErrorPayload;
  } catch {
    return undefined;
  }
}

/** One diagnostic per recognition error that a bracket or lexical error does not already explain. */
export function syntaxDiagnostics(
  errors: readonly IRecognitionException[],
  source: string,
  file: string,
  lexed: Lexed,
): Diagnostic[] {
  const { tokens } = lexed;
  const lexical = lexed.diagnostics.map((d) => d.span.start);
  // The end of the file is shown where the text ends (after its last token), not on the empty line after it.
  let endOfText = source.length;
  for (let k = tokens.length - 1; k >= 0; k--) {
    const last = tokens[k]!;
    if (last.isInsertedInRecovery === true) continue;
    endOfText = last.startOffset + last.image.length;
    break;
  }
  return errors.flatMap((e) => {
    const t = e.token;
    const atEnd = t.tokenType.name === "EOF" || Number.isNaN(t.startOffset);
    const start = atEnd ? endOfText : t.startOffset;
    if (explained(t, start, lexed)) return [];
    const span = { start, end: atEnd ? start : start + t.image.length };
    const payload = parsePayload(e.message);
    const where = payload === undefined ? undefined : places[payload.rule];
    const found = atEnd ? "end of file" : describeToken(t);
    const at = atEnd ? tokens.length : indexOf(tokens, t.startOffset);
    // A lexical error (stray character, unterminated string) right before this token already explains it.
    const previousStart = tokens[at - 1]?.startOffset ?? 0;
    if (lexical.some((offset) => offset >= previousStart && offset < start)) return [];
    const notAllInput = payload?.kind === "notAllInput";
    const message = `unexpected ${found}${where === undefined || notAllInput ? "" : ` in ${where}`}`;
    return [
      diagnostic(file, span, message, {
        expected: expectedText(payload),
        found,
        hint: hintFor(t, tokens[at - 1], tokens[at - 2]),
      }),
    ];
  });
}

/**
 * The diagnostic for a token that can neither continue the statement before it nor start
 * one (`x = 1 y = 2`, `modl m(x) {`, `} esle {`, a line starting with `)`).
 */
export function strayDiagnostic(t: IToken, inBlock: boolean, startsLine: boolean, file: string, lexed: Lexed): Diagnostic | undefined {
  if (explained(t, t.startOffset, lexed)) return undefined;
  const at = indexOf(lexed.tokens, t.startOffset);
  const found = describeToken(t);
  const expected = (startsLine ? statementForms[t.tokenType.name] ?? "a statement" : undefined) ?? `a new line, \`;\` or ${inBlock ? "`}`" : "end of file"}`;
  return diagnostic(file, { start: t.startOffset, end: t.startOffset + t.image.length }, `unexpected ${found}`, {
    expected,
    found,
    hint: hintFor(t, lexed.tokens[at - 1], lexed.tokens[at - 2]),
  });
}

/** What a statement that starts with a keyword looks like, for a line where it went wrong early (`for in 1:3 {`). */
const statementForms: Readonly<Record<string, string>> = {
  For: "`for name in values { ... }`",
  If: "`if condition { ... }`",
  Fn: "`fn name(parameters) = expression` or `fn name(parameters) { ... }`",
  Network: "`network name(parameters) { ... }`",
  Model: "`model name(parameters) { ... }`",
  Include: '`include "file.dlm"`',
};

/** Whether a bracket error already explains a parser error at `t` (found at `offset`): a made-up or replaced token, or inside an unclosed `(`. */
function explained(t: IToken, offset: number, lexed: Lexed): boolean {
  return t.isInsertedInRecovery === true || lexed.damaged.has(t) || lexed.quiet.some((q) => offset >= q.start && offset < q.end);
}

/** Index of the token starting at `offset` (tokens are sorted by offset). */
function indexOf(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const statementStart = new Set(["Newline", "Semicolon", "LBrace", "RBrace"]);

function keywordHint(tok: IToken | undefined): string | undefined {
  if (tok?.tokenType.name !== "Identifier") return undefined;
  const keyword = suggest(tok.image, KEYWORDS);
  return keyword === undefined ? undefined : `did you mean \`${keyword}\`? (\`${tok.image}\` is not a keyword)`;
}

function nameHint(tok: IToken | undefined): string | undefined {
  if (tok?.tokenType.name !== "Identifier") return undefined;
  const known = suggest(tok.image, KNOWN_CALLABLES);
  return known === undefined ? undefined : `did you mean \`${known}\`?`;
}

/**
 * The likeliest cause, in order: a missing right side (`x =` or `a +` at the end of a line); a name
 * at the start of a statement that is one typo away from a keyword (`modl m(x) {`); the
 * found name near a keyword (`} esle {`); a name near a known function or layer.
 */
function hintFor(t: IToken, previous: IToken | undefined, beforePrevious: IToken | undefined): string | undefined {
  if ((t.tokenType.name === "Newline" || t.tokenType.name === "EOF") && previous !== undefined && needsOperand(previous)) {
    return `\`${previous.image}\` needs ${previous.image === "~" ? "a distribution" : "a value"} on its right`;
  }
  const previousStartsStatement = beforePrevious === undefined || statementStart.has(beforePrevious.tokenType.name);
  const keyword = (previousStartsStatement ? keywordHint(previous) : undefined) ?? keywordHint(t);
  if (keyword !== undefined) return keyword;
  return nameHint(previous) ?? nameHint(t);
}
