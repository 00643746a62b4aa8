/**
 * Every code block in docs/*.md whose info string starts with `dlm` is checked:
 *
 *   ```dlm           parsed by the project's parser (grammar/): no diagnostic allowed;
 *   ```dlm run       parsed, then run as a script named docs/<page>.dlm (so relative paths
 *                    resolve from docs/): it must exit 0 without an error;
 *   ```dlm-error     parsed: at least one diagnostic required (a documented mistake);
 *   ```dlm fragment  not checked; allowed only for the blocks listed in FRAGMENTS below, each
 *                    with the reason it cannot stand alone.
 *
 * Any other `dlm...` info string fails, so that a typo cannot turn a check off. Blocks in other
 * languages (stan, julia, python, sh, text, ...) are not checked.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, renderDiagnostics } from "../grammar/index.js";
import { runScript } from "../interpreter/script.js";

/** `page.md: first line of the block` → why it is a fragment and not checked. */
const FRAGMENTS: Readonly<Record<string, string>> = {};

interface Block {
  readonly page: string;
  readonly line: number;
  readonly info: string;
  readonly code: string;
}

const pages = readdirSync("docs").filter((f) => f.endsWith(".md")).sort();

function blocksOf(page: string): Block[] {
  const text = readFileSync(join("docs", page), "utf8");
  const out: Block[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const fence = open[1]!;
    let j = i + 1;
    while (j < lines.length && !(lines[j]!.startsWith(fence) && lines[j]!.slice(fence.length).trim() === "")) j++;
    if (j >= lines.length) throw new Error(`docs/${page}:${i + 1}: unclosed code block`);
    out.push({ page, line: i + 1, info: open[2]!.trim(), code: lines.slice(i + 1, j).join("\n") + "\n" });
    i = j;
  }
  return out;
}

const all = pages.flatMap(blocksOf);
const dlm = all.filter((b) => /^dlm\b/.test(b.info));
const name = (b: Block): string => `${b.page}:${b.line} (${b.info})`;

describe("code blocks in docs/", () => {
  it("finds the pages and their dlm blocks", () => {
    expect(pages).toContain("language.md");
    expect(pages).toContain("getting-started.md");
    expect(dlm.filter((b) => b.info === "dlm run").length).toBeGreaterThan(2);
  });

  it("uses only the known dlm info strings, and fragments only with a reason", () => {
    for (const b of dlm) {
      expect(["dlm", "dlm run", "dlm-error", "dlm fragment"], name(b)).toContain(b.info);
      if (b.info === "dlm fragment") expect(FRAGMENTS[`${b.page}: ${b.code.split("\n")[0]}`], `${name(b)} is a fragment without a reason in FRAGMENTS`).toBeDefined();
    }
  });

  it.each(dlm.filter((b) => b.info === "dlm" || b.info === "dlm run").map((b) => [name(b), b] as const))("%s parses cleanly", (_, b) => {
    expect(renderDiagnostics(parse(b.code, `docs/${b.page}`).diagnostics, b.code)).toBe("");
  });

  it.each(dlm.filter((b) => b.info === "dlm-error").map((b) => [name(b), b] as const))("%s gives a diagnostic", (_, b) => {
    expect(parse(b.code, `docs/${b.page}`).diagnostics.length).toBeGreaterThan(0);
  });

  it.each(dlm.filter((b) => b.info === "dlm run").map((b) => [name(b), b] as const))("%s runs", async (_, b) => {
    const out: string[] = [];
    const err: string[] = [];
    const file = `docs/${b.page.replace(/\.md$/, "")}.dlm`;
    const code = await runScript(b.code, { file, out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(err.filter((l) => !l.startsWith("warning: ")), `${out.join("\n")}\n${err.join("\n")}`).toEqual([]);
    expect(code).toBe(0);
  }, 120000);
});
