/**
 * docs/translations.md: every snippet in the dlm column of its tables (Stan, Turing.jl, PyMC
 * side by side with ours) must parse, as statements of a model body or, for `model`, `network`
 * and `fn` definitions, at the top level; and every function it calls must be a name the
 * language knows (KNOWN_CALLABLES) or one the snippet itself binds (or `m`, the model every row talks about), so that a row cannot
 * promise a builtin we do not have. The whole blocks of the page are checked by docs.test.ts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KNOWN_CALLABLES, parse, renderDiagnostics } from "../grammar/index.js";

interface Row {
  readonly line: number;
  readonly theirs: string;
  readonly snippets: string[];
}

/** The rows of every table whose second column is headed `dlm`, with the code spans of that column. */
function translationRows(markdown: string): Row[] {
  const lines = markdown.split("\n");
  const rows: Row[] = [];
  const cells = (l: string): string[] => l.trim().replace(/^\||\|$/g, "").split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith("|") || cells(lines[i]!)[1] !== "dlm" || !/^\|\s*-/.test(lines[i + 1] ?? "")) continue;
    for (i += 2; i < lines.length && lines[i]!.startsWith("|"); i++) {
      const c = cells(lines[i]!);
      rows.push({ line: i + 1, theirs: c[0]!, snippets: [...c[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!) });
    }
  }
  return rows;
}

/** Statements of a model body are wrapped in one; definitions stand at the top level. */
function program(snippet: string): string {
  return /^(model|network|fn)\b/.test(snippet) ? snippet : `model snippet__() {\n${snippet}\n}`;
}

/** Every name called in the AST, and every name it binds (assignments, loop variables, parameters, definitions). */
function names(node: unknown, called: Set<string>, bound: Set<string>): void {
  if (Array.isArray(node)) {
    for (const x of node) names(x, called, bound);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as Record<string, unknown> & { kind?: string };
  if (n.kind === "Call" && (n["callee"] as { kind?: string; name?: string }).kind === "Name") called.add((n["callee"] as { name: string }).name);
  if (n.kind === "Assign" && (n["target"] as { kind?: string; name?: string }).kind === "Name") bound.add((n["target"] as { name: string }).name);
  if ((n.kind === "For" && typeof n["variable"] === "string")) bound.add(n["variable"]);
  if ((n.kind === "Param" || n.kind === "KeywordParam" || n.kind === "Fn" || n.kind === "Network" || n.kind === "Model") && typeof n["name"] === "string") bound.add(n["name"]);
  for (const [k, v] of Object.entries(n)) if (k !== "span") names(v, called, bound);
}

const page = readFileSync("docs/translations.md", "utf8");
const rows = translationRows(page);
// The page's convention: `m` is the model a row talks about, defined elsewhere.
const known = new Set<string>([...KNOWN_CALLABLES, "m"]);

describe("docs/translations.md", () => {
  it("has a table for each of Stan, Turing.jl and PyMC, with a dlm snippet in every row", () => {
    for (const heading of ["## From Stan", "## From Turing.jl", "## From PyMC"]) expect(page).toContain(heading);
    expect(rows.length).toBeGreaterThan(60);
    expect(rows.filter((r) => r.snippets.length === 0).map((r) => r.line)).toEqual([]);
  });

  it.each(rows.flatMap((r) => r.snippets.map((s) => [r.line, s] as const)))("line %i: `%s` parses and calls only known names", (_, snippet) => {
    const source = program(snippet);
    const parsed = parse(source, "docs/translations.md");
    expect(renderDiagnostics(parsed.diagnostics, source)).toBe("");
    const called = new Set<string>();
    const bound = new Set<string>();
    names(parsed.program, called, bound);
    expect([...called].filter((c) => !known.has(c) && !bound.has(c))).toEqual([]);
  });

  it("rejects a row that does not parse or calls an unknown function (the check can fail)", () => {
    const bad = translationRows("| X | dlm | |\n| --- | --- | --- |\n| `a` | `y ~ Normal(0 1)` | |\n| `b` | `y ~ normal_lpdf(0, 1)` | |\n");
    expect(bad.map((r) => r.snippets[0])).toEqual(["y ~ Normal(0 1)", "y ~ normal_lpdf(0, 1)"]);
    expect(parse(program(bad[0]!.snippets[0]!)).diagnostics.length).toBeGreaterThan(0);
    const called = new Set<string>();
    names(parse(program(bad[1]!.snippets[0]!)).program, called, new Set());
    expect(known.has("normal_lpdf")).toBe(false);
    expect(called.has("normal_lpdf")).toBe(true);
  });
});
