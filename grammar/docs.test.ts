// docs/language.md is the language reference: every ```dlm block in it must parse with no
// diagnostic, every ```dlm-error block must give at least one, and a ```text block right
// after a dlm-error block must be exactly its rendered diagnostics (file name "m.dlm").
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, renderDiagnostics } from "./index.js";

const here = dirname(fileURLToPath(import.meta.url));
const doc = readFileSync(join(here, "../docs/language.md"), "utf8");
const blocks = [...doc.matchAll(/^```([\w-]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
  lang: m[1]!,
  code: m[2]!,
  line: doc.slice(0, m.index).split("\n").length,
}));

describe("docs/language.md", () => {
  it("has examples for every section", () => {
    expect(blocks.filter((b) => b.lang === "dlm").length).toBeGreaterThan(15);
    expect(blocks.filter((b) => b.lang === "dlm-error").length).toBeGreaterThan(0);
  });

  it.each(blocks.filter((b) => b.lang === "dlm").map((b) => [b.line, b.code]))("```dlm block at line %i parses cleanly", (_, code) => {
    expect(renderDiagnostics(parse(code, "m.dlm").diagnostics, code)).toBe("");
  });

  it.each(blocks.flatMap((b, i) => (b.lang === "dlm-error" ? [[b.line, b.code, blocks[i + 1]] as const] : [])))(
    "```dlm-error block at line %i gives its documented diagnostics",
    (_, code, next) => {
      const { diagnostics } = parse(code, "m.dlm");
      expect(diagnostics.length).toBeGreaterThan(0);
      if (next?.lang === "text") expect(`${renderDiagnostics(diagnostics, code)}\n`).toBe(next.code);
    },
  );
});
