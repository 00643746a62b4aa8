/**
 * CST → AST for expressions (see parser.ts for the rules and their precedence).
 */
import type { CstNode, IToken } from "chevrotain";
import type { BinaryOp, CallExpr, StringLit, Expr, IndexArg, KeywordArg, Span, UnaryOp } from "./ast.js";
import { fail, join, node, nodes, nodeSpan, optNode, optToken, token, tokens, tokenSpan, type Context } from "./cst.js";

/** Binding strength of binary operators, loosest first; `^` is handled with the operands. */
const precedence: Readonly<Record<string, number>> = {
  "=>": 1, "||": 2, "&&": 3,
  "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
  ":": 5,
  "+": 6, "-": 6,
  "*": 7, "/": 7, "@": 7, "%": 7,
};
const RANGE = 5;
const ADDITIVE = 6;

/**
 * `expression`: a flat `operand (operator operand)*` list, folded by precedence climbing
 * (table in parser.ts): `=>` and `^` are right-associative, `a:b:c` is one Range,
 * comparisons and the rest are left-associative.
 */
export function expression(ctx: Context, c: CstNode): Expr {
  const operands = nodes(c, "operand");
  const operators = tokens(c, "operator");
  if (operands.length !== operators.length + 1) return fail(ctx, nodeSpan(c), "incomplete expression");
  const state: Climb = { ctx, operands, operators, next: 0 };
  const result = climb(state, 1);
  if (state.next !== operands.length) throw new Error("internal error: operands left after precedence climbing");
  return result;
}

/** Precedence-climbing state: operator k sits between operands k and k+1; `next` is the next unread operand. */
interface Climb {
  readonly ctx: Context;
  readonly operands: readonly CstNode[];
  readonly operators: readonly IToken[];
  next: number;
}

/** The operator after the last operand read. */
function peek(s: Climb): IToken | undefined {
  return s.operators[s.next - 1];
}

/** One operand with its prefix operators and any `^` chain: `-x^2` is `-(x^2)`, `2^-1` is `2^(-1)`. */
function unaryLevel(s: Climb): Expr {
  const operand = s.operands[s.next]!;
  s.next += 1;
  let base = postfix(s.ctx, node(operand, "postfix"));
  if (peek(s)?.image === "^") {
    const exponent = unaryLevel(s);
    base = { kind: "Binary", op: "^", left: base, right: exponent, span: join(base.span, exponent.span) };
  }
  for (const op of tokens(operand, "prefix").reverse()) {
    base = { kind: "Unary", op: op.image as UnaryOp, operand: base, span: join(tokenSpan(op), base.span) };
  }
  return base;
}

/** Operators binding at least as tightly as `minPrec`, folded onto the operand that starts here. */
function climb(s: Climb, minPrec: number): Expr {
  let left = unaryLevel(s);
  let ranged = false;
  for (let op = peek(s); op !== undefined && precedence[op.image]! >= minPrec; op = peek(s)) {
    const prec = precedence[op.image]!;
    if (prec === RANGE) {
      if (ranged) fail(s.ctx, tokenSpan(op), "a range has at most three parts: `start:step:end`");
      const second = climb(s, ADDITIVE);
      const third = peek(s)?.image === ":" ? climb(s, ADDITIVE) : null;
      left = third === null
        ? { kind: "Range", start: left, step: null, end: second, span: join(left.span, second.span) }
        : { kind: "Range", start: left, step: second, end: third, span: join(left.span, third.span) };
      ranged = true;
      continue;
    }
    const right = climb(s, op.image === "=>" ? prec : prec + 1);
    left = op.image === "=>"
      ? { kind: "Pair", left, right, span: join(left.span, right.span) }
      : { kind: "Binary", op: op.image as BinaryOp, left, right, span: join(left.span, right.span) };
  }
  return left;
}

function postfix(ctx: Context, c: CstNode): Expr {
  let result = primary(ctx, node(c, "primary"));
  for (const op of nodes(c, "postfixOperation")) {
    const span = join(result.span, nodeSpan(op));
    const call = optNode(op, "callArguments");
    const index = optNode(op, "indexArguments");
    if (call !== undefined) result = callExpr(ctx, result, call, span);
    else if (index !== undefined) result = { kind: "Index", target: result, indices: nodes(index, "indexArgument").map((a) => indexArg(ctx, a)), span };
    else result = { kind: "Field", target: result, field: token(op, "Identifier").image, span };
  }
  return result;
}

