/**
 * Every example script runs end to end with short settings (draws and warm-up cut to 20,
 * 2 chains, trees of depth ≤ 3): it must finish without errors and print its summary.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runScript } from "../../interpreter/script.js";
import { short } from "../examples/quick.js";

// bnn (with its training and ADVI runs) is run in quick mode by test/examples/networks.test.ts.
const EXAMPLES = ["linreg", "eight_schools", "logistic"];

describe.each(EXAMPLES)("examples/%s.dlm", (name) => {
  it("runs with short settings and prints a summary", async () => {
    const file = `examples/${name}.dlm`;
    const out: string[] = [];
    const err: string[] = [];
    const code = await runScript(short(readFileSync(file, "utf8")), { file, out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(err.filter((l) => l.includes("error"))).toEqual([]);
    expect(code).toBe(0);
    expect(out.some((l) => /^name\s+mean\s+sd/.test(l))).toBe(true);
  }, 60000);
});
