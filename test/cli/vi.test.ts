/**
 * `dlm vi` end to end: ADVI's draws land in a CmdStan-layout CSV that `dlm summary` reads, and
 * its posterior means agree with NUTS's on the same model and data to within a fraction of a
 * posterior sd; bad options are usage errors.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCmdStanCsv } from "../../inference/draws/index.js";
import { dlm, FIXTURES, hasStackTrace } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "dlm-vi-cli-"));
const NORMAL = join(FIXTURES, "normal.dlm");
const DATA = join(FIXTURES, "normal.json");

interface Report {
  parameters: Record<string, { mean: number; sd: number }>;
}

describe("dlm vi", () => {
  it("writes CmdStan-layout draws and reports means within half a posterior sd of NUTS's", async () => {
    const [vi, nuts] = await Promise.all([
      dlm(["vi", NORMAL, "--model", "normal", "--data", DATA, "--draws-per-step", "10", "--tol", "0.001", "--draws", "2000", "--output", join(tmp, "q"), "--json", "--quiet"]),
      dlm(["sample", NORMAL, "--model", "normal", "--data", DATA, "--output", join(tmp, "nuts"), "--json", "--quiet"]),
    ]);
    expect(vi.code, vi.stderr).toBe(0);
    expect(nuts.code, nuts.stderr).toBe(0);
    expect(hasStackTrace(vi.stderr)).toBe(false);
    const q = JSON.parse(vi.stdout) as Report & { method: string; files: string[]; pareto_k: number };
    const p = JSON.parse(nuts.stdout) as Report;
    expect(q.method).toBe("meanfield");
    for (const name of ["mu", "sigma"]) {
      expect(Math.abs(q.parameters[name]!.mean - p.parameters[name]!.mean)).toBeLessThan(0.5 * p.parameters[name]!.sd);
    }
    expect(q.files).toEqual([join(tmp, "q-1.csv")]);
    const csv = readCmdStanCsv(readFileSync(join(tmp, "q-1.csv"), "utf8"));
    expect(csv.chain.values[0]!.length).toBe(2000);
    const summary = await dlm(["summary", join(tmp, "q-1.csv"), "--json"]);
    expect(summary.code, summary.stderr).toBe(0);
    expect((JSON.parse(summary.stdout) as Report).parameters["mu"]!.mean).toBeCloseTo(q.parameters["mu"]!.mean, 6);
  }, 120_000);

  it("bad options are usage errors (exit 2)", async () => {
    const r = await dlm(["vi", NORMAL, "--model", "normal", "--data", DATA, "--method", "lowrank"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--method/);
  });
});
