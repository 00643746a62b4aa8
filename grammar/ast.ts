/**
 * The `.dlm` abstract syntax tree: immutable discriminated unions on `kind`.
 *
 * Every node carries `span`, a half-open range `[start, end)` of UTF-16 offsets into
 * the source it was parsed from (use `lineCol(source, span.start)` for line/column).
 * Parentheses leave no node behind: `(a + b) * c` is `Binary(*, Binary(+, a, b), c)`
 * (the inner node's span then includes the parentheses).
 * Walkers switch on `kind` and end with `default: return assertNever(node)`, so that a
 * new node kind is a compile error everywhere it must be handled.
 *
 * Reference: docs/language.md (the language), architecture.md §3.3 (the node style).
 */

/** Half-open source range `[start, end)` in UTF-16 code units. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

// ---------------------------------------------------------------------------------------------
// Operators

/** Binary operators, loosest first: `||`; `&&`; comparisons; `+ -`; `* / @ %`; `^` (right-assoc). */
export type BinaryOp =
  | "||"
  | "&&"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*" // elementwise (broadcasting), NOT the matrix product
  | "/"
  | "@" // matrix product
  | "%"
  | "^";

/** Prefix operators: arithmetic negation and logical not. */
export type UnaryOp = "-" | "!";

/** Assignment operators; `x += e` means `x = x + e`. */
export type AssignOp = "=" | "+=" | "-=" | "*=" | "/=";

// ---------------------------------------------------------------------------------------------
// Expressions

/** `1`, `1.5`, `1e-3`: always a finite float64 value. */
export interface NumberLit {
  readonly kind: "Number";
  readonly value: number;
  readonly span: Span;
}

/** `"iris.csv"`: `value` holds the decoded text (escapes `\" \\ \n \t \r` resolved). */
export interface StringLit {
  readonly kind: "String";
  readonly value: string;
  readonly span: Span;
}

/** `true` / `false`. */
export interface BoolLit {
  readonly kind: "Bool";
  readonly value: boolean;
  readonly span: Span;
}

/** `missing`: an argument left unknown, so that its `~` makes it latent. */
export interface MissingLit {
  readonly kind: "Missing";
  readonly span: Span;
}

/** A variable, function, distribution or layer name. */
export interface NameExpr {
  readonly kind: "Name";
  readonly name: string;
  readonly span: Span;
}

/** `[a, b, c]`; a matrix `[[1, 2], [3, 4]]` is an Array of Arrays (rows first). */
export interface ArrayLit {
  readonly kind: "Array";
  readonly elements: readonly Expr[];
  readonly span: Span;
}

/** `(a, b)` or `(a,)`: at least one element and one comma. */
export interface TupleLit {
  readonly kind: "Tuple";
  readonly elements: readonly Expr[];
  readonly span: Span;
}

/** `start:end` or `start:step:end`, inclusive of `end` (Julia/R style). */
export interface RangeExpr {
  readonly kind: "Range";
  readonly start: Expr;
  readonly step: Expr | null;
  readonly end: Expr;
  readonly span: Span;
}

/** A bare `:` inside brackets: every index along that axis (`x[:, 2]`). */
export interface ColonIndex {
  readonly kind: "Colon";
  readonly span: Span;
}

/** One entry between the brackets of an index expression. */
export type IndexArg = Expr | ColonIndex;

/** `x[i]`, `x[i, :]`, `x[:, 2:4]`, `mu[group]`: 1-based, one entry per axis. */
export interface IndexExpr {
  readonly kind: "Index";
  readonly target: Expr;
  readonly indices: readonly IndexArg[];
  readonly span: Span;
}

/** `data.target`, `net[1].weight`. */
export interface FieldExpr {
  readonly kind: "Field";
  readonly target: Expr;
  readonly field: string;
  readonly span: Span;
}

/** `name = value` inside a call's argument list. */
export interface KeywordArg {
  readonly kind: "KeywordArg";
  readonly name: string;
  readonly value: Expr;
  readonly span: Span;
}

/**
 * `f(a, b, k = v)`: positional arguments first, then keyword arguments (the parser
 * rejects a positional argument after a keyword one). `callee` is any expression
 * (`Normal`, `net`, `net[1]`), usually a Name.
 */
export interface CallExpr {
  readonly kind: "Call";
  readonly callee: Expr;
  readonly args: readonly Expr[];
  readonly kwargs: readonly KeywordArg[];
  readonly span: Span;
}

