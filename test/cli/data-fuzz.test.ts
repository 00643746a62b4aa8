/**
 * Property tests of bad data files: the in-process readers (cli/data.ts) on arbitrary text
 * either return or throw a UserError naming the file; and `dlm sample FILE --data DATA` on
 * truncated, mistyped, ragged, non-finite, empty-celled or wrongly shaped data exits 1 with one
 * located message, no stack trace, no hang and no output file.
 */
import fc from "fast-check";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCsvData, parseJsonData } from "../../cli/data.js";
import { UserError } from "../../cli/errors.js";
import { dlm, FIXTURES, hasStackTrace, type CliResult } from "./run-cli.js";

const SEED = 20261206;
const FILE = "some/dir/data.file";

/** Calls `parse` and checks the outcome: a value, or a UserError whose message starts with the file name. */
function returnsOrNamesFile(parse: (t: string, f: string) => unknown, text: string): void {
  let result: unknown;
  try {
    result = parse(text, FILE);
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(UserError);
    const msg = (e as UserError).message;
    expect(msg.startsWith(`${FILE}:`), msg).toBe(true);
    // Malformed JSON is located (line and column) on one line, whatever V8's wording.
    if (msg.includes("malformed JSON")) expect(msg).toMatch(/^some\/dir\/data\.file:\d+:\d+: malformed JSON: [^\n]*$/);
    return;
  }
  expect(result).toBeInstanceOf(Map);
}

const LINREG_JSON = readFileSync(join(FIXTURES, "linreg.json"), "utf8");

/** JSON-ish text: fragments of valid Stan JSON, truncated or spliced with junk. */
const jsonish = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.nat({ max: LINREG_JSON.length }).map((n) => LINREG_JSON.slice(0, n)),
  fc.tuple(fc.nat({ max: LINREG_JSON.length }), fc.constantFrom("NaN", "Infinity", "-", "\"", "[", "]", "{", "}", ",", ":", "\n", "1e999", "null", "true", "\"inf\"", "\"nan\"", "[]", "{}", "\u0000", "\uFEFF"))
    .map(([n, junk]) => LINREG_JSON.slice(0, n) + junk + LINREG_JSON.slice(n)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.dictionary(fc.constantFrom("x", "y", "__proto__", "constructor", "toString", "N", ""), fc.jsonValue({ maxDepth: 3 })).map((v) => JSON.stringify(v)),
);

const csvCell = fc.constantFrom("", "1", "-2.5", "1e3", "NaN", "nan", "Inf", "-inf", "abc", "\"1\"", "\"a,b\"", "\"", " 3 ", "0x10", "1,5", "\r", "\uFEFF");
const csvish = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.array(fc.array(csvCell, { maxLength: 4 }), { maxLength: 6 }).map((rows) => ["x,y", ...rows.map((r) => r.join(","))].join("\n")),
  fc.array(fc.array(csvCell, { maxLength: 4 }), { maxLength: 6 }).map((rows) => rows.map((r) => r.join(",")).join(fc.sample(fc.constantFrom("\n", "\r\n"), { seed: SEED, numRuns: 1 })[0]!)),
);

describe("data readers on arbitrary text (in process)", () => {
  it("parseJsonData returns or throws a UserError starting with the file name", () => {
    fc.assert(fc.property(jsonish, (t) => returnsOrNamesFile(parseJsonData, t)), { seed: SEED, numRuns: 3000 });
  });

  it("parseCsvData returns or throws a UserError starting with the file name", () => {
    fc.assert(fc.property(csvish, (t) => returnsOrNamesFile(parseCsvData, t)), { seed: SEED, numRuns: 3000 });
  });
});

// ---------------------------------------------------------------------------------------------
// The real command on bad data.

const tmp = mkdtempSync(join(tmpdir(), "dlm-data-fuzz-"));
const NORMAL = join(FIXTURES, "normal.dlm");


interface BadData {
  readonly kind: string;
  readonly ext: "json" | "csv";
  readonly model: "linreg" | "normal";
  readonly text: string;
}

const base = JSON.parse(LINREG_JSON) as { x: number[][]; y: number[] };

