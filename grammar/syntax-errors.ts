/**
 * Chevrotain recognition errors → diagnostics that say what was expected, what was found,
 * and where likely, a hint (a misspelled keyword or name, an unclosed bracket).
 */
import type { IRecognitionException, IToken } from "chevrotain";
import { diagnostic, lineCol, type Diagnostic } from "./diagnostics.js";
import { KNOWN_CALLABLES } from "./known-names.js";
import type { ErrorPayload } from "./parser.js";
import { suggest } from "./suggest.js";
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

const expressionStarts = new Set(["a number", "a string", "a name", "`true`", "`false`", "`missing`", "`[`", "`(`", "`-` or `!`", "`if`"]);

/** How a token is named in a message. */
export function describeToken(t: IToken): string {
  switch (t.tokenType.name) {
    case "EOF": return "end of file";
    case "Newline": return "end of line";
    case "Identifier": return `the name \`${t.image}\``;
    case "NumberLiteral": return `the number \`${t.image}\``;
    case "StringLiteral": return `the string ${t.image}`;
    default: return `\`${t.image}\``;
  }
}

function expectedText(payload: ErrorPayload | undefined): string | undefined {
  if (payload === undefined) return undefined;
  if (payload.kind === "notAllInput") return "a new line, `;` or end of file";
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

/** One diagnostic per recognition error; `source` locates the end of file, `unclosed` feeds hints. */
export function syntaxDiagnostics(
  errors: readonly IRecognitionException[],
  source: string,
  file: string,
  unclosed: readonly IToken[],
): Diagnostic[] {
  return errors.map((e) => {
    const t = e.token;
    const atEnd = t.tokenType.name === "EOF" || Number.isNaN(t.startOffset);
    const start = atEnd ? source.length : t.startOffset;
    const span = { start, end: atEnd ? start : start + t.image.length };
    const payload = parsePayload(e.message);
    const where = payload === undefined ? undefined : places[payload.rule];
    const found = atEnd ? "end of file" : describeToken(t);
    const previous = (e as { previousToken?: IToken }).previousToken;
    const notAllInput = payload?.kind === "notAllInput";
    const message = `unexpected ${found}${where === undefined || notAllInput ? "" : ` in ${where}`}`;
    return diagnostic(file, span, message, {
      expected: expectedText(payload),
      found,
      hint: hintFor(t, previous, source, unclosed, notAllInput),
    });
  });
}

function hintFor(t: IToken, previous: IToken | undefined, source: string, unclosed: readonly IToken[], notAllInput: boolean): string | undefined {
  const misspelled = (tok: IToken | undefined): string | undefined => {
    if (tok?.tokenType.name !== "Identifier") return undefined;
    const keyword = suggest(tok.image, KEYWORDS);
    if (keyword !== undefined) return `did you mean \`${keyword}\`? (\`${tok.image}\` is not a keyword)`;
    const known = suggest(tok.image, KNOWN_CALLABLES);
    return known === undefined ? undefined : `did you mean \`${known}\`?`;
  };
  const open = unclosed.filter((u) => u.startOffset < t.startOffset || Number.isNaN(t.startOffset)).pop();
  if (open !== undefined && t.tokenType.name !== "Identifier") {
    const { line, col } = lineCol(source, open.startOffset);
    return `the \`${open.image}\` at line ${line}, column ${col} is never closed`;
  }
  if (notAllInput && (t.image === ")" || t.image === "]" || t.image === "}")) return `this \`${t.image}\` has no matching opening bracket`;
  return misspelled(previous) ?? misspelled(t) ?? (open === undefined ? undefined : `the \`${open.image}\` at line ${lineCol(source, open.startOffset).line}, column ${lineCol(source, open.startOffset).col} is never closed`);
}
