/**
 * The CSV reader of data tables: numbers and text columns read back exactly; a missing cell,
 * a mixed column or a ragged row is one located CsvError (never codes, never another
 * exception), for `read_csv` in a script as for the reader itself.
 */
import fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CsvError, parseCsvTable } from "./csv-table.js";
import { runScript } from "./script.js";

const SEED = { seed: 20261206, numRuns: 200 };

function numbers(text: string): Record<string, number[]> {
  const t = parseCsvTable(text, "t.csv");
  return Object.fromEntries(t.columns.map((c) => [c.name, c.kind === "number" ? [...c.values] : []]));
}

describe("parseCsvTable", () => {
  it("reads numbers, CmdStan's inf/nan spellings, quoted cells and text columns; skips comments and blank lines", () => {
    expect(numbers('# note\nx,y\n1, 2.5e1\n\n"3",-inf\n-0.5,NaN\n')).toEqual({ x: [1, 3, -0.5], y: [25, -Infinity, NaN] });
    const t = parseCsvTable("g,h\nb,#1\na,\"c, d\"\n", "t.csv");
    expect(t.columns).toEqual([
      { kind: "text", name: "g", cells: ["b", "a"] },
      { kind: "text", name: "h", cells: ["#1", "c, d"] },
    ]);
  });

  it("locates every kind of malformed table by file, line and column", () => {
    const cases: [string, RegExp][] = [
      ["x,y\n1.0,2.0\n2.0,NA\n3.0,4.1\n", /^t\.csv:3: column 'y' has a missing value \("NA"\)/],
      ["x,y\n# c\n1,2\n\n2,\n", /^t\.csv:5: column 'y' has a missing value \(an empty cell\)/],
      ["x\na\nb\nnull\n", /^t\.csv:4: column 'x' has a missing value \("null"\)/],
      ["x\n1\n2\nthree\n", /^t\.csv:4: column 'x' mixes numbers \("1" on line 2\) and text \("three"\)/],
      ["x,y\n1,2\n3\n", /^t\.csv:3: 1 field, but the header has 2/],
      ["x,x\n1,2\n", /^t\.csv:1: the header names column 'x' twice/],
      ["x,\n1,2\n", /^t\.csv:1: column 2 has an empty name/],
      ["x\n", /^t\.csv: the CSV file has a header but no data rows/],
      ["", /^t\.csv: the CSV file is empty/],
      ['x\n"1\n', /^t\.csv:2: malformed CSV/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseCsvTable(text, "t.csv"), JSON.stringify(text)).toThrow(CsvError);
      expect(() => parseCsvTable(text, "t.csv"), JSON.stringify(text)).toThrow(message);
    }
  });

  it("reads any numeric table back exactly (property)", () => {
    const table = fc.integer({ min: 1, max: 5 }).chain((w) =>
      fc.array(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: w, maxLength: w }), { minLength: 1, maxLength: 20 }),
    );
    fc.assert(
      fc.property(table, (rows) => {
        const header = rows[0]!.map((_, j) => `c${j}`);
        const text = [header.join(","), ...rows.map((r) => r.map(String).join(","))].join("\n");
        const got = numbers(text);
        // String(-0) is "0", so −0 is expected back as +0 (x + 0 maps −0 to +0).
        header.forEach((h, j) => expect(got[h]).toEqual(rows.map((r) => r[j]! + 0)));
      }),
      SEED,
    );
  });

  it("a missing cell anywhere in a numeric table is an error at its line and column (property)", () => {
    const arb = fc.record({
      rows: fc.integer({ min: 1, max: 12 }),
      cols: fc.integer({ min: 1, max: 4 }),
      i: fc.nat(),
      j: fc.nat(),
      marker: fc.constantFrom("", "NA", "N/A", "null", "missing"),
    });
    fc.assert(
      fc.property(arb, ({ rows, cols, i, j, marker }) => {
        // A one-column row whose only cell is empty is a blank line, which CSV readers skip.
        fc.pre(!(cols === 1 && marker === ""));
        const [r, c] = [i % rows, j % cols];
        const body = Array.from({ length: rows }, (_, a) => Array.from({ length: cols }, (_, b) => (a === r && b === c ? marker : String(a + b / 10))));
        const text = [Array.from({ length: cols }, (_, b) => `v${b}`).join(","), ...body.map((x) => x.join(","))].join("\n");
        expect(() => parseCsvTable(text, "t.csv")).toThrow(new RegExp(`^t\\.csv:${r + 2}: column 'v${c}' has a missing value`));
      }),
      SEED,
    );
  });

  it("any text is either a table or one CsvError (property)", () => {
    const alphabet = fc.constantFrom(",", "\n", "\r\n", '"', "#", " ", "1", "2.5", "x", "NA", "-inf", "\u0000", "é");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), (parts) => {
        try {
          parseCsvTable(parts.join(""), "t.csv");
        } catch (e) {
          expect(e).toBeInstanceOf(CsvError);
          expect((e as Error).message).toMatch(/^t\.csv(:\d+)?: /);
        }
      }),
      SEED,
    );
  });
});

describe("read_csv in a script", () => {
  async function run(csv: string, body: string): Promise<{ code: number; out: string[]; err: string }> {
    const dir = mkdtempSync(join(tmpdir(), "dlm-csv-"));
    writeFileSync(join(dir, "d.csv"), csv);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runScript(`d = read_csv("d.csv")\n${body}`, { file: join(dir, "s.dlm"), out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err: err.join("\n") };
  }

  it("a numeric column with a missing cell is an error naming the file, line and column, not category codes", async () => {
    const r = await run("x,y\n1.0,2.0\n2.0,NA\n3.0,4.1\n", "print(d.y)\n");
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toMatch(/d\.csv:3: column 'y' has a missing value \("NA"\)/);
  });

  it("text columns become 1-based codes in sorted order; numeric columns keep their values", async () => {
    const r = await run("x,label\n1.5,b\n2.5,a\n3.5,b\n", "print(d.label)\nprint(d.x)\n");
    expect(r.err).toBe("");
    expect(r.out).toEqual(["[2, 1, 2]", "[1.5, 2.5, 3.5]"]);
  });
});
