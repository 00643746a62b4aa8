/**
 * AST → canonical `.dlm` source: two-space indentation, one statement per line, the
 * fewest parentheses that keep the tree. Invariant (tested with random programs):
 * `parse(print(p)).program` equals `p` up to spans.
 */
import { assertNever, type Block, type Expr, type ForwardDef, type IfStmt, type IndexArg, type KeywordParam, type Param, type Program, type Stmt } from "./ast.js";

/** Binding strength of each expression level, loosest first (see parser.ts). */
const enum Prec {
  Pair = 1,
  Or,
  And,
  Compare,
  Range,
  Add,
  Mul,
  Unary,
  Power,
  Postfix,
  Primary,
}

const binaryPrec: Readonly<Record<string, Prec>> = {
  "||": Prec.Or, "&&": Prec.And,
  "==": Prec.Compare, "!=": Prec.Compare, "<": Prec.Compare, "<=": Prec.Compare, ">": Prec.Compare, ">=": Prec.Compare,
  "+": Prec.Add, "-": Prec.Add, "*": Prec.Mul, "/": Prec.Mul, "@": Prec.Mul, "%": Prec.Mul, "^": Prec.Power,
};

function precedence(e: Expr): Prec {
  switch (e.kind) {
    case "Pair": return Prec.Pair;
    case "Binary": return binaryPrec[e.op]!;
    case "Range": return Prec.Range;
    case "Unary": return Prec.Unary;
    case "Index": case "Field": case "Call": return Prec.Postfix;
    default: return Prec.Primary;
  }
}

/** Canonical text of a whole program (ends with a newline unless empty). */
export function print(program: Program): string {
  const isDefinition = (s: Stmt | undefined): boolean => s !== undefined && (s.kind === "Fn" || s.kind === "Network" || s.kind === "Model");
  const parts = program.body.map((s, i) => {
    const text = printStmt(s, "");
    return i > 0 && (isDefinition(s) || isDefinition(program.body[i - 1])) ? `\n${text}` : text;
  });
  return parts.length === 0 ? "" : `${parts.join("\n")}\n`;
}

/** Canonical text of one statement, its continuation lines indented by `indent`. */
export function printStmt(s: Stmt, indent = ""): string {
  switch (s.kind) {
    case "Assign": return `${leading(printExpr(s.target))} ${s.op} ${printExpr(s.value)}`;
    case "Tilde": {
      const target = s.target.kind === "Params" ? `params(${printExpr(s.target.network)})` : leading(printExpr(s.target));
      return `${target} ~ ${printExpr(s.dist)}`;
    }
    case "ExprStmt": return leading(printExpr(s.expr));
    case "If": return printIf(s, indent);
    case "For": return `for ${s.variable} in ${printExpr(s.iterable)} ${printBlock(s.body, indent)}`;
    case "Return": return s.value === null ? "return" : `return ${printExpr(s.value)}`;
    case "Fn": return `fn ${s.name}${printParams(s.params, s.keywords)}${printBody(s.body, indent)}`;
    case "Network": {
      const head = `network ${s.name}${printParams(s.params, s.keywords)}`;
      if (s.body.kind !== "NetworkBlock") return `${head} = ${printExpr(s.body)}`;
      const inner = `${indent}  `;
      const lines = [...s.body.body.map((b) => inner + printStmt(b, inner)), inner + printForward(s.body.forward, inner)];
      return `${head} {\n${lines.join("\n")}\n${indent}}`;
    }
    case "Model": return `model ${s.name}${printParams(s.params, s.keywords)} ${printBlock(s.body, indent)}`;
    case "Include": return `include ${printString(s.path)}`;
    default: return assertNever(s);
  }
}

/** An expression that opens a statement: one starting with `if` would re-parse as an if statement. */
function leading(text: string): string {
  return text.startsWith("if ") ? `(${text})` : text;
}

