// Golden files for the front end. test/golden/parse/NAME.dlm → NAME.ast (the AST dump; no
// diagnostics allowed); test/golden/errors/NAME.dlm → NAME.err (every rendered diagnostic);
// test/golden/errors/recovery/NAME.dlm → NAME.err: files with several independent mistakes,
// each of which must be reported once, at its own line.
// Regenerate after an intended change with: UPDATE_GOLDEN=1 npx vitest run test/golden
// and review the diff: the checked-in files are the reference.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { dump, lineCol, parse, print, renderDiagnostics } from "../../../grammar/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const update = process.env.UPDATE_GOLDEN === "1";

function golden(dir: string, ext: string, produce: (source: string, file: string) => string): void {
  const inputs = readdirSync(dir).filter((f) => f.endsWith(".dlm")).sort();
  it("has inputs", () => expect(inputs.length).toBeGreaterThan(5));
  for (const input of inputs) {
    it(input, () => {
      const source = readFileSync(join(dir, input), "utf8");
      const actual = produce(source, input);
      const expectedPath = join(dir, input.replace(/\.dlm$/, ext));
      if (update) writeFileSync(expectedPath, actual);
      expect(existsSync(expectedPath), `${expectedPath} missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(actual).toBe(readFileSync(expectedPath, "utf8"));
    });
  }
}

describe("golden parse trees", () => {
  golden(join(here), ".ast", (source, file) => {
    const { program, diagnostics } = parse(source, file);
    expect(renderDiagnostics(diagnostics, source)).toBe("");
    // The canonical printout must re-parse to the same tree (the dump has no spans).
    expect(dump(parse(print(program), file).program)).toBe(dump(program));
    return `${dump(program)}\n`;
  });
});

describe("golden error messages", () => {
  golden(join(here, "../errors"), ".err", (source, file) => {
    const { diagnostics } = parse(source, file);
    expect(diagnostics.length).toBeGreaterThan(0);
    return `${renderDiagnostics(diagnostics, source)}\n`;
  });
});

describe("golden error recovery: several mistakes per file", () => {
  golden(join(here, "../errors/recovery"), ".err", (source, file) => {
    const { diagnostics } = parse(source, file);
    const lines = diagnostics.map((d) => lineCol(source, d.span.start).line);
    expect(diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(new Set(lines).size, `${file}: two diagnostics on one line`).toBe(lines.length);
    return `${renderDiagnostics(diagnostics, source)}\n`;
  });
});
