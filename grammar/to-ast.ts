/**
 * CST → AST for statements and definitions, with the checks the grammar leaves open
 * (what may stand left of `=` and `~`, where `return`, `forward` and definitions may
 * appear). A statement with an error is dropped from the AST after its diagnostic.
 */
import type { CstNode, IToken } from "chevrotain";
import type {
  AssignOp, Block, Expr, ForwardDef, KeywordParam, NetworkBlock, Param, Program, Span, Stmt, TildeTarget,
} from "./ast.js";
import { fail, firstToken, Incomplete, node, nodes, nodeSpan, optNode, optToken, report, token, tokens, tokenSpan, type Context, type Place } from "./cst.js";
import { KEYWORDS } from "./tokens.js";
import { suggest } from "../core/suggest.js";
import { expression, stringLiteral } from "./to-ast-expr.js";

/** Builds the Program from the `program` CST nodes (one per parsed stretch); diagnostics are appended to `ctx`. */
export function toProgram(ctx: Context, csts: readonly CstNode[], length: number): Program {
  const body = csts.flatMap((cst) => statementsOf(ctx, cst.children.statements?.[0], "top")).filter((s): s is Stmt => s.kind !== "Forward");
  return { kind: "Program", body, span: { start: 0, end: length } };
}

/** The statements of a `statements` node; a statement whose CST is incomplete is skipped. */
function statementsOf(ctx: Context, c: CstNode | IToken | undefined, place: Place): (Stmt | ForwardDef)[] {
  if (c === undefined || "image" in c) return [];
  const out: (Stmt | ForwardDef)[] = [];
  for (const line of c.children.statementLine ?? []) {
    if ("image" in line) continue;
    const s = line.children.statement?.[0];
    const stray = line.children.strayTokens?.[0];
    if (stray !== undefined && !("image" in stray)) {
      reportStray(ctx, line, stray, place, s === undefined);
      strayBlocks(ctx, stray, place);
      continue;
    }
    if (s === undefined || "image" in s || s.recoveredNode === true) continue;
    try {
      const stmt = statement(ctx, s, place);
      // Recovery may have patched the line (an inserted `)`): its error is reported, leave it out.
      if (ctx.recovered && hasInsertedToken(ctx, s)) continue;
      if (stmt.kind === "Forward" && place !== "network") {
        report(ctx, stmt.span, "`forward` is defined only inside a `network` block");
        continue;
      }
      out.push(stmt);
    } catch (e) {
      if (!(e instanceof Incomplete)) throw e;
    }
  }
  return out;
}

/** Whether recovery inserted or replaced a token in this statement (nested blocks answer for themselves). */
function hasInsertedToken(ctx: Context, c: CstNode): boolean {
  return Object.values(c.children).some((list) =>
    list.some((e) => ("image" in e ? e.isInsertedInRecovery === true || ctx.damaged.has(e) : e.name !== "block" && hasInsertedToken(ctx, e))),
  );
}

/**
 * Tokens left on a line after (or instead of) a statement; silent when the line already has
 * an error outside its blocks (an error inside a block is that block's own mistake).
 */
function reportStray(ctx: Context, line: CstNode, stray: CstNode, place: Place, startsLine: boolean): void {
  const token = firstToken(stray);
  const lineStart = firstToken(line)?.startOffset;
  const end = line.location?.endOffset;
  if (token === undefined || lineStart === undefined || end === undefined || Number.isNaN(end)) return;
  const blocks = blockSpans(line);
  const inLine = (at: number) => at >= lineStart && at <= end && !blocks.some((b) => at >= b.start && at < b.end);
  if (ctx.diagnostics.some((d) => inLine(d.span.start))) return;
  const d = ctx.stray(token, place !== "top", startsLine);
  if (d !== undefined) ctx.diagnostics.push(d);
}

/** Spans of the outermost `{ ... }` blocks under a CST node. */
function blockSpans(c: CstNode): Span[] {
  return Object.values(c.children).flatMap((list) =>
    list.flatMap((e) => {
      if ("image" in e) return [];
      const loc = e.location;
      if (e.name !== "block") return blockSpans(e);
      return loc === undefined || loc.endOffset === undefined || Number.isNaN(loc.endOffset) ? [] : [{ start: loc.startOffset, end: loc.endOffset + 1 }];
    }),
  );
}

/**
 * The lines of blocks among stray tokens (`for in 1:3 { ... }`, `modl m(x) { ... }`) are
 * checked for stray tokens too, so their mistakes are found; their other errors (`return`
 * outside a function, ...) could follow from the broken line, so they are left out.
 */
function strayBlocks(ctx: Context, stray: CstNode, place: Place): void {
  const blocks = (stray.children.block ?? []).filter((b): b is CstNode => !("image" in b));
  if (blocks.length === 0) return;
  const scratch: Context = {
    ...ctx,
    diagnostics: [...ctx.diagnostics],
    stray: (t, _inBlock, startsLine) => {
      const d = ctx.stray(t, true, startsLine);
      if (d !== undefined) ctx.diagnostics.push(d);
      return d;
    },
  };
  for (const b of blocks) {
    try {
      block(scratch, b, place);
    } catch (e) {
      if (!(e instanceof Incomplete)) throw e;
    }
  }
}

