// Error recovery: every independent mistake is reported once, at its own line; bracket
// mistakes point at the bracket and at where they were noticed; files that are not `.dlm`
// source stop after a few errors.
import { describe, expect, it } from "vitest";
import { lineCol, parse, renderDiagnostic, renderDiagnostics, type Diagnostic } from "./index.js";

const errors = (source: string): Diagnostic[] => parse(source, "m.dlm").diagnostics.filter((d) => d.severity === "error");
const lines = (source: string, ds: readonly Diagnostic[]): number[] => ds.map((d) => lineCol(source, d.span.start).line);
const kinds = (source: string): string[] => parse(source, "m.dlm").program.body.map((s) => s.kind);

describe("bracket mistakes", () => {
  it("a `)` missing at the end of one line and an extra `)` two lines later are two errors, at lines 1 and 3", () => {
    const source = "a = f(1\nb = 2\nc = g(3))\n";
    const ds = errors(source);
    expect(lines(source, ds)).toEqual([1, 3]);
    expect(renderDiagnostics(ds, source)).toBe(
      [
        "m.dlm:1:6: error: unclosed `(`",
        " 1 | a = f(1",
        "   |      ^",
        "   = hint: add `)` at the end of line 1",
        "m.dlm:2:1: note: the next statement starts here, with the `(` still open",
        " 2 | b = 2",
        "   | ^",
        "",
        "m.dlm:3:9: error: unmatched `)`",
        " 3 | c = g(3))",
        "   |         ^",
        "   = hint: no `(` is open here for it to close",
      ].join("\n"),
    );
    // The two damaged statements are left out; the one between them is kept.
    expect(kinds(source)).toEqual(["Assign"]);
  });

  it("an unclosed `{` points at the `{`, not at the end of the file", () => {
    const source = "model m(x) {\n  y ~ Normal(0, 1)\n";
    const [d, ...rest] = errors(source);
    expect(rest).toEqual([]);
    expect(d?.message).toBe("unclosed `{`");
    expect(d?.span).toEqual({ start: 11, end: 12 });
    expect(d?.notes).toEqual([{ message: "the file ends with the `{` still open" }]);
    // The model itself is kept (only its `}` is made up), with its body.
    const model = parse(source).program.body[0];
    expect(model?.kind === "Model" && model.body.body.length).toBe(1);
  });

  it("an unclosed `{` in the middle of a file ends where the indentation says, so later lines are top level", () => {
    const source = "model m(x) {\n  y ~ Normal(0, 1)\n\nz = 1 2\nmodel n(y) {\n  y ~ Normal(0, 1)\n}\n";
    const ds = errors(source);
    expect(lines(source, ds)).toEqual([1, 4]);
    expect(ds[0]?.notes?.[0]?.span).toEqual({ start: source.indexOf("z"), end: source.indexOf("z") + 1 });
    expect(kinds(source)).toEqual(["Model", "Model"]);
  });

  it("an extra `)` alone is one error at that `)`", () => {
    for (const source of [")", "x = 1\n)\ny = 2\n", "x = 1)\n"]) {
      const ds = errors(source);
      expect(ds.map((d) => d.message), source).toEqual(["unmatched `)`"]);
      expect(source.slice(ds[0]!.span.start, ds[0]!.span.end)).toBe(")");
    }
  });

  it("a wrong closer is one error that names the bracket it should close", () => {
    const source = "x = [1, 2)\ny = 3\n";
    const [d, ...rest] = errors(source);
    expect(rest).toEqual([]);
    expect(d?.message).toBe("`)` does not match the `[`");
    expect(d?.expected).toBe("`]`");
    expect(d?.notes?.[0]?.span).toEqual({ start: 4, end: 5 });
  });

  it("a `)` missing before `}` is noticed at the `}`; the block's other statements are kept", () => {
    const source = "model m(x) {\n  a ~ Normal(0, 1\n  x ~ Normal(a, 1)\n}\n";
    const ds = errors(source);
    expect(lines(source, ds)).toEqual([2]);
    const model = parse(source).program.body[0];
    expect(model?.kind === "Model" && model.body.body.map((s) => s.kind)).toEqual(["Tilde"]);
  });

  it("no follow-on errors: mistakes inside an unclosed `(` and the missing `forward` it hides are not reported", () => {
    expect(errors("x = (1 +\ny = 2\nz = 3\n").length).toBe(1);
    expect(errors("network n(d) {\n  forward(x) = f(g(x)\n}\n").map((d) => d.message)).toEqual(["unclosed `(`"]);
    expect(errors("d = read_csv(\"a.csv)\n").map((d) => d.message)).toEqual(["unterminated string"]);
  });

  it("recovery resumes at the next statement: one error per broken line", () => {
    const source = "model m(x) {\n  a ~ Normal(0 1)\n  b ~\n  c = [1, 2\n  d = f(x))\n}\nx = 1 +* 2\ny = 3 4\n";
    expect(lines(source, errors(source))).toEqual([2, 3, 4, 5, 7, 8]);
  });

  it("renders a note with a place as its own `file:line:col: note:` block after the hint, one without as a `= note:` line", () => {
    const source = "y = f(1\nz = 2\n";
    const d: Diagnostic = {
      severity: "error", message: "m", span: { start: 5, end: 6 }, file: "f", hint: "h",
      notes: [{ message: "here", span: { start: 8, end: 9 } }, { message: "plain" }],
    };
    expect(renderDiagnostic(d, source)).toBe(
      ["f:1:6: error: m", " 1 | y = f(1", "   |      ^", "   = note: plain", "   = hint: h", "f:2:1: note: here", " 2 | z = 2", "   | ^"].join("\n"),
    );
  });
});

