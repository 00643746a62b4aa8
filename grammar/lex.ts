/**
 * Source text → the token stream the parser reads.
 *
 * Layout rule (the only whitespace that matters): a newline ends a statement, except
 *  - inside `(...)` or `[...]`,
 *  - after a token that cannot end an expression (a binary operator, `,`, `=`, `~`, `=>`, `in`, `else`),
 *  - right after `{` or `;` or another newline, at the start and end of the file,
 *  - right before `{`, `}` or `else` (so `}\nelse {` and a `{` on its own line are allowed;
 *    no statement starts with `{`).
 * A newline after such a continuing token is kept all the same when the next line plainly
 * starts a statement (`x =` then `y = 2`, or `model ...`) or is a `}`: the statement is
 * incomplete, and the error belongs at the end of its line. Such a line can never continue
 * a statement.
 * Dropped newlines never reach the parser, so the grammar sees one `Newline` token per
 * statement break. Lexing errors and unterminated strings become diagnostics here, and
 * brackets are balanced first (brackets.ts), so the parser always sees matched brackets.
 */
import type { ILexingError, IToken, TokenType } from "chevrotain";
import { Lexer } from "./chevrotain.js";
import type { Span } from "./ast.js";
import { assigns, balance, statementKeywords } from "./brackets.js";
import { diagnostic, printable, type Diagnostic } from "./diagnostics.js";
import * as T from "./tokens.js";

const lexer = new Lexer([...T.allTokens], { ensureOptimizations: false });

/** Result of lexing: parser tokens (brackets balanced), diagnostics, and what the bracket repair touched. */
export interface Lexed {
  readonly tokens: readonly IToken[];
  readonly diagnostics: readonly Diagnostic[];
  /** Tokens the bracket repair made up or replaced (or that precede a dropped one): their statements are left out. */
  readonly damaged: ReadonlySet<IToken>;
  /** Source ranges where parser errors only repeat a reported bracket error. */
  readonly quiet: readonly Span[];
  /** False when the input cannot be parsed at all (nesting beyond MAX_NESTING). */
  readonly parseable: boolean;
}

/** Brackets nested deeper than this are reported instead of parsed (keeps recursion bounded). */
export const MAX_NESTING = 200;

const continuing: ReadonlySet<TokenType> = new Set([
  T.Arrow, T.AndAnd, T.OrOr, T.Caret, T.Tilde, T.Comma, T.Colon, T.Dot, T.In, T.Else,
  T.EqEq, T.NotEq, T.LessEq, T.GreaterEq, T.Less, T.Greater,
  T.PlusEq, T.MinusEq, T.StarEq, T.SlashEq, T.Equals,
  T.Plus, T.Minus, T.Star, T.Slash, T.At, T.Percent, T.Bang,
]);
const openers: ReadonlyMap<TokenType, TokenType> = new Map([
  [T.LParen, T.RParen],
  [T.LBracket, T.RBracket],
  [T.LBrace, T.RBrace],
]);
const closers: ReadonlySet<TokenType> = new Set([T.RParen, T.RBracket, T.RBrace]);

const characterHints: Readonly<Record<string, string>> = {
  "&": "logical and is written `&&`",
  "|": "logical or is written `||`",
  "`": "names need no quoting",
};

/**
 * Lexing errors, with each pair of backquotes around a name on one line (`` `x` ``) made
 * into one diagnostic: one mistake, not two stray characters.
 */