function block(ctx: Context, c: CstNode, place: Place): Block {
  const body = statementsOf(ctx, optNode(c, "statements"), place).filter((s): s is Stmt => s.kind !== "Forward");
  return { kind: "Block", body, span: nodeSpan(c) };
}

function statement(ctx: Context, c: CstNode, place: Place): Stmt | ForwardDef {
  const inner = Object.values(c.children).flat()[0];
  if (inner === undefined || "image" in inner || inner.recoveredNode === true) throw new Incomplete();
  switch (inner.name) {
    case "ifStatement":
      return ifStatement(ctx, inner, place);
    case "forStatement": {
      const variable = token(inner, "Identifier");
      return {
        kind: "For",
        variable: variable.image,
        variableSpan: tokenSpan(variable),
        iterable: expression(ctx, node(inner, "expression")),
        body: block(ctx, node(inner, "block"), place),
        span: nodeSpan(inner),
      };
    }
    case "returnStatement": {
      if (place !== "fn" && place !== "forward") fail(ctx, nodeSpan(inner), "`return` outside a function", { hint: "`return` belongs in the block body of an `fn` or `forward` definition" });
      const value = optNode(inner, "expression");
      return { kind: "Return", value: value === undefined ? null : expression(ctx, value), span: nodeSpan(inner) };
    }
    case "fnDefinition": {
      const { name, nameSpan, params, keywords } = signature(ctx, inner);
      const body = definitionBody(ctx, node(inner, "definitionBody"), "fn");
      return { kind: "Fn", name, nameSpan, params, keywords, body, span: nodeSpan(inner) };
    }
    case "networkDefinition": {
      topLevelOnly(ctx, inner, place, "network");
      const { name, nameSpan, params, keywords } = signature(ctx, inner);
      const bodyNode = node(inner, "definitionBody");
      const blockNode = optNode(bodyNode, "block");
      const body = blockNode === undefined ? expression(ctx, node(bodyNode, "expression")) : networkBlock(ctx, blockNode, name, nameSpan);
      return { kind: "Network", name, nameSpan, params, keywords, body, span: nodeSpan(inner) };
    }
    case "modelDefinition": {
      topLevelOnly(ctx, inner, place, "model");
      const { name, nameSpan, params, keywords } = signature(ctx, inner);
      return { kind: "Model", name, nameSpan, params, keywords, body: block(ctx, node(inner, "block"), "model"), span: nodeSpan(inner) };
    }
    case "includeStatement":
      topLevelOnly(ctx, inner, place, "include");
      return { kind: "Include", path: stringLiteral(token(inner, "StringLiteral")).value, span: nodeSpan(inner) };
    case "simpleStatement":
      return simpleStatement(ctx, inner, place);
    default:
      throw new Error(`internal error: unexpected statement ${inner.name}`);
  }
}

function topLevelOnly(ctx: Context, c: CstNode, place: Place, what: string): void {
  if (place !== "top") fail(ctx, nodeSpan(c), `\`${what}\` is allowed only at the top level of a file`);
}

function ifStatement(ctx: Context, c: CstNode, place: Place): Stmt {
  const elseIf = optNode(c, "ifStatement");
  const elseBlock = optNode(c, "elseBlock");
  const otherwise = elseIf !== undefined ? ifStatement(ctx, elseIf, place) : elseBlock !== undefined ? block(ctx, elseBlock, place) : null;
  if (otherwise !== null && otherwise.kind !== "If" && otherwise.kind !== "Block") throw new Incomplete();
  return { kind: "If", cond: expression(ctx, node(c, "expression")), then: block(ctx, node(c, "block"), place), otherwise, span: nodeSpan(c) };
}

interface Signature {
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: readonly Param[];
  readonly keywords: readonly KeywordParam[];
}

function signature(ctx: Context, c: CstNode): Signature {
  const nameToken = token(c, "Identifier");
  const list = node(c, "parameters");
  const params: Param[] = tokens(list, "Identifier").map((t) => ({ kind: "Param", name: t.image, span: tokenSpan(t) }));
  const keywords: KeywordParam[] = nodes(list, "keywordParameter").map((k) => {
    const t = token(k, "Identifier");
    return { kind: "KeywordParam", name: t.image, default: expression(ctx, node(k, "expression")), span: nodeSpan(k) };
  });
  const seen = new Set<string>();
  for (const p of [...params, ...keywords]) {
    if (seen.has(p.name)) fail(ctx, p.span, `parameter \`${p.name}\` is declared twice`);
    seen.add(p.name);
  }
  return { name: nameToken.image, nameSpan: tokenSpan(nameToken), params, keywords };
}

function definitionBody(ctx: Context, c: CstNode, place: Place): Expr | Block {
  const b = optNode(c, "block");
  return b === undefined ? expression(ctx, node(c, "expression")) : block(ctx, b, place);
}