describe("valid files are untouched by the recovery heuristics", () => {
  const valid = [
    "y ~ Normal(\n  mu,\n  sigma\n)\n",
    "y ~ Normal(mu,\nsigma)\n",
    "v = [\n1\n,\n2\n]\n",
    "x = f(if a { 1 } else { 2 })\n",
    "x = f(if a {\n  1\n} else {\n  2\n})\n",
    "model m(x) {\nfor i in 1:3 {\nx[i] ~ Normal(0, 1)\n}\n}\n",
    "model m(x) {\n  for i in 1:3 {\n    x[i] ~ Normal(0, 1)\n    }\n}\n",
    "model m(x) {\n    a ~ Normal(0, 1)\n  }\n",
    "if a {\n  b = 1\n}\nelse {\n  b = 2\n}\n",
    "fn f(a, b; k = 1,\n  m = 2) = a\n",
    "x =\n  y\nz ~\n  Normal(0, 1)\n",
    "x = a +\n  if b { 1 } else { 2 }\n",
  ];
  it.each(valid.map((s) => [JSON.stringify(s), s]))("%s", (_, source) => {
    expect(renderDiagnostics(parse(source, "v.dlm").diagnostics, source)).toBe("");
  });
});

describe("files that are not .dlm source", () => {
  /** Deterministic bytes with many control characters, as a binary file read as text has. */
  function blob(length: number): string {
    let state = 12345;
    let out = "";
    for (let i = 0; i < length; i++) {
      state = (state * 1103515245 + 12345) % 2147483648;
      out += String.fromCharCode((state >> 16) & 0xff);
    }
    return out;
  }

  it("a binary blob gets a few errors, then one saying it is not a .dlm file, in bounded time", () => {
    const source = blob(2_000_000);
    const start = performance.now();
    const { diagnostics, program } = parse(source, "b.dlm");
    expect(performance.now() - start).toBeLessThan(2000);
    expect(diagnostics.length).toBeGreaterThan(1);
    expect(diagnostics.length).toBeLessThanOrEqual(4);
    expect(diagnostics[diagnostics.length - 1]!.message).toBe("this does not look like a .dlm file");
    expect(program.body).toEqual([]);
    // Control characters are named by code point and shown as pictures, never written raw.
    const rendered = renderDiagnostics(diagnostics, source);
    expect(rendered).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it("another language's text (an error on every line) stops after a few errors", () => {
    const source = Array.from({ length: 300 }, (_, i) => `var x${i} = $y ? 1 : 'a';`).join("\n");
    const { diagnostics } = parse(source, "j.dlm");
    expect(diagnostics.length).toBeLessThanOrEqual(4);
    expect(diagnostics[diagnostics.length - 1]!.message).toBe("this does not look like a .dlm file");
  });

  it("a real file with a few mistakes is not taken for another language", () => {
    const source = Array.from({ length: 8 }, (_, i) => `x${i} = f(${i}\n`).join("");
    expect(errors(source).length).toBe(8);
    expect(errors(source).map((d) => d.message)).not.toContain("this does not look like a .dlm file");
  });
});
