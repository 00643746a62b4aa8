// Unit tests of the front end: layout, spans, positions, suggestions, rendering, robustness.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Expr, Node, Program, Stmt } from "./ast.js";
import {
  editDistance, KEYWORDS, KNOWN_CALLABLES, lineCol, parse, print, renderDiagnostic, suggest, type Diagnostic,
} from "./index.js";

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = join(here, "../test/golden/parse");

const ok = (source: string): Program => {
  const { program, diagnostics } = parse(source, "t.dlm");
  expect(diagnostics).toEqual([]);
  return program;
};
const kinds = (p: Program): string[] => p.body.map((s) => s.kind);
const firstValue = (source: string): Expr => {
  const s = ok(source).body[0];
  if (s?.kind !== "Assign") throw new Error(`not an assignment: ${source}`);
  return s.value;
};

describe("layout: newlines and separators", () => {
  it("a newline ends a statement; `;` separates statements on one line", () => {
    expect(kinds(ok("a = 1\nb = 2; c = 3\n\n\nd = 4"))).toEqual(["Assign", "Assign", "Assign", "Assign"]);
  });
  it("a newline after a binary operator, `,`, `=` or inside brackets continues the statement", () => {
    expect(kinds(ok("x = a +\n  b"))).toEqual(["Assign"]);
    expect(kinds(ok("x =\n  1"))).toEqual(["Assign"]);
    expect(kinds(ok("f(a,\n  b)"))).toEqual(["ExprStmt"]);
    expect(kinds(ok("v = [\n1\n,\n2\n]"))).toEqual(["Assign"]);
    expect(kinds(ok("y ~\n Normal(0, 1)"))).toEqual(["Tilde"]);
  });
  it("a newline after a complete expression ends it: `a\\n-b` is two statements", () => {
    expect(kinds(ok("a\n-b"))).toEqual(["ExprStmt", "ExprStmt"]);
  });
  it("`else` may start the line after `}`", () => {
    const s = ok("if a {\n  b = 1\n}\nelse {\n  b = 2\n}").body[0];
    expect(s?.kind === "If" && s.otherwise?.kind).toBe("Block");
  });
  it("an opening brace may stand on its own line", () => {
    expect(kinds(ok("model m(x)\n{\n  x ~ Normal(0, 1)\n}\nfor i in 1:3\n{\n}"))).toEqual(["Model", "For"]);
  });
  it("comments run to the end of the line, also after code", () => {
    expect(kinds(ok("# c\na = 1 # c\n   # c\n"))).toEqual(["Assign"]);
  });
  it("Windows line endings work", () => {
    expect(kinds(ok("a = 1\r\nb = 2\r\n"))).toEqual(["Assign", "Assign"]);
  });
});

describe("expressions", () => {
  it("ranges bind looser than + and -: 1:N+1 is 1:(N+1)", () => {
    const e = firstValue("r = 1:N+1");
    expect(e.kind === "Range" && e.end.kind).toBe("Binary");
  });
  it("unary minus binds looser than ^ and tighter than *", () => {
    const e = firstValue("v = -x^2 * 3");
    expect(e.kind === "Binary" && e.op === "*" && e.left.kind === "Unary" && e.left.operand.kind).toBe("Binary");
  });
  it("keywords are reserved, but names may start with one", () => {
    expect(parse("model = 1").diagnostics.length).toBeGreaterThan(0);
    expect(kinds(ok("in_dim = 1; model_x = 2; iff = 3"))).toEqual(["Assign", "Assign", "Assign"]);
  });
  it("Greek letters are names", () => {
    const e = firstValue("σ = μ + 1");
    expect(e.kind === "Binary" && e.left.kind === "Name" && e.left.name).toBe("μ");
  });
});

/** Every expression node in a tree, depth first. */
function expressions(node: unknown, out: Expr[] = []): Expr[] {
  if (Array.isArray(node)) node.forEach((n) => expressions(n, out));
  else if (typeof node === "object" && node !== null) {
    const kind = (node as Node).kind as string | undefined;
    const exprKinds = ["Number", "String", "Bool", "Missing", "Name", "Array", "Tuple", "Range", "Index", "Field", "Call", "Pair", "Binary", "Unary", "IfExpr"];
    if (kind !== undefined && exprKinds.includes(kind)) out.push(node as Expr);
    Object.entries(node).forEach(([k, v]) => k !== "span" && expressions(v, out));
  }
  return out;
}

