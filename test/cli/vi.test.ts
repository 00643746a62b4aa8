/**
 * `dlm vi` end to end: ADVI's draws land in a CmdStan-layout CSV that `dlm summary` reads, and
 * its posterior means, and those of Bayes by Backprop (`--method bbb`, mean-field and with
 * `--covariance lowrank --rank 1`), agree with NUTS's on the same model and data to within a
 * fraction of a posterior sd; bad options are usage errors.
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
  it("writes CmdStan-layout draws and reports means within half a posterior sd of NUTS's, by ADVI and by Bayes by Backprop (--method bbb, mean-field and --covariance lowrank)", async () => {
    const [vi, nuts, bbb, lowrank] = await Promise.all([
      dlm(["vi", NORMAL, "--model", "normal", "--data", DATA, "--draws-per-step", "10", "--tol", "0.001", "--draws", "2000", "--output", join(tmp, "q"), "--json", "--quiet"]),
      dlm(["sample", NORMAL, "--model", "normal", "--data", DATA, "--output", join(tmp, "nuts"), "--json", "--quiet"]),
      dlm(["vi", NORMAL, "--model", "normal", "--data", DATA, "--method", "bbb", "--epochs", "600", "--lr", "0.05", "--draws-per-step", "4", "--output", join(tmp, "b"), "--json", "--quiet"]),
      dlm(["vi", NORMAL, "--model", "normal", "--data", DATA, "--method", "bbb", "--covariance", "lowrank", "--rank", "1", "--epochs", "600", "--lr", "0.05", "--draws-per-step", "4", "--output", join(tmp, "l"), "--json", "--quiet"]),
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
    // --method bbb: Bayes by Backprop, its run's epochs in the JSON (20 rows: one batch, one step an epoch).
    expect(bbb.code, bbb.stderr).toBe(0);
    const b = JSON.parse(bbb.stdout) as Report & { method: string; covariance: string; epochs: number; iterations: number; files: string[]; history: unknown[] };
    expect([b.method, b.epochs, b.iterations, b.history.length]).toEqual(["bbb", 600, 600, 600]);
    expect(b.files).toEqual([join(tmp, "b-1.csv")]);
    for (const name of ["mu", "sigma"]) {
      expect(Math.abs(b.parameters[name]!.mean - p.parameters[name]!.mean)).toBeLessThan(0.5 * p.parameters[name]!.sd);
    }
    expect(lowrank.code, lowrank.stderr).toBe(0);
    const l = JSON.parse(lowrank.stdout) as Report & { covariance: string; rank: number };
    expect([l.covariance, l.rank, b.covariance]).toEqual(["lowrank", 1, "meanfield"]);
    for (const name of ["mu", "sigma"]) {
      expect(Math.abs(l.parameters[name]!.mean - p.parameters[name]!.mean)).toBeLessThan(0.5 * p.parameters[name]!.sd);
    }
    const summary = await dlm(["summary", join(tmp, "q-1.csv"), "--json"]);
    expect(summary.code, summary.stderr).toBe(0);
    expect((JSON.parse(summary.stdout) as Report).parameters["mu"]!.mean).toBeCloseTo(q.parameters["mu"]!.mean, 6);
  }, 120_000);

  it("bad options are usage errors (exit 2)", async () => {
    const r = await dlm(["vi", NORMAL, "--model", "normal", "--data", DATA, "--method", "lowrank"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--method/);
    const advi = await dlm(["vi", NORMAL, "--model", "normal", "--data", DATA, "--method", "bbb", "--iterations", "10"]);
    expect(advi.code).toBe(2);
    expect(advi.stderr).toMatch(/--iterations is an option of ADVI/);
    const covariance = await dlm(["vi", NORMAL, "--model", "normal", "--data", DATA, "--covariance", "full"]);
    expect(covariance.code).toBe(2);
    expect(covariance.stderr).toMatch(/--covariance is an option of Bayes by Backprop/);
    const rank = await dlm(["vi", NORMAL, "--model", "normal", "--data", DATA, "--method", "bbb", "--rank", "2"]);
    expect(rank.code).toBe(2);
    expect(rank.stderr).toMatch(/--rank is the rank of --covariance lowrank/);
  });
});
