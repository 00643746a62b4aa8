import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { CstParser, Lexer } from "./chevrotain.js";

describe("grammar/chevrotain.ts", () => {
  it("gives chevrotain's single-file bundle (its entry point costs ~450 ms at every start), one copy for every importer", async () => {
    const bundle = join(dirname(createRequire(import.meta.url).resolve("chevrotain")), "..", "chevrotain.mjs");
    expect(existsSync(bundle)).toBe(true);
    const m = (await import(pathToFileURL(bundle).href)) as typeof import("chevrotain");
    expect(CstParser).toBe(m.CstParser);
    expect(Lexer).toBe(m.Lexer);
  });
});
