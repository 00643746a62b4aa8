/**
 * CST → AST for expressions (see parser.ts for the rules and their precedence).
 */
import type { CstNode, IToken } from "chevrotain";
import type { BinaryOp, CallExpr, StringLit, Expr, IndexArg, KeywordArg, Span, UnaryOp } from "./ast.js";
import { fail, join, node, nodes, nodeSpan, optNode, optToken, token, tokens, tokenSpan, type Context } from "./cst.js";

/** `expression`: `or (=> expression)?`, right-associative pairs. */
export function expression(ctx: Context, c: CstNode): Expr {
  const left = binaryChain(ctx, node(c, "orExpression"));
  const rest = optNode(c, "expression");
  if (rest === undefined) return left;
  const right = expression(ctx, rest);
  return { kind: "Pair", left, right, span: join(left.span, right.span) };
}

const chained: Readonly<Record<string, string | undefined>> = {
  orExpression: "andExpression",
  andExpression: "comparison",
  comparison: "range",
  additive: "multiplicative",
  multiplicative: "unary",
};

/** Left-associative levels: operand (operator operand)*. */
function binaryChain(ctx: Context, c: CstNode): Expr {
  if (c.name === "range") return range(ctx, c);
  if (c.name === "unary") return unary(ctx, c);
  if (chained[c.name] === undefined) throw new Error(`internal error: unexpected CST node ${c.name}`);
  const operands = nodes(c, "operand");
  const operators = tokens(c, "operator");
  const first = operands[0];
  if (first === undefined || operands.length !== operators.length + 1) return fail(ctx, nodeSpan(c), "incomplete expression");
  let result = binaryChain(ctx, first);
  operators.forEach((op, i) => {
    const right = binaryChain(ctx, operands[i + 1]!);
    result = { kind: "Binary", op: op.image as BinaryOp, left: result, right, span: join(result.span, right.span) };
  });
  return result;
}

/** `a`, `a:b`, `a:step:b`. */
function range(ctx: Context, c: CstNode): Expr {
  const parts = nodes(c, "operand").map((p) => binaryChain(ctx, p));
  const [start, second, third] = parts;
  if (start === undefined) return fail(ctx, nodeSpan(c), "incomplete expression");
  if (second === undefined) return start;
  if (third === undefined) return { kind: "Range", start, step: null, end: second, span: join(start.span, second.span) };
  return { kind: "Range", start, step: second, end: third, span: join(start.span, third.span) };
}

function unary(ctx: Context, c: CstNode): Expr {
  const op = optToken(c, "UnaryOp");
  if (op === undefined) return power(ctx, node(c, "power"));
  const operand = unary(ctx, node(c, "unary"));
  return { kind: "Unary", op: op.image as UnaryOp, operand, span: join(tokenSpan(op), operand.span) };
}

function power(ctx: Context, c: CstNode): Expr {
  const base = postfix(ctx, node(c, "postfix"));
  const exponent = optNode(c, "unary");
  if (exponent === undefined) return base;
  const right = unary(ctx, exponent);
  return { kind: "Binary", op: "^", left: base, right, span: join(base.span, right.span) };
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