function callExpr(ctx: Context, callee: Expr, c: CstNode, span: Span): CallExpr {
  const args: Expr[] = [];
  const kwargs: KeywordArg[] = [];
  for (const a of nodes(c, "argument")) {
    const value = expression(ctx, node(a, "expression"));
    const keyword = optToken(a, "keyword");
    if (keyword === undefined) {
      if (kwargs.length > 0) {
        fail(ctx, value.span, "positional argument after a keyword argument", {
          hint: "write positional arguments first: `f(a, b, key = value)`",
        });
      }
      args.push(value);
      continue;
    }
    if (kwargs.some((k) => k.name === keyword.image)) {
      fail(ctx, tokenSpan(keyword), `keyword argument \`${keyword.image}\` given twice`);
    }
    kwargs.push({ kind: "KeywordArg", name: keyword.image, value, span: join(tokenSpan(keyword), value.span) });
  }
  return { kind: "Call", callee, args, kwargs, span };
}

function indexArg(ctx: Context, c: CstNode): IndexArg {
  const colon = optToken(c, "Colon");
  if (colon !== undefined) return { kind: "Colon", span: tokenSpan(colon) };
  return expression(ctx, node(c, "expression"));
}

function primary(ctx: Context, c: CstNode): Expr {
  const tok = (key: string): IToken | undefined => optToken(c, key);
  let t: IToken | undefined;
  if ((t = tok("NumberLiteral")) !== undefined) return numberLiteral(ctx, t);
  if ((t = tok("StringLiteral")) !== undefined) return stringLiteral(t);
  if ((t = tok("True")) !== undefined) return { kind: "Bool", value: true, span: tokenSpan(t) };
  if ((t = tok("False")) !== undefined) return { kind: "Bool", value: false, span: tokenSpan(t) };
  if ((t = tok("Missing")) !== undefined) return { kind: "Missing", span: tokenSpan(t) };
  if ((t = tok("Identifier")) !== undefined) return { kind: "Name", name: t.image, span: tokenSpan(t) };
  const array = optNode(c, "arrayLiteral");
  if (array !== undefined) {
    return { kind: "Array", elements: nodes(array, "expression").map((e) => expression(ctx, e)), span: nodeSpan(array) };
  }
  const paren = optNode(c, "parenthesized");
  if (paren !== undefined) {
    const elements = nodes(paren, "expression").map((e) => expression(ctx, e));
    const only = elements[0];
    // A parenthesised expression keeps its node but its span takes in the parentheses, so
    // that spans built from it (`(a + b) * c`) cover balanced text.
    if (tokens(paren, "Comma").length === 0 && only !== undefined) return { ...only, span: nodeSpan(paren) };
    return { kind: "Tuple", elements, span: nodeSpan(paren) };
  }
  return ifExpression(ctx, node(c, "ifExpression"));
}

function ifExpression(ctx: Context, c: CstNode): Expr {
  const cond = expression(ctx, node(c, "cond"));
  const then = expression(ctx, node(node(c, "then"), "expression"));
  const elseIf = optNode(c, "elseIf");
  const otherwise = elseIf !== undefined ? ifExpression(ctx, elseIf) : expression(ctx, node(node(c, "otherwise"), "expression"));
  return { kind: "IfExpr", cond, then, otherwise, span: nodeSpan(c) };
}

function numberLiteral(ctx: Context, t: IToken): Expr {
  const value = Number(t.image);
  if (!Number.isFinite(value)) {
    fail(ctx, tokenSpan(t), "number too large", { found: `\`${t.image}\``, expected: "a number below about 1.8e308" });
  }
  return { kind: "Number", value, span: tokenSpan(t) };
}

const escapes: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };

/** A string token (lex.ts marks unterminated ones with payload "unterminated") as a String node. */
export function stringLiteral(t: IToken): StringLit {
  return { kind: "String", value: decodeString(t.image, t.payload !== "unterminated"), span: tokenSpan(t) };
}

/** The text of a string literal: quotes removed, `\n \t \r \" \\` decoded, other escapes kept as written. */
export function decodeString(image: string, closed: boolean): string {
  const body = image.slice(1, closed ? -1 : undefined);
  return body.replace(/\\(.?)/g, (whole: string, ch: string) => escapes[ch] ?? whole);
}
