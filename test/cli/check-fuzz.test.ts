/**
 * `dlm check` on token-level mutations of the files in examples/ (as grammar/fuzz.test.ts
 * mutates them) and on random bytes: exit 0 or 1, never a stack trace, bounded time, and for
 * random bytes only a handful of lines.
 */
import fc from "fast-check";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dlm, hasStackTrace, ROOT, type CliResult } from "./run-cli.js";

const SEED = 20261206;
const EXAMPLES = join(ROOT, "examples");
const sources = readdirSync(EXAMPLES).filter((f) => f.endsWith(".dlm")).map((f) => readFileSync(join(EXAMPLES, f), "utf8"));
const tmp = mkdtempSync(join(tmpdir(), "dlm-check-fuzz-"));

function roughTokens(source: string): { start: number; end: number }[] {
  return [...source.matchAll(/[A-Za-z_]\w*|\d+(?:\.\d+)?|"[^"\n]*"|\n|[=!<>]=|=>|&&|\|\||\S/g)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

const POOL = ["(", ")", "[", "]", "{", "}", ",", "~", "=", "=>", ":", ".", "+", "-", "*", "^", "@", "\n", "model", "fn", "network",
  "if", "else", "for", "in", "return", "include", "x", "1", "\"s\"", "'", "#", "$", "params", "forward", "missing", "constructor", "__proto__"];

type Mutation = { op: "delete" | "insert"; at: number; pick: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({ op: fc.constantFrom("delete" as const, "insert" as const), at: fc.nat(), pick: fc.nat() });

function mutate(source: string, ms: readonly Mutation[]): string {
  let text = source;
  for (const m of ms) {
    const toks = roughTokens(text);
    if (toks.length < 2) break;
    const a = toks[m.at % toks.length]!;
    text = m.op === "delete" ? text.slice(0, a.start) + text.slice(a.end) : `${text.slice(0, a.start)}${POOL[m.pick % POOL.length]!} ${text.slice(a.start)}`;
  }
  return text;
}


function clean(r: CliResult, label: string): void {
  expect(r.timedOut, label).toBe(false);
  expect([0, 1], `${label}\n${r.stderr}`).toContain(r.code);
  expect(hasStackTrace(r.stderr), `${label}\n${r.stderr}`).toBe(false);
  expect(r.stderr, label).not.toMatch(/internal error|TypeError|RangeError|ReferenceError|node_modules/);
}

describe("dlm check on mutated examples", () => {
  it("has the examples", () => expect(sources.length).toBeGreaterThanOrEqual(3));

  it("token deletions and insertions: exit 0 or 1, no stack trace, bounded time", async () => {
    const cases = fc.sample(fc.tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 })), { seed: SEED, numRuns: 24 })
      .map(([which, ms]) => mutate(sources[which % sources.length]!, ms));
    // Each file on its own in one run would cost a start-up each; several per run, checked apart by a second run per failing batch.
    const files = cases.map((text, i) => {
      const f = join(tmp, `mutant-${i}.dlm`);
      writeFileSync(f, text);
      return f;
    });
    const batches = [0, 1].map((b) => files.filter((_, i) => i % 2 === b));
    const results = await Promise.all(batches.map((fs) => dlm(["check", ...fs], { timeoutMs: 60_000 })));
    results.forEach((r, b) => {
      clean(r, `batch ${b}`);
      // Every file is accounted for: `FILE: ok` on stdout or a diagnostic naming it on stderr.
      for (const f of batches[b]!) expect(r.stdout.includes(`${f}: ok`) || r.stderr.includes(f), f).toBe(true);
    });
    // Mutation should break most files.
    expect(results.some((r) => r.code === 1)).toBe(true);
  }, 90_000);

  it("a few mutants one per run: the exit code matches the file", async () => {
    const cases = fc.sample(fc.tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 })), { seed: SEED + 7, numRuns: 2 })
      .map(([which, ms], i) => {
        const f = join(tmp, `single-${i}.dlm`);
        writeFileSync(f, mutate(sources[which % sources.length]!, ms));
        return f;
      });
    const results = await Promise.all(cases.map((f) => dlm(["check", f], { timeoutMs: 30_000 })));
    results.forEach((r, i) => {
      clean(r, cases[i]!);
      if (r.code === 0) expect(r.stdout).toBe(`${cases[i]}: ok\n`);
      else expect(r.stderr).toContain(cases[i]!);
    });
  }, 60_000);
});

describe("dlm check on random bytes", () => {
  it("exit 0 or 1, no stack trace, at most a handful of lines per file", async () => {
    const blobs = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 400 }), { seed: SEED, numRuns: 10 });
    const files = blobs.map((b, i) => {
      const f = join(tmp, `bytes-${i}.dlm`);
      writeFileSync(f, b);
      return f;
    });
    // One run for all (start-up dominates); each file's diagnostics are counted apart.
    const r = await dlm(["check", ...files], { timeoutMs: 60_000 });
    clean(r, "random bytes");
    files.forEach((f, i) => {
      const label = `${f} (${Buffer.from(blobs[i]!).toString("hex").slice(0, 120)})`;
      expect(r.stdout.includes(`${f}: ok`) || r.stderr.includes(f), label).toBe(true);
      expect(r.stderr.split("\n").filter((l) => l.startsWith(`${f}:`)).length, `${label}\n${r.stderr}`).toBeLessThanOrEqual(5);
    });
    expect(r.stderr.split("\n").length, r.stderr).toBeLessThanOrEqual(files.length * 25);
  }, 90_000);
});