/** Bad JSON data for the linreg model: every case is wrong in one way. */
const badJson: fc.Arbitrary<BadData> = fc.oneof(
  fc.nat().map((n) => {
    const t = LINREG_JSON.trimEnd();
    return { kind: "truncated", text: t.slice(0, n % (t.length - 1)) };
  }),
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom<unknown>("abc", null, {}, [], "", [1, 2])).map(([i, j, bad]) => {
    const x = base.x.map((r) => [...r] as unknown[]);
    x[i % x.length]![j % 2] = bad;
    return { kind: "mistyped x", text: JSON.stringify({ ...base, x }) };
  }),
  fc.tuple(fc.nat(), fc.constantFrom<unknown>("two", null, { a: 1 }, "NaN", "inf", "-inf", "Infinity")).map(([i, bad]) => {
    const y = [...base.y] as unknown[];
    y[i % y.length] = bad;
    return { kind: "mistyped or non-finite y", text: JSON.stringify({ ...base, y }) };
  }),
  fc.nat().map((i) => {
    const x = base.x.map((r) => [...r]);
    x[i % x.length]!.pop();
    return { kind: "ragged x", text: JSON.stringify({ ...base, x }) };
  }),
  fc.constantFrom(
    { kind: "y too short", text: JSON.stringify({ ...base, y: base.y.slice(1) }) },
    { kind: "x a vector", text: JSON.stringify({ ...base, x: base.y }) },
    { kind: "y a matrix", text: JSON.stringify({ ...base, y: base.x }) },
    { kind: "x a scalar", text: JSON.stringify({ ...base, x: 3 }) },
    { kind: "x missing", text: JSON.stringify({ y: base.y }) },
    { kind: "empty object", text: "{}" },
    { kind: "an array", text: "[1, 2, 3]" },
    { kind: "empty file", text: "" },
    { kind: "bare NaN", text: LINREG_JSON.replace(/-1\.182/, "NaN") },
  ),
).map((d) => ({ ...d, ext: "json" as const, model: "linreg" as const }));

/** Bad CSV data for the normal model (column y). */
const badCsv: fc.Arbitrary<BadData> = fc.tuple(
  fc.array(fc.double({ min: -5, max: 5, noNaN: true }).map((v) => v.toFixed(3)), { minLength: 2, maxLength: 8 }),
  fc.nat(),
  fc.constantFrom("empty", "NaN", "inf", "text", "ragged", "truncated quote", "no rows"),
).map(([cells, i, how]) => {
  // Two columns (y and an unused w), so that an empty y cell is not a blank line.
  const rows = [...cells];
  const k = i % rows.length;
  if (how === "empty") rows[k] = "";
  if (how === "NaN") rows[k] = "NaN";
  if (how === "inf") rows[k] = "-inf";
  if (how === "text") rows[k] = "abc";
  if (how === "ragged") rows[k] = `${rows[k]},7`;
  if (how === "truncated quote") rows[k] = `"${rows[k]}`;
  const text = how === "no rows" ? "y,w\n" : `y,w\n${rows.map((r) => `${r},1`).join("\n")}\n`;
  return { kind: `csv ${how}`, ext: "csv" as const, model: "normal" as const, text };
});

/** The first line says where: `error: DATA...`, `DATA:...`, or `normal.dlm:LINE:COL: error:`. */
function located(first: string, dataPath: string): boolean {
  return first.startsWith(`error: ${dataPath}`) || first.startsWith(`${dataPath}:`) || new RegExp(`^(error: .*)?${NORMAL.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: `).test(first);
}

describe("dlm sample on bad data files", () => {
  const cases = [
    ...fc.sample(badJson, { seed: SEED, numRuns: 6 }),
    ...fc.sample(badCsv, { seed: SEED + 1, numRuns: 3 }),
  ];

  it("has cases of every kind", () => {
    const kinds = new Set(cases.map((c) => c.kind.split(" ")[0]));
    expect(kinds.size).toBeGreaterThan(3);
  });

  it("each exits 1 with one located message, no stack trace, no output file, within 30 s", async () => {
    const results: { c: BadData; data: string; out: string; r: CliResult }[] = [];
    for (let start = 0; start < cases.length; start += 2) {
      const batch = cases.slice(start, start + 2).map(async (c, j) => {
        const n = start + j;
        const data = join(tmp, `case-${n}.${c.ext}`);
        writeFileSync(data, c.text);
        const out = join(tmp, `out-${n}`);
        const r = await dlm(["sample", NORMAL, "--model", c.model, "--data", data, "--chains", "2", "--warmup", "5", "--draws", "5", "--output", out, "--quiet"], { timeoutMs: 30_000 });
        return { c, data, out, r };
      });
      results.push(...(await Promise.all(batch)));
    }
    for (const { c, data, out, r } of results) {
      const label = `${c.kind}: ${JSON.stringify(c.text.slice(0, 200))}\n${r.stderr}`;
      expect(r.timedOut, label).toBe(false);
      expect(r.code, label).toBe(1);
      expect(hasStackTrace(r.stderr), label).toBe(false);
      expect(r.stdout, label).toBe("");
      const lines = r.stderr.trimEnd().split("\n");
      expect(located(lines[0]!, data), label).toBe(true);
      // One message: one unindented line (a located diagnostic adds indented source and caret lines).
      expect(lines.filter((l) => !/^\s/.test(l)), label).toHaveLength(1);
      expect(existsSync(`${out}-1.csv`) || existsSync(`${out}-2.csv`), label).toBe(false);
    }
    expect(readdirSync(tmp).filter((f) => f.startsWith("out-") || f.includes(".tmp"))).toEqual([]);
  }, 120_000);
});