function quotedNames(errors: readonly ILexingError[], source: string, file: string): (ILexingError | Diagnostic)[] {
  const out: (ILexingError | Diagnostic)[] = [];
  for (let k = 0; k < errors.length; k++) {
    const e = errors[k]!;
    const next = errors[k + 1];
    const isQuote = (x: ILexingError | undefined) => x !== undefined && x.length === 1 && source[x.offset] === "`";
    const name = next === undefined ? "" : source.slice(e.offset + 1, next.offset);
    if (isQuote(e) && isQuote(next) && /^[^\s`]+$/.test(name)) {
      out.push(diagnostic(file, { start: e.offset, end: next!.offset + 1 }, "names are not quoted", { hint: `write ${name} without the backquotes` }));
      k += 1;
    } else out.push(e);
  }
  return out;
}

/** Lexes `source`, balances brackets and applies the layout rule. Never throws on any input string. */
export function lex(source: string, file: string): Lexed {
  const result = lexer.tokenize(source);
  const diagnostics: Diagnostic[] = quotedNames(result.errors, source, file).map((e) => {
    if ("severity" in e) return e;
    const text = source.slice(e.offset, e.offset + e.length);
    const first = text[0] ?? "";
    const shown = /[\u0000-\u001f\u007f]/.test(first) ? `U+${first.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}` : `\`${first}\``;
    return diagnostic(file, { start: e.offset, end: e.offset + Math.max(1, e.length) }, `unexpected character ${shown}`, {
      found: `\`${printable(text.length > 40 ? `${text.slice(0, 40)}…` : text)}\``,
      hint: characterHints[first],
    });
  });
  const raw: IToken[] = [];
  for (let tok of result.tokens) {
    const type = tok.tokenType;
    if (type === T.UnterminatedString) {
      diagnostics.push(
        diagnostic(file, { start: tok.startOffset, end: tok.startOffset + tok.image.length }, "unterminated string", {
          expected: 'a closing `"` on the same line',
          found: "end of line",
        }),
      );
      tok = { ...tok, tokenType: T.StringLiteral, tokenTypeIdx: T.StringLiteral.tokenTypeIdx!, payload: "unterminated" };
    }
    if (type === T.SingleQuotedString) {
      diagnostics.push(
        diagnostic(file, { start: tok.startOffset, end: tok.startOffset + tok.image.length }, "strings are written in double quotes", {
          found: tok.image,
          hint: `write "${tok.image.slice(1, tok.image.endsWith("'") && tok.image.length > 1 ? -1 : undefined)}"`,
        }),
      );
      tok = { ...tok, tokenType: T.StringLiteral, tokenTypeIdx: T.StringLiteral.tokenTypeIdx!, payload: tok.image.endsWith("'") && tok.image.length > 1 ? "closed" : "unterminated" };
    }
    raw.push(tok);
  }
  const balanced = balance(raw, source, file);
  diagnostics.push(...balanced.diagnostics);
  const { tokens, parseable } = layout(balanced.tokens, file, diagnostics);
  return { tokens, diagnostics, damaged: balanced.damaged, quiet: balanced.quiet, parseable };
}

/** Drops the newlines that do not end a statement (rule above); reports nesting beyond MAX_NESTING. */
function layout(input: readonly IToken[], file: string, diagnostics: Diagnostic[]): { tokens: IToken[]; parseable: boolean } {
  const tokens: IToken[] = [];
  const stack: IToken[] = [];
  let pendingNewline: IToken | undefined;
  let parseable = true;
  for (let i = 0; i < input.length; i++) {
    const tok = input[i]!;
    const type = tok.tokenType;
    if (type === T.Newline) {
      const last = tokens[tokens.length - 1];
      const top = stack[stack.length - 1];
      const inside = top !== undefined && top.tokenType !== T.LBrace;
      if (!inside && last !== undefined && last.tokenType !== T.Semicolon && last.tokenType !== T.LBrace) {
        if (!continuing.has(last.tokenType) || startsNewStatement(input, i + 1) || nextToken(input, i + 1)?.tokenType === T.RBrace) pendingNewline ??= tok;
      }
      continue;
    }
    if (pendingNewline !== undefined) {
      // `x = 1 +` then `}`: the statement is incomplete at the end of its line, and is reported there.
      const incomplete = continuing.has(tokens[tokens.length - 1]!.tokenType);
      if ((type !== T.RBrace || incomplete) && type !== T.Else && type !== T.LBrace) tokens.push(pendingNewline);
      pendingNewline = undefined;
    }
    if (openers.has(type)) {
      stack.push(tok);
      if (stack.length > MAX_NESTING && parseable) {
        parseable = false;
        diagnostics.push(
          diagnostic(file, { start: tok.startOffset, end: tok.startOffset + 1 }, `brackets nested more than ${MAX_NESTING} deep`, {
            hint: "split the expression into named parts",
          }),
        );
      }
    } else if (closers.has(type)) {
      stack.pop();
    }
    tokens.push(tok);
  }
  return { tokens, parseable };
}

/** The first token from `input[i]` on that is not a newline. */
function nextToken(input: readonly IToken[], i: number): IToken | undefined {
  let j = i;
  while (input[j]?.tokenType === T.Newline) j += 1;
  return input[j];
}

/** Whether the line starting at `input[i]` (after any blank lines) starts a statement that no expression can continue into. */
function startsNewStatement(input: readonly IToken[], i: number): boolean {
  let j = i;
  while (input[j]?.tokenType === T.Newline) j += 1;
  const first = input[j];
  if (first === undefined) return false;
  if (statementKeywords.has(first.tokenType)) return true;
  const second = input[j + 1];
  return first.tokenType === T.Identifier && second !== undefined && assigns(second);
}