/** `in => out` (layer sizes in `Dense(in => out)`); right-associative, loosest operator. */
export interface PairExpr {
  readonly kind: "Pair";
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

/** `left op right`. */
export interface BinaryExpr {
  readonly kind: "Binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

/** `-x`, `!c`. Unary minus binds looser than `^`: `-x^2` is `-(x^2)`. */
export interface UnaryExpr {
  readonly kind: "Unary";
  readonly op: UnaryOp;
  readonly operand: Expr;
  readonly span: Span;
}

/** `if c { a } else { b }` in expression position: each branch is one expression; `else` is required. */
export interface IfExpr {
  readonly kind: "IfExpr";
  readonly cond: Expr;
  readonly then: Expr;
  readonly otherwise: Expr;
  readonly span: Span;
}

/** Every expression node. */
export type Expr =
  | NumberLit
  | StringLit
  | BoolLit
  | MissingLit
  | NameExpr
  | ArrayLit
  | TupleLit
  | RangeExpr
  | IndexExpr
  | FieldExpr
  | CallExpr
  | PairExpr
  | BinaryExpr
  | UnaryExpr
  | IfExpr;

// ---------------------------------------------------------------------------------------------
// Statements

/** `{ stmt; stmt }`: a sequence of statements in braces. */
export interface Block {
  readonly kind: "Block";
  readonly body: readonly Stmt[];
  readonly span: Span;
}

/** What may stand left of `=`: `x`, `x[i]`, `x.f` (and nestings such as `x[i].f[j]`). */
export type AssignTarget = NameExpr | IndexExpr | FieldExpr;

/** `x = e`, `x[i] = e`, `x += e`. Inside a model a plain `x = e` is a local (deterministic) value. */
export interface AssignStmt {
  readonly kind: "Assign";
  readonly target: AssignTarget;
  readonly op: AssignOp;
  readonly value: Expr;
  readonly span: Span;
}

/** `params(net)` / `params(net[1])` on the left of `~`: every scalar of a parameter group. */
export interface ParamsTarget {
  readonly kind: "Params";
  /** The network or sub-network: a Name, Index or Field expression (`net`, `net[1]`, `m.net`). */
  readonly network: Expr;
  readonly span: Span;
}

/** What may stand left of `~`: `v`, `y[i]`, `net[2].weight`, `params(net)`. */
export type TildeTarget = NameExpr | IndexExpr | FieldExpr | ParamsTarget;

/**
 * `target ~ dist`. Observed or latent is decided by the data at run time (the target is
 * bound to a value, or it is new / `missing`), never by the syntax.
 */
export interface TildeStmt {
  readonly kind: "Tilde";
  readonly target: TildeTarget;
  readonly dist: Expr;
  readonly span: Span;
}

/** An expression evaluated for its effect: `print(x)`, `factor(lp)`, `summary(post)`. */
export interface ExprStmt {
  readonly kind: "ExprStmt";
  readonly expr: Expr;
  readonly span: Span;
}

/** `if c { ... } else if d { ... } else { ... }`; `otherwise` is a Block, a nested If (else-if) or null. */
export interface IfStmt {
  readonly kind: "If";
  readonly cond: Expr;
  readonly then: Block;
  readonly otherwise: Block | IfStmt | null;
  readonly span: Span;
}

/** `for i in 1:N { ... }`: `variable` takes each element of `iterable` in turn. */
export interface ForStmt {
  readonly kind: "For";
  readonly variable: string;
  readonly variableSpan: Span;
  readonly iterable: Expr;
  readonly body: Block;
  readonly span: Span;
}

/** `return e` (or a bare `return`, value null) inside an `fn` or `forward` block body. */
export interface ReturnStmt {
  readonly kind: "Return";
  readonly value: Expr | null;
  readonly span: Span;
}

/** A positional parameter of an fn, network, model or forward definition. */
export interface Param {
  readonly kind: "Param";
  readonly name: string;
  readonly span: Span;
}

/** A keyword parameter after `;`, with its default: `nhidden = 16`. */
export interface KeywordParam {
  readonly kind: "KeywordParam";
  readonly name: string;
  readonly default: Expr;
  readonly span: Span;
}

/** `fn f(x; k = 1) = expr` (body: Expr) or `fn f(x) { ...; return e }` (body: Block). */
export interface FnDef {
  readonly kind: "Fn";
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: readonly Param[];
  readonly keywords: readonly KeywordParam[];
  readonly body: Expr | Block;
  readonly span: Span;
}

/** `forward(x) = expr` or `forward(x) { ... }` inside a network block. */
export interface ForwardDef {
  readonly kind: "Forward";
  readonly params: readonly Param[];
  readonly body: Expr | Block;
  readonly span: Span;
}

/**
 * The block form of a network: statements that build layers (`norm = LayerNorm(d)`),
 * then exactly one `forward` definition. The printer writes `forward` last.
 */
export interface NetworkBlock {
  readonly kind: "NetworkBlock";
  readonly body: readonly Stmt[];
  readonly forward: ForwardDef;
  readonly span: Span;
}

/** `network mlp(nin, nout) = Chain(...)` (body: Expr) or `network res(d) { ...; forward(x) = ... }`. */
export interface NetworkDef {
  readonly kind: "Network";
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: readonly Param[];
  readonly keywords: readonly KeywordParam[];
  readonly body: Expr | NetworkBlock;
  readonly span: Span;
}

/** `model bnn(x, y; nhidden = 16) { ... }`: a joint log-density over data and unknowns. */
export interface ModelDef {
  readonly kind: "Model";
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: readonly Param[];
  readonly keywords: readonly KeywordParam[];
  readonly body: Block;
  readonly span: Span;
}

/** `include "other.dlm"` (top level only): the path is relative to the including file. */
export interface IncludeStmt {
  readonly kind: "Include";
  readonly path: string;
  readonly span: Span;
}

/** Every statement node. `Fn` may appear anywhere; `Network`, `Model`, `Include` only at top level. */
export type Stmt =
  | AssignStmt
  | TildeStmt
  | ExprStmt
  | IfStmt
  | ForStmt
  | ReturnStmt
  | FnDef
  | NetworkDef
  | ModelDef
  | IncludeStmt;

/** A whole file: top-level statements in source order. */
export interface Program {
  readonly kind: "Program";
  readonly body: readonly Stmt[];
  readonly span: Span;
}

/** Any AST node. */
export type Node =
  | Expr
  | ColonIndex
  | KeywordArg
  | Stmt
  | Block
  | ParamsTarget
  | Param
  | KeywordParam
  | ForwardDef
  | NetworkBlock
  | Program;

/** Exhaustiveness guard for `switch (node.kind)`: unreachable when every kind is handled. */
export function assertNever(value: never): never {
  throw new Error(`internal error: unhandled AST node ${JSON.stringify(value)}`);
}
