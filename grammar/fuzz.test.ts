// Robustness: random token-level mutations of the golden files (and random text) must give
// diagnostics, never an exception or a hang, and whatever is recovered must be a
// well-formed program (its canonical print re-parses cleanly).
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, print } from "./index.js";

const here = dirname(fileURLToPath(import.meta.url));
const sources = ["../test/golden/parse", "../test/golden/errors", "../examples"].flatMap((dir) => {
  const path = join(here, dir);
  let names: string[] = [];
  try {
    names = readdirSync(path).filter((f) => f.endsWith(".dlm"));
  } catch {
    // examples/ may not exist yet
  }
  return names.map((f) => readFileSync(join(path, f), "utf8")).filter((s) => s.length <= 10_000);
});

/** Tokens found by a deliberately naive scanner (independent of the real lexer), with offsets. */
function roughTokens(source: string): { start: number; end: number }[] {
  return [...source.matchAll(/[A-Za-z_]\w*|\d+(?:\.\d+)?|"[^"\n]*"|\n|[=!<>]=|=>|&&|\|\||\S/g)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
  }));
}

const POOL = ["(", ")", "[", "]", "{", "}", ",", ";", "~", "=", "=>", ":", ".", "+", "-", "*", "^", "@", "\n", "model", "fn", "network",
  "if", "else", "for", "in", "return", "include", "x", "1", "\"s\"", "'", "#", "$", "params", "forward", "missing"];

type Mutation = { op: "delete" | "insert" | "swap" | "duplicate"; at: number; pick: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom("delete" as const, "insert" as const, "swap" as const, "duplicate" as const),
  at: fc.nat(),
  pick: fc.nat(),
});

function mutate(source: string, ms: readonly Mutation[]): string {
  let text = source;
  for (const m of ms) {
    const toks = roughTokens(text);
    if (toks.length < 2) break;
    const i = m.at % (toks.length - 1);
    const a = toks[i]!;
    const b = toks[i + 1]!;
    const word = (t: { start: number; end: number }) => text.slice(t.start, t.end);
    switch (m.op) {
      case "delete": text = text.slice(0, a.start) + text.slice(a.end); break;
      case "insert": text = `${text.slice(0, a.start)}${POOL[m.pick % POOL.length]!} ${text.slice(a.start)}`; break;
      case "swap": text = text.slice(0, a.start) + word(b) + text.slice(a.end, b.start) + word(a) + text.slice(b.end); break;
      case "duplicate": text = text.slice(0, a.end) + ` ${word(a)}` + text.slice(a.end); break;
    }
  }
  return text;
}

function check(source: string): boolean {
  const { program, diagnostics } = parse(source, "fuzz.dlm");
  for (const d of diagnostics) {
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeLessThanOrEqual(source.length);
    expect(d.span.start).toBeLessThanOrEqual(d.span.end);
    expect(d.message.length).toBeGreaterThan(0);
  }
  expect(parse(print(program), "printed.dlm").diagnostics).toEqual([]);
  return diagnostics.length > 0;
}

describe("mutated programs", () => {
  it("has seed programs", () => expect(sources.length).toBeGreaterThan(10));

  it("token deletions, insertions, swaps and duplications never throw and keep the recovered AST well formed", () => {
    let withErrors = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, ms) => {
        runs += 1;
        if (check(mutate(sources[which % sources.length]!, ms))) withErrors += 1;
      }),
      { numRuns: 250, seed: 7 },
    );
    // Most mutations break the syntax; the parser must notice (a detector that never fires is useless).
    expect(withErrors / runs).toBeGreaterThan(0.5);
  });

  it("random text up to 10 kB never throws", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 5_000, size: "max" }),
      fc.string({ unit: "grapheme-ascii", maxLength: 10_000, size: "max" }),
      fc.array(fc.constantFrom(..."(){}[]=~:,;.+-*^ \n\"'#xy1"), { maxLength: 10_000, size: "max" }).map((cs) => cs.join("")),
    );
    fc.assert(
      fc.property(text, (s) => {
        check(s);
      }),
      { numRuns: 15, seed: 11 },
    );
  });

  it("random token soup up to 10 kB never throws", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...POOL), { maxLength: 3000, size: "max" }), (ts) => {
        check(ts.join(" ").slice(0, 10_000));
      }),
      { numRuns: 15, seed: 13 },
    );
  });
});
