/**
 * Source text → the token stream the parser reads.
 *
 * Layout rule (the only whitespace that matters): a newline ends a statement, except
 *  - inside `(...)` or `[...]`,
 *  - after a token that cannot end an expression (a binary operator, `,`, `=`, `~`, `=>`, `in`, `else`),
 *  - right after `{` or `;` or another newline, at the start and end of the file,
 *  - right before `{`, `}` or `else` (so `}\nelse {` and a `{` on its own line are allowed;
 *    no statement starts with `{`).
 * Dropped newlines never reach the parser, so the grammar sees one `Newline` token per
 * statement break. Lexing errors and unterminated strings become diagnostics here.
 */
import { Lexer, type IToken, type TokenType } from "chevrotain";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import * as T from "./tokens.js";

const lexer = new Lexer([...T.allTokens], { ensureOptimizations: false });

/** Result of lexing: parser tokens, diagnostics, and the openers left unclosed (for hints). */
export interface Lexed {
  readonly tokens: readonly IToken[];
  readonly diagnostics: readonly Diagnostic[];
  /** `(`, `[`, `{` tokens without a matching closer, in source order. */
  readonly unclosed: readonly IToken[];
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

/** Lexes `source` and applies the layout rule. Never throws on any input string. */
export function lex(source: string, file: string): Lexed {
  const result = lexer.tokenize(source);
  const diagnostics: Diagnostic[] = result.errors.map((e) => {
    const text = source.slice(e.offset, e.offset + e.length);
    const first = text[0] ?? "";
    return diagnostic(file, { start: e.offset, end: e.offset + Math.max(1, e.length) }, `unexpected character \`${first}\``, {
      found: `\`${text}\``,
      hint: characterHints[first],
    });
  });
  const tokens: IToken[] = [];
  const stack: IToken[] = [];
  const unclosed: IToken[] = [];
  let pendingNewline: IToken | undefined;
  let parseable = true;
  for (let tok of result.tokens) {
    const type = tok.tokenType;
    if (type === T.Newline) {
      const last = tokens[tokens.length - 1];
      const top = stack[stack.length - 1];
      const inside = top !== undefined && top.tokenType !== T.LBrace;
      if (!inside && last !== undefined && last.tokenType !== T.Semicolon && last.tokenType !== T.LBrace && !continuing.has(last.tokenType)) {
        pendingNewline ??= tok;
      }
      continue;
    }
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
    if (pendingNewline !== undefined) {
      if (type !== T.RBrace && type !== T.Else && type !== T.LBrace) tokens.push(pendingNewline);
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
      closeBracket(stack, unclosed, type);
    }
    tokens.push(tok);
  }
  unclosed.push(...stack);
  unclosed.sort((a, b) => a.startOffset - b.startOffset);
  return { tokens, diagnostics, unclosed, parseable };
}

/** Pops the matching opener; a `}` also closes any `(`/`[` left open inside its braces. */
function closeBracket(stack: IToken[], unclosed: IToken[], closer: TokenType): void {
  const top = stack[stack.length - 1];
  if (top === undefined) return;
  if (openers.get(top.tokenType) === closer) {
    stack.pop();
    return;
  }
  if (closer !== T.RBrace) return; // a stray `)` or `]`: the parser reports it
  const brace = stack.map((t) => t.tokenType).lastIndexOf(T.LBrace);
  if (brace === -1) return;
  unclosed.push(...stack.splice(brace + 1));
  stack.pop();
}
