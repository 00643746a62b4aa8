/**
 * One set of names: everything a script can call (distributions, layers, optimisers, builtins,
 * script builtins) must be known to the grammar's "did you mean" hints, to the REPL's completion
 * and `:help`, and to docs/language.md; and every name those offer must exist. A name added to a
 * registry without the others fails here. (The static checker reads the registries and the
 * builtin signatures themselves: builtin-signatures.test.ts.)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { KEYWORDS, KNOWN_CALLABLES } from "../grammar/index.js";
import { documentedNames, helpFor } from "../repl/help.js";
import { knownNamesFile } from "./known-names-file.js";
import { globalNames } from "./script.js";

const DOCS = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "language.md"), "utf8");
const runtime = globalNames();
// `factor` and `params` are forms of the model body, handled by the evaluator itself.
const forms = ["factor", "params"];

describe("the names of the language", () => {
  it("grammar/known-names.ts is the registries' names as knownNamesFile writes them", () => {
    const path = join(dirname(fileURLToPath(import.meta.url)), "..", "grammar", "known-names.ts");
    if (process.env["DLM_WRITE_NAMES"] === "1") writeFileSync(path, knownNamesFile());
    expect(readFileSync(path, "utf8"), "stale: run DLM_WRITE_NAMES=1 npx vitest run interpreter/names.test.ts").toBe(knownNamesFile());
  });

  it("every name a script can use is known to the grammar's suggestions, and every suggested name exists", () => {
    const known = new Set(KNOWN_CALLABLES);
    expect(runtime.filter((n) => !known.has(n)).sort()).toEqual([]);
    const implemented = new Set([...runtime, ...forms]);
    expect(KNOWN_CALLABLES.filter((n) => !implemented.has(n)).sort()).toEqual([]);
  });

  it("REPL completion and :help cover every name", async () => {
    const completion = new Set([...(await documentedNames()), ...KEYWORDS]);
    expect(runtime.filter((n) => !completion.has(n)).sort()).toEqual([]);
    const missing: string[] = [];
    for (const n of runtime) if ((await helpFor(n)).startsWith("no help")) missing.push(n);
    expect(missing).toEqual([]);
  });

  it("docs/language.md mentions every name", () => {
    expect(runtime.filter((n) => !DOCS.includes(`\`${n}`)).sort()).toEqual([]);
  });
});
