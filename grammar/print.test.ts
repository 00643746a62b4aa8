// Round-trip property: for random well-formed ASTs p, parse(print(p)) has no diagnostics,
// equals p up to spans, and printing it again gives the same text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AssignTarget, Block, Expr, ForwardDef, KeywordArg, KeywordParam, Param, Program, Stmt, TildeTarget, Span } from "./ast.js";
import { parse } from "./parse.js";
import { print, printExpr } from "./print.js";

const span: Span = { start: 0, end: 0 };
const NAMES = ["x", "y", "mu", "sigma", "net", "w_1", "σ", "alpha", "data", "N", "Normal", "Dense", "_t"];

/** Drops every span so that trees from different texts compare equal. */
export function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== "span" && k !== "nameSpan" && k !== "variableSpan")
      .map(([k, v]) => [k, stripSpans(v)]),
  );
}

const name = fc.constantFrom(...NAMES);
const nameExpr = name.map((n): Expr => ({ kind: "Name", name: n, span }));
const leaf: fc.Arbitrary<Expr> = fc.oneof(
  { weight: 3, arbitrary: nameExpr },
  { weight: 2, arbitrary: fc.oneof(fc.nat(1000), fc.double({ min: 0, max: 1e300, noNaN: true }).map(Math.abs)).map((value): Expr => ({ kind: "Number", value, span })) },
  fc.string({ unit: "binary", maxLength: 6 }).map((value): Expr => ({ kind: "String", value, span })),
  fc.boolean().map((value): Expr => ({ kind: "Bool", value, span })),
  fc.constant<Expr>({ kind: "Missing", span }),
);