describe("spans", () => {
  it("each node's span covers exactly its text", () => {
    const source = "model m(x; k = 2) {\n  y[i] ~ Normal(mu[g] + x.w, 1)\n}\n";
    const p = ok(source);
    const model = p.body[0] as Stmt & { kind: "Model" };
    const slice = (s: { start: number; end: number }) => source.slice(s.start, s.end);
    expect(slice(model.span)).toBe(source.trimEnd());
    expect(slice(model.nameSpan)).toBe("m");
    expect(slice(model.keywords[0]!.span)).toBe("k = 2");
    const tilde = model.body.body[0]!;
    expect(slice(tilde.span)).toBe("y[i] ~ Normal(mu[g] + x.w, 1)");
    expect(tilde.kind === "Tilde" && slice(tilde.target.span)).toBe("y[i]");
    expect(tilde.kind === "Tilde" && slice(tilde.dist.span)).toBe("Normal(mu[g] + x.w, 1)");
  });

  it("in every golden file, each expression's text re-parses to the same expression", () => {
    const strip = (v: unknown): string => JSON.stringify(v, (k, x: unknown) => (k === "span" ? undefined : x));
    let checked = 0;
    for (const f of readdirSync(goldenDir).filter((n) => n.endsWith(".dlm"))) {
      const source = readFileSync(join(goldenDir, f), "utf8");
      for (const e of expressions(parse(source, f).program)) {
        const text = source.slice(e.span.start, e.span.end);
        const again = firstValue(`z = ${text}`);
        expect(strip(again), `${f}: ${text}`).toBe(strip(e));
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});

describe("lineCol", () => {
  it("is 1-based and counts UTF-16 columns", () => {
    const s = "ab\ncde\n\nσx";
    expect(lineCol(s, 0)).toEqual({ line: 1, col: 1 });
    expect(lineCol(s, 2)).toEqual({ line: 1, col: 3 });
    expect(lineCol(s, 3)).toEqual({ line: 2, col: 1 });
    expect(lineCol(s, 7)).toEqual({ line: 3, col: 1 });
    expect(lineCol(s, 9)).toEqual({ line: 4, col: 2 });
    expect(lineCol(s, 99)).toEqual({ line: 4, col: 3 });
  });
});

describe("suggestions", () => {
  it("edit distance: classic values, transpositions count once", () => {
    expect(editDistance("kitten", "sitting")).toBe(3); // Levenshtein's textbook example
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("Normall", "Normal")).toBe(1);
    expect(editDistance("fro", "for")).toBe(1);
    expect(editDistance("ca", "abc")).toBe(3); // optimal string alignment, not full Damerau (2)
  });
  it("suggest finds the nearest known name, ignores exact matches and far names", () => {
    expect(suggest("Normall", KNOWN_CALLABLES)).toBe("Normal");
    expect(suggest("normal", KNOWN_CALLABLES)).toBe("Normal");
    expect(suggest("HalfNromal", KNOWN_CALLABLES)).toBe("HalfNormal");
    expect(suggest("Dens", KNOWN_CALLABLES)).toBe("Dense");
    expect(suggest("Categorial", KNOWN_CALLABLES)).toBe("Categorical");
    expect(suggest("modle", KEYWORDS)).toBe("model");
    expect(suggest("Normal", KNOWN_CALLABLES)).toBeUndefined();
    expect(suggest("zzzzzz", KNOWN_CALLABLES)).toBeUndefined();
    expect(suggest("i", KEYWORDS)).toBeUndefined(); // too short to call a typo
  });
  it("KNOWN_CALLABLES holds every distribution, wrapper and layer the language names", () => {
    const required = [
      "Normal", "HalfNormal", "StudentT", "HalfStudentT", "Cauchy", "HalfCauchy", "Laplace", "Logistic", "LogNormal",
      "Exponential", "Gamma", "InverseGamma", "Weibull", "Beta", "Uniform", "Bernoulli", "Binomial", "Poisson",
      "NegativeBinomial", "Categorical", "Dirichlet", "MvNormal", "LKJCholesky", "Mixture", "Flat", "FlatPos",
      "truncated", "ordered", "Dense", "Chain", "Conv2D", "MaxPool", "Flatten", "Dropout", "LayerNorm", "BatchNorm",
      "Embedding", "params", "factor", "sample", "predict", "summary",
    ];
    expect(required.filter((n) => !KNOWN_CALLABLES.includes(n))).toEqual([]);
    expect(new Set(KNOWN_CALLABLES).size).toBe(KNOWN_CALLABLES.length);
  });
});

describe("rendering", () => {
  it("file:line:col, the line, a caret under the span, expected, found, hint", () => {
    const source = "a = 1\n\tb = Normal(0 1)\n";
    const [d] = parse(source, "m.dlm").diagnostics;
    expect(renderDiagnostic(d!, source)).toBe(
      [
        "m.dlm:2:15: error: unexpected number `1` in the arguments of a call",
        " 2 | \tb = Normal(0 1)",
        "   | \t             ^",
        "   = expected: `,` or `)`",
        "   = found: number `1`",
      ].join("\n"),
    );
  });
  it("underlines the whole span", () => {
    const d: Diagnostic = { severity: "warning", message: "m", span: { start: 4, end: 10 }, file: "f", hint: "h" };
    expect(renderDiagnostic(d, "y = a * beta\n")).toBe("f:1:5: warning: m\n 1 | y = a * beta\n   |     ^^^^^^\n   = hint: h");
  });
});

describe("rendering long lines", () => {
  it("shows a window around the column, with the caret still under the span", () => {
    const source = `${"a".repeat(200)} = 1 +* 2 + ${"b".repeat(200)}\n`;
    const [d] = parse(source, "w.dlm").diagnostics;
    const [, shown, caret] = renderDiagnostic(d!, source).split("\n");
    expect(shown!.length).toBeLessThan(140);
    expect(shown!.slice(caret!.indexOf("^"), caret!.indexOf("^") + 1)).toBe("*");
  });
});

describe("robustness: parse never throws", () => {
  const nasty = [
    "", "\n\n", "(((((", ")))))", "}}}", "{{{", "[", "]", ";;;", "~", "=", "=>", "x ~", "~ y", "model", "model m", "model m(",
    "fn", "fn f(x) =", "network n(d) {", "for", "for i in", "if", "if x {", "else", "return", "include", "include 1",
    "\"", "\"\\", "'", "#", "\u0000\u0001\u0002", "x = 1e", "x = 1.", "x = .5", "a.b.", "x[", "x[]", "f(,)", "(,)",
    "- ".repeat(5000) + "x", "a^".repeat(3000) + "a", "x = " + "a + ".repeat(3000) + "a", "x = " + "a => ".repeat(3000) + "a", "[".repeat(5000), "if a { ".repeat(2000), "x = " + "(".repeat(150) + "1" + ")".repeat(150),
    "σ\u2028τ", "\uFEFFx = 1", "x = 1 \\\n + 2",
  ];
  it.each(nasty.map((s) => [s.length > 40 ? `${s.slice(0, 40)}… (${s.length} chars)` : JSON.stringify(s), s]))("%s", (_, source) => {
    const result = parse(source, "n.dlm");
    expect(Array.isArray(result.diagnostics)).toBe(true);
    // Whatever was recovered is a well-formed program.
    expect(parse(print(result.program)).diagnostics).toEqual([]);
  });
});

describe("grammar/ imports only chevrotain, node built-ins and core/suggest.ts (which imports nothing)", () => {
  it("scans every non-test module in grammar/", () => {
    const files = readdirSync(here).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) {
      const text = readFileSync(join(here, f), "utf8");
      const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
      const bad = specifiers.filter((s) => s !== "chevrotain" && s !== "../core/suggest.js" && !s.startsWith("node:") && !/^\.\/[\w.-]+\.js$/.test(s));
      expect(bad, f).toEqual([]);
    }
  });
});