function networkBlock(ctx: Context, c: CstNode, name: string, nameSpan: Span): NetworkBlock {
  const all = statementsOf(ctx, optNode(c, "statements"), "network");
  const forwards = all.filter((s): s is ForwardDef => s.kind === "Forward");
  const body = all.filter((s): s is Stmt => s.kind !== "Forward");
  const [forward, second] = forwards;
  if (second !== undefined) fail(ctx, second.span, `network \`${name}\` defines \`forward\` twice`);
  if (forward === undefined) {
    // A `forward` line with a syntax error was left out: that error is the one to fix.
    const span = nodeSpan(c);
    if (ctx.diagnostics.some((d) => d.severity === "error" && d.span.start >= span.start && d.span.start < span.end)) throw new Incomplete();
    fail(ctx, nameSpan, `network \`${name}\` has no \`forward\` definition`, {
      hint: "end the block with `forward(x) = ...`, the function the network computes",
    });
  }
  return { kind: "NetworkBlock", body, forward, span: nodeSpan(c) };
}

function simpleStatement(ctx: Context, c: CstNode, place: Place): Stmt | ForwardDef {
  const lhs = expression(ctx, node(c, "lhs"));
  const span = nodeSpan(c);
  const opToken = optToken(c, "AssignOp");
  const blockNode = optNode(c, "block");
  if (place === "network" && lhs.kind === "Call" && lhs.callee.kind === "Name" && lhs.callee.name === "forward") {
    if (opToken?.image === "=" || blockNode !== undefined) return forwardDef(ctx, c, lhs.args, lhs.kwargs.length, span);
  }
  if (opToken !== undefined) {
    const value = expression(ctx, node(c, "rhs"));
    if (lhs.kind !== "Name" && lhs.kind !== "Index" && lhs.kind !== "Field") {
      fail(ctx, lhs.span, `cannot assign to ${describe(lhs)}`, {
        expected: "a name, an indexed name `x[i]` or a field `x.f` left of `=`",
        hint: forwardHint(lhs, place) ?? (lhs.kind === "Call" ? "functions are defined with `fn name(args) = ...`" : undefined),
      });
    }
    return { kind: "Assign", target: lhs, op: opToken.image as AssignOp, value, span };
  }
  const distNode = optNode(c, "dist");
  if (distNode !== undefined) return { kind: "Tilde", target: tildeTarget(ctx, lhs), dist: expression(ctx, distNode), span };
  if (blockNode !== undefined) {
    const callee = lhs.kind === "Call" && lhs.callee.kind === "Name" ? lhs.callee.name : undefined;
    const keyword = callee === undefined ? undefined : suggest(callee, KEYWORDS);
    fail(ctx, nodeSpan(blockNode), "a block `{ ... }` cannot follow an expression", {
      hint: forwardHint(lhs, place) ?? (keyword === undefined ? undefined : `did you mean \`${keyword}\`?`),
    });
  }
  return { kind: "ExprStmt", expr: lhs, span };
}

function forwardHint(lhs: Expr, place: Place): string | undefined {
  const isForward = lhs.kind === "Call" && lhs.callee.kind === "Name" && lhs.callee.name === "forward";
  return isForward && place !== "network" ? "`forward(x) = ...` is defined only inside a `network name(...) { ... }` block" : undefined;
}

function forwardDef(ctx: Context, c: CstNode, args: readonly Expr[], kwargCount: number, span: Span): ForwardDef {
  const params: Param[] = args.map((a) =>
    a.kind === "Name" ? { kind: "Param", name: a.name, span: a.span } : fail(ctx, a.span, "a `forward` parameter must be a plain name"),
  );
  if (kwargCount > 0) fail(ctx, span, "`forward` takes positional parameters only");
  const b = optNode(c, "block");
  const body = b === undefined ? expression(ctx, node(c, "rhs")) : block(ctx, b, "forward");
  return { kind: "Forward", params, body, span };
}

function tildeTarget(ctx: Context, lhs: Expr): TildeTarget {
  if (lhs.kind === "Name" || lhs.kind === "Index" || lhs.kind === "Field") return lhs;
  if (lhs.kind === "Call" && lhs.callee.kind === "Name" && lhs.callee.name === "params") {
    const [network, extra] = lhs.args;
    if (network !== undefined && extra === undefined && lhs.kwargs.length === 0) return { kind: "Params", network, span: lhs.span };
    fail(ctx, lhs.span, "`params` takes exactly one network: `params(net) ~ D`");
  }
  return fail(ctx, lhs.span, `${describe(lhs)} cannot stand left of \`~\``, {
    expected: "a name `v`, an indexed name `y[i]`, a parameter `net[2].weight` or a group `params(net)`",
  });
}

function describe(e: Expr): string {
  switch (e.kind) {
    case "Call": return "a function call";
    case "Number": case "String": case "Bool": case "Missing": return "a literal";
    case "Array": return "an array literal";
    case "Tuple": return "a tuple";
    case "Range": return "a range";
    case "Pair": return "a pair `a => b`";
    case "Binary": return `the result of \`${e.op}\``;
    case "Unary": return `the result of \`${e.op}\``;
    case "IfExpr": return "an if-expression";
    case "Name": return "a name";
    case "Index": return "an indexed value";
    case "Field": return "a field";
  }
}