const exprCache: fc.Arbitrary<Expr>[] = [];
function expr(depth: number): fc.Arbitrary<Expr> {
  if (depth <= 0) return leaf;
  const cached = exprCache[depth];
  if (cached !== undefined) return cached;
  const e = expr(depth - 1);
  const list = (min: number) => fc.array(e, { minLength: min, maxLength: 3 });
  const kwargs = fc.uniqueArray(fc.record({ name, value: e }), { selector: (k) => k.name, maxLength: 2 })
    .map((ks) => ks.map((k): KeywordArg => ({ kind: "KeywordArg", name: k.name, value: k.value, span })));
  const indexArg = fc.oneof(e, fc.constant({ kind: "Colon", span } as const));
  const binaryOps = ["||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "@", "%", "^"] as const;
  const arb = fc.oneof(
    { weight: 4, arbitrary: leaf },
    fc.record({ op: fc.constantFrom(...binaryOps), left: e, right: e }).map((r): Expr => ({ kind: "Binary", ...r, span })),
    fc.record({ op: fc.constantFrom("-" as const, "!" as const), operand: e }).map((r): Expr => ({ kind: "Unary", ...r, span })),
    fc.record({ callee: fc.oneof({ weight: 4, arbitrary: nameExpr }, e), args: list(0), kwargs }).map((r): Expr => ({ kind: "Call", ...r, span })),
    fc.record({ target: e, indices: fc.array(indexArg, { minLength: 1, maxLength: 3 }) }).map((r): Expr => ({ kind: "Index", ...r, span })),
    fc.record({ target: e, field: name }).map((r): Expr => ({ kind: "Field", ...r, span })),
    fc.record({ start: e, step: fc.option(e, { nil: null }), end: e }).map((r): Expr => ({ kind: "Range", ...r, span })),
    fc.record({ left: e, right: e }).map((r): Expr => ({ kind: "Pair", ...r, span })),
    list(0).map((elements): Expr => ({ kind: "Array", elements, span })),
    list(1).map((elements): Expr => ({ kind: "Tuple", elements, span })),
    fc.record({ cond: e, then: e, otherwise: e }).map((r): Expr => ({ kind: "IfExpr", ...r, span })),
  );
  exprCache[depth] = arb;
  return arb;
}

type Place = "top" | "model" | "fn" | "network";
const E = expr(3);
const params = fc.uniqueArray(name, { maxLength: 3 }).chain((ps) =>
  fc.uniqueArray(fc.record({ name: fc.constantFrom(...NAMES.filter((n) => !ps.includes(n))), def: E }), { selector: (k) => k.name, maxLength: 2 })
    .map((ks) => ({
      params: ps.map((p): Param => ({ kind: "Param", name: p, span })),
      keywords: ks.map((k): KeywordParam => ({ kind: "KeywordParam", name: k.name, default: k.def, span })),
    })),
);
const assignTarget = fc.oneof(
  nameExpr,
  fc.record({ target: expr(1), indices: fc.array(expr(1), { minLength: 1, maxLength: 2 }) }).map((r): Expr => ({ kind: "Index", ...r, span })),
  fc.record({ target: expr(1), field: name }).map((r): Expr => ({ kind: "Field", ...r, span })),
) as fc.Arbitrary<AssignTarget>;
const tildeTarget: fc.Arbitrary<TildeTarget> = fc.oneof(assignTarget, expr(1).map((network): TildeTarget => ({ kind: "Params", network, span })));

function stmt(place: Place, depth: number): fc.Arbitrary<Stmt> {
  const b = (p: Place): fc.Arbitrary<Block> => (depth <= 0 ? fc.constant([]) : fc.array(stmt(p, depth - 1), { maxLength: 3 })).map((body) => ({ kind: "Block", body, span }));
  const simple: fc.Arbitrary<Stmt>[] = [
    fc.record({ target: assignTarget, op: fc.constantFrom("=" as const, "+=" as const, "-=" as const, "*=" as const, "/=" as const), value: E })
      .map((r): Stmt => ({ kind: "Assign", ...r, span })),
    fc.record({ target: tildeTarget, dist: E }).map((r): Stmt => ({ kind: "Tilde", ...r, span })),
    E.map((e): Stmt => ({ kind: "ExprStmt", expr: e, span })),
    fc.record({ cond: E, then: b(place), otherwise: fc.option(b(place), { nil: null }) }).map((r): Stmt => ({ kind: "If", ...r, span })),
    fc.record({ variable: name, iterable: E, body: b(place) }).map((r): Stmt => ({ kind: "For", ...r, variableSpan: span, span })),
    fc.record({ name, sig: params, body: fc.oneof(E, b("fn")) }).map((r): Stmt => ({ kind: "Fn", name: r.name, nameSpan: span, ...r.sig, body: r.body, span })),
  ];
  if (place === "fn") simple.push(fc.option(E, { nil: null }).map((value): Stmt => ({ kind: "Return", value, span })));
  if (place !== "top") return fc.oneof(...simple);
  const forward = fc.record({ ps: fc.uniqueArray(name, { maxLength: 2 }), body: fc.oneof(E, b("fn")) })
    .map((r): ForwardDef => ({ kind: "Forward", params: r.ps.map((p): Param => ({ kind: "Param", name: p, span })), body: r.body, span }));
  const networkBody = fc.oneof(
    E,
    fc.record({ body: fc.array(stmt("network", depth - 1), { maxLength: 2 }), forward }).map((r) => ({ kind: "NetworkBlock" as const, ...r, span })),
  );
  return fc.oneof(
    ...simple,
    fc.record({ name, sig: params, body: networkBody }).map((r): Stmt => ({ kind: "Network", name: r.name, nameSpan: span, ...r.sig, body: r.body, span })),
    fc.record({ name, sig: params, body: b("model") }).map((r): Stmt => ({ kind: "Model", name: r.name, nameSpan: span, ...r.sig, body: r.body, span })),
    fc.string({ unit: "binary", maxLength: 8 }).map((path): Stmt => ({ kind: "Include", path, span })),
  );
}

const program: fc.Arbitrary<Program> = fc.array(stmt("top", 2), { maxLength: 5 }).map((body) => ({ kind: "Program", body, span }));

describe("print", () => {
  it("print → parse gives back the AST, and print is a fixed point (random programs)", () => {
    fc.assert(
      fc.property(program, (p) => {
        const text = print(p);
        const result = parse(text, "gen.dlm");
        expect(result.diagnostics).toEqual([]);
        expect(stripSpans(result.program)).toEqual(stripSpans(p));
        expect(print(result.program)).toBe(text);
      }),
      { numRuns: 300, seed: 20261121 },
    );
  });

  it("uses the fewest parentheses that keep the tree", () => {
    const cases: [string, string][] = [
      ["(a + b) * c", "(a + b) * c"],
      ["a + (b * c)", "a + b * c"],
      ["(a - b) - c", "a - b - c"],
      ["a - (b - c)", "a - (b - c)"],
      ["-(x^2)", "-x^2"],
      ["(-x)^2", "(-x)^2"],
      ["a^(b^c)", "a^b^c"],
      ["(a^b)^c", "(a^b)^c"],
      ["2^(-1)", "2^-1"],
      ["1:(N+1)", "1:N + 1"],
      ["(1:N)+1", "(1:N) + 1"],
      ["(a => b) => c", "(a => b) => c"],
      ["a => (b => c)", "a => b => c"],
      ["(a || b) && c", "(a || b) && c"],
      ["(x)", "x"],
      ["(x,)", "(x,)"],
      ["(f)(x)[1].w", "f(x)[1].w"],
      ["(a + b)[1]", "(a + b)[1]"],
      ["\"a\\\"b\\\\c\\n\"", "\"a\\\"b\\\\c\\n\""],
      ["1e-3 + 1.5e+21", "0.001 + 1.5e+21"],
    ];
    for (const [source, canonical] of cases) {
      const stmt = parse(`z = ${source}`).program.body[0];
      expect(stmt?.kind).toBe("Assign");
      if (stmt?.kind === "Assign") expect(printExpr(stmt.value)).toBe(canonical);
    }
  });

  it("puts a parenthesis around a statement that would otherwise start with `if`", () => {
    const p = parse("(if a { b } else { c } + 1)").program;
    expect(p.body[0]?.kind).toBe("ExprStmt");
    expect(print(p)).toBe("(if a { b } else { c } + 1)\n");
  });
});