function printIf(s: IfStmt, indent: string): string {
  const head = `if ${printExpr(s.cond)} ${printBlock(s.then, indent)}`;
  if (s.otherwise === null) return head;
  return `${head} else ${s.otherwise.kind === "If" ? printIf(s.otherwise, indent) : printBlock(s.otherwise, indent)}`;
}

function printBlock(b: Block, indent: string): string {
  if (b.body.length === 0) return "{}";
  const inner = `${indent}  `;
  return `{\n${b.body.map((s) => inner + printStmt(s, inner)).join("\n")}\n${indent}}`;
}

function printBody(body: Expr | Block, indent: string): string {
  return body.kind === "Block" ? ` ${printBlock(body, indent)}` : ` = ${printExpr(body)}`;
}

function printForward(f: ForwardDef, indent: string): string {
  return `forward(${f.params.map((p) => p.name).join(", ")})${printBody(f.body, indent)}`;
}

function printParams(params: readonly Param[], keywords: readonly KeywordParam[]): string {
  const positional = params.map((p) => p.name).join(", ");
  if (keywords.length === 0) return `(${positional})`;
  const kw = keywords.map((k) => `${k.name} = ${printExpr(k.default)}`).join(", ");
  return `(${positional}; ${kw})`;
}

/** Canonical text of an expression, parenthesised when it binds looser than `min`. */
export function printExpr(e: Expr, min: Prec = Prec.Pair): string {
  const text = printBare(e);
  return precedence(e) < min ? `(${text})` : text;
}

function printBare(e: Expr): string {
  switch (e.kind) {
    case "Number": return String(e.value);
    case "String": return printString(e.value);
    case "Bool": return e.value ? "true" : "false";
    case "Missing": return "missing";
    case "Name": return e.name;
    case "Array": return `[${e.elements.map((x) => printExpr(x)).join(", ")}]`;
    case "Tuple": return e.elements.length === 1 ? `(${printExpr(e.elements[0]!)},)` : `(${e.elements.map((x) => printExpr(x)).join(", ")})`;
    case "Range": {
      const parts = e.step === null ? [e.start, e.end] : [e.start, e.step, e.end];
      return parts.map((p) => printExpr(p, Prec.Add)).join(":");
    }
    case "Index": return `${printExpr(e.target, Prec.Postfix)}[${e.indices.map(printIndex).join(", ")}]`;
    case "Field": return `${printExpr(e.target, Prec.Postfix)}.${e.field}`;
    case "Call": {
      const args = [...e.args.map((a) => printExpr(a)), ...e.kwargs.map((k) => `${k.name} = ${printExpr(k.value)}`)];
      return `${printExpr(e.callee, Prec.Postfix)}(${args.join(", ")})`;
    }
    case "Pair": return `${printExpr(e.left, Prec.Or)} => ${printExpr(e.right, Prec.Pair)}`;
    case "Binary": {
      const p = binaryPrec[e.op]!;
      if (e.op === "^") return `${printExpr(e.left, Prec.Postfix)}^${printExpr(e.right, Prec.Unary)}`;
      return `${printExpr(e.left, p)} ${e.op} ${printExpr(e.right, p + 1)}`;
    }
    case "Unary": return `${e.op}${printExpr(e.operand, Prec.Unary)}`;
    case "IfExpr": {
      const otherwise = e.otherwise.kind === "IfExpr" ? printBare(e.otherwise) : `{ ${printExpr(e.otherwise)} }`;
      return `if ${printExpr(e.cond)} { ${printExpr(e.then)} } else ${otherwise}`;
    }
    default: return assertNever(e);
  }
}

function printIndex(a: IndexArg): string {
  return a.kind === "Colon" ? ":" : printExpr(a);
}

/** A string literal that decodes back to `value`. */
export function printString(value: string): string {
  return `"${value.replace(/[\\"\n\t\r]/g, (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r" })[c]!)}"`;
}
