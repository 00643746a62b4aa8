/**
 * `include` end to end: `dlm check` follows includes as `dlm run` does (the names they define are
 * known; their problems are reported in the included file; a missing file is one error at the
 * include), and a file that is not .dlm source (binary, or a CSV/JSON file) is one clear error
 * at the include statement for both commands instead of an error per line.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dlm, hasStackTrace, type CliResult } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "dlm-include-"));
mkdirSync(join(tmp, "lib"));
const file = (name: string, text: string | Buffer): string => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

/** The `file:line:col: error:` lines of a report. */
const errorLines = (r: CliResult): string[] => r.stderr.split("\n").filter((l) => /(^|: )error: /.test(l));

describe.concurrent("dlm check follows include", () => {
  it("names an included file defines (through a relative path, and its own includes) are known", async () => {
    file("lib/more.dlm", "fn triple(x) = 3 * x\n");
    file("lib/defs.dlm", "include \"more.dlm\"\nfn double(x) = 2 * x\nmodel m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(double(mu), 1)\n}\n");
    const main = file("main.dlm", "include \"lib/defs.dlm\"\nx = double(2) + triple(1)\ninst = m([1.0, 2.0])\nprint(x)\n");
    const [check, run] = await Promise.all([dlm(["check", main]), dlm(["run", main])]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toBe(`${main}: ok\n`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("7\n");
  });

  it("problems in an included file are located in that file; a missing include is one error at its statement", async () => {
    file("lib/broken.dlm", "fn half(x) = x / 2\ny = undefined_name + 1\ninclude \"absent.dlm\"\n");
    const main = file("uses-broken.dlm", "include \"lib/broken.dlm\"\nprint(half(4))\n");
    const r = await dlm(["check", main]);
    expect(r.code).toBe(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    const broken = join(tmp, "lib/broken.dlm");
    expect(errorLines(r)).toEqual([
      `${broken}:2:5: error: unknown name \`undefined_name\``,
      `${broken}:3:1: error: cannot read the included file ${join(tmp, "lib/absent.dlm")}`,
    ]);
    expect(r.stderr).toContain(" 2 | y = undefined_name + 1");
    // `dlm run` stops at the first of them, in the same place
    const run = await dlm(["run", main]);
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")[0]).toBe(`${broken}:2:5: error: unknown name \`undefined_name\``);
  });

  it("a missing included file: one error naming it", async () => {
    const main = file("missing.dlm", "include \"nowhere.dlm\"\nx = 1\n");
    const r = await dlm(["check", main]);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([`${main}:1:1: error: cannot read the included file ${join(tmp, "nowhere.dlm")}`]);
    expect(r.stderr).toContain("hint: paths are relative to the including file");
  });
});

describe.concurrent("include of a file that is not .dlm source", () => {
  const csvLines = ["x,y,label", ...Array.from({ length: 300 }, (_, i) => `${i * 0.5},${(i * 7) % 13},${i % 2}`)].join("\n") + "\n";

  it("a CSV file: one error at the include statement, naming the first problem, for check and run", async () => {
    file("data.csv", csvLines);
    const main = file("csv.dlm", "include \"data.csv\"\nprint(1)\n");
    for (const r of await Promise.all([dlm(["check", main]), dlm(["run", main])])) {
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(errorLines(r), r.stderr).toHaveLength(1);
      expect(errorLines(r)[0]).toMatch(new RegExp(`^${main}:1:1: error: \`include "data.csv"\`: .*data\\.csv does not look like \\.dlm source \\(\\d+ syntax errors in its first lines, the first at 1:\\d+: `));
      expect(r.stderr).toContain("read data with read_csv or read_json");
      expect(r.stderr.split("\n").length).toBeLessThan(8);
    }
  });

  it("a JSON data file: one error at the include", async () => {
    file("data.json", '{"y": [1, 2, 3], "N": 3}\n');
    const r = await dlm(["check", file("json.dlm", "include \"data.json\"\n")]);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toHaveLength(1);
    expect(errorLines(r)[0]).toMatch(/error: `include "data\.json"`: .*data\.json does not look like \.dlm source \((a syntax error|\d+ syntax errors in its first lines, the first) at 1:1: /);
  });

  it("binary bytes, even in a file named .dlm: one error saying so", async () => {
    // a PNG-like header and pseudo-random bytes (no text at all)
    const bytes = Buffer.alloc(4096);
    let state = 12345;
    for (let i = 0; i < bytes.length; i++) bytes[i] = (state = (state * 1103515245 + 12345) % 2 ** 31) >> 16 & 0xff;
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
    file("image.png", bytes);
    file("lib/blob.dlm", bytes);
    const cases = [["png.dlm", "image.png", "check"], ["blob.dlm", "lib/blob.dlm", "check"], ["blob.dlm", "lib/blob.dlm", "run"]] as const;
    const results = await Promise.all(cases.map(([name, target, command]) => dlm([command, file(name, `include "${target}"\n`)])));
    cases.forEach(([name, target], k) => {
      const r = results[k]!;
      expect(r.code).toBe(1);
      expect(errorLines(r), r.stderr).toEqual([`${join(tmp, name)}:1:1: error: \`include "${target}"\`: ${join(tmp, target)} is not a .dlm source file (it holds binary data)`]);
      expect(r.stderr.split("\n").length).toBeLessThan(8);
    });
  });

  it("an included file without .dlm that is valid source is included as usual", async () => {
    file("lib/defs.txt", "fn inc(x) = x + 1\n");
    const main = file("txt.dlm", "include \"lib/defs.txt\"\nprint(inc(1))\n");
    const [check, run] = await Promise.all([dlm(["check", main]), dlm(["run", main])]);
    expect(check.code, check.stderr).toBe(0);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("2\n");
  });
});
