/**
 * Tokens of the `.dlm` language (Chevrotain token types).
 *
 * Order matters: Chevrotain tries patterns in list order and takes the first match, so
 * longer operators (`=>`, `==`, `+=`) precede their prefixes, and keywords carry
 * `longer_alt: Identifier` so that `model_x` stays one name.
 * Every token has a LABEL: the text a diagnostic shows for it.
 */
import type { TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.js";

/**
 * Every token that is not a statement boundary (newline, `;`, braces): what error recovery
 * skips when a line goes on after a complete statement (`x = 1 y = 2`, `modl m(x) {`).
 */
export const Stray = createToken({ name: "Stray", pattern: Lexer.NA, label: "a token" });

/** Names: ASCII letters, digits, `_`, plus Greek letters (`σ`, `μ`) as statisticians write them. */
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_\u0391-\u03a9\u03b1-\u03c9][A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9]*/,
  categories: [Stray],
  label: "a name",
});

/** Every reserved word; the category lets the parser and diagnostics treat them alike. */
export const Keyword = createToken({ name: "Keyword", pattern: Lexer.NA });

const keyword = (word: string): TokenType =>
  createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Keyword, Stray],
    label: `\`${word}\``,
  });

export const Fn = keyword("fn");
export const Network = keyword("network");
export const Model = keyword("model");
export const If = keyword("if");
export const Else = keyword("else");
export const For = keyword("for");
export const In = keyword("in");
export const Return = keyword("return");
export const Include = keyword("include");
export const True = keyword("true");
export const False = keyword("false");
export const Missing = keyword("missing");

/** The reserved words of the language, in the order a reference would list them. */
export const KEYWORDS: readonly string[] = [
  "fn", "network", "model", "if", "else", "for", "in", "return", "include", "true", "false", "missing",
];

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: Lexer.SKIPPED });
export const Newline = createToken({ name: "Newline", pattern: /\n/, label: "end of line", line_breaks: true });

/** `1`, `1.5`, `1e-3`, `2.5E+4`. No leading or trailing dot, so `x[1].w` and `1:N` lex plainly. */
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/, categories: [Stray], label: "a number" });
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n]|\\.)*"/, categories: [Stray], label: "a string" });
/** A string whose closing quote is missing on its line: lexed so that the error is named precisely. */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n]|\\.)*\\?/, label: "an unterminated string" });

/** A single-quoted string: not the language's syntax, lexed so the error can say so once. */
export const SingleQuotedString = createToken({ name: "SingleQuotedString", pattern: /'(?:[^'\\\n]|\\.)*'?/, label: "a single-quoted string" });

const punct = (name: string, text: string, categories: TokenType[] = []): TokenType =>
  createToken({
    name,
    pattern: new RegExp(text.replace(/[.*+?^$|()[\]{}\\/]/g, "\\$&")),
    label: `\`${text}\``,
    categories: [";", "{", "}"].includes(text) ? categories : [...categories, Stray],
  });

/** Every binary operator (the `expression` rule is flat; to-ast.ts applies precedence). */
export const BinaryOperator = createToken({ name: "BinaryOperator", pattern: Lexer.NA, label: "an operator" });

/** Categories that group operators of one precedence level. */
export const AssignOp = createToken({ name: "AssignOp", pattern: Lexer.NA, label: "`=`" });
export const CompareOp = createToken({ name: "CompareOp", pattern: Lexer.NA, label: "a comparison" });
export const AddOp = createToken({ name: "AddOp", pattern: Lexer.NA, label: "`+` or `-`" });
export const MulOp = createToken({ name: "MulOp", pattern: Lexer.NA, label: "`*`, `/`, `@` or `%`" });
export const UnaryOp = createToken({ name: "UnaryOp", pattern: Lexer.NA, label: "`-` or `!`" });

export const Arrow = punct("Arrow", "=>", [BinaryOperator]);
export const EqEq = punct("EqEq", "==", [CompareOp, BinaryOperator]);
export const NotEq = punct("NotEq", "!=", [CompareOp, BinaryOperator]);
export const LessEq = punct("LessEq", "<=", [CompareOp, BinaryOperator]);
export const GreaterEq = punct("GreaterEq", ">=", [CompareOp, BinaryOperator]);
export const AndAnd = punct("AndAnd", "&&", [BinaryOperator]);
export const OrOr = punct("OrOr", "||", [BinaryOperator]);
export const PlusEq = punct("PlusEq", "+=", [AssignOp]);
export const MinusEq = punct("MinusEq", "-=", [AssignOp]);
export const StarEq = punct("StarEq", "*=", [AssignOp]);
export const SlashEq = punct("SlashEq", "/=", [AssignOp]);
export const Equals = punct("Equals", "=", [AssignOp]);
export const Less = punct("Less", "<", [CompareOp, BinaryOperator]);
export const Greater = punct("Greater", ">", [CompareOp, BinaryOperator]);
export const Plus = punct("Plus", "+", [AddOp, BinaryOperator]);
export const Minus = punct("Minus", "-", [AddOp, UnaryOp, BinaryOperator]);
export const Star = punct("Star", "*", [MulOp, BinaryOperator]);
export const Slash = punct("Slash", "/", [MulOp, BinaryOperator]);
export const At = punct("At", "@", [MulOp, BinaryOperator]);
export const Percent = punct("Percent", "%", [MulOp, BinaryOperator]);
export const Caret = punct("Caret", "^", [BinaryOperator]);
export const Bang = punct("Bang", "!", [UnaryOp]);
export const Tilde = punct("Tilde", "~");
export const Colon = punct("Colon", ":", [BinaryOperator]);
export const Comma = punct("Comma", ",");
export const Semicolon = punct("Semicolon", ";");
export const Dot = punct("Dot", ".");
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const LBrace = punct("LBrace", "{");
export const RBrace = punct("RBrace", "}");

/** Token types in lexing order (categories last; Chevrotain ignores their NA patterns). */
export const allTokens: readonly TokenType[] = [
  WhiteSpace, Comment, Newline,
  NumberLiteral, StringLiteral, UnterminatedString, SingleQuotedString,
  Fn, Network, Model, If, Else, For, Include, In, Return, True, False, Missing,
  Identifier,
  Arrow, EqEq, NotEq, LessEq, GreaterEq, AndAnd, OrOr, PlusEq, MinusEq, StarEq, SlashEq,
  Equals, Less, Greater, Plus, Minus, Star, Slash, At, Percent, Caret, Bang, Tilde,
  Colon, Comma, Semicolon, Dot, LParen, RParen, LBracket, RBracket, LBrace, RBrace,
  Keyword, AssignOp, CompareOp, AddOp, MulOp, UnaryOp, BinaryOperator, Stray,
];
