/**
 * Ctrl-C at random moments: `dlm sample` and `dlm train` on long runs get SIGINT after seeded
 * random delays (before, during and after start-up). Each exits 130 (or dies by the SIGINT
 * itself when it arrives before the command installs its handler, which a shell reports as
 * 130; or 0 had it finished); every output file that exists parses completely; no temporary
 * file is left in the output folder.
 */
import fc from "fast-check";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCmdStanCsv } from "../../inference/draws/csv-read.js";
import { DLM, FIXTURES, hasStackTrace, ROOT, type CliResult } from "./run-cli.js";

const SEED = 20261206;
const NORMAL = join(FIXTURES, "normal.dlm");
const NORMAL_DATA = join(FIXTURES, "normal.json");
const tmp = mkdtempSync(join(tmpdir(), "dlm-sigint-"));

/** Runs `dlm ...args`, sends SIGINT after `delay` ms, and SIGKILL (a hang) 30 s later. */
function interrupted(args: readonly string[], delay: number, fromOutput: boolean): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(DLM[0], [...DLM.slice(1), ...args], { cwd: ROOT, env: { ...process.env, DLM_HISTORY: "/dev/null" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    let sent = false;
    const interrupt = (): void => {
      if (sent) return;
      sent = true;
      child.kill("SIGINT");
      killer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, 30_000);
    };
    // From the spawn (start-up), or from the first progress on stderr (the run under way; 20 s at most).
    let timer = setTimeout(interrupt, fromOutput ? 20_000 : delay);
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      if (fromOutput && stderr === "" && !sent) {
        clearTimeout(timer);
        timer = setTimeout(interrupt, delay);
      }
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

function expectStopped(r: CliResult, label: string): void {
  expect(r.timedOut, label).toBe(false);
  const ok = r.code === 130 || r.code === 0 || (r.code === null && r.signal === "SIGINT");
  expect(ok, `${label}: code ${r.code}, signal ${r.signal}\n${r.stderr}`).toBe(true);
  expect(hasStackTrace(r.stderr), `${label}\n${r.stderr}`).toBe(false);
}

/** No temporary or stray files: only the expected outputs. */
function expectOnly(dir: string, allowed: readonly string[], label: string): void {
  const stray = readdirSync(dir).filter((f) => !allowed.includes(f));
  expect(stray, label).toEqual([]);
}

// Three delays: one from the spawn (during start-up), two from the first progress line (during the run).
const delays = (seed: number): [number, boolean][] => {
  const [a, b, c] = fc.sample(fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 500, max: 4000 })), { seed, numRuns: 1 })[0]!;
  return [[a, false], [b, true], [c, true]];
};

describe("SIGINT at random moments", () => {
  it("dlm sample: 130 (or 0), whole CSVs, no temporary files", async () => {
    const ds = delays(SEED);
    const results = await Promise.all(
      ds.map(async ([delay, fromOutput], i) => {
        const dir = join(tmp, `sample-${i}`);
        mkdirSync(dir);
        const r = await interrupted(["sample", NORMAL, "--model", "normal", "--data", NORMAL_DATA, "--chains", "2", "--warmup", "30", "--draws", "200000", "--seed", String(i + 1), "--output", join(dir, "run")], delay, fromOutput);
        return { r, dir, delay: `${delay} ms${fromOutput ? " after the first progress" : ""}` };
      }),
    );
    for (const { r, dir, delay } of results) {
      const label = `sample, SIGINT ${delay}`;
      expectStopped(r, label);
      expectOnly(dir, ["run-1.csv", "run-2.csv"], label);
      const written = ["run-1.csv", "run-2.csv"].filter((f) => existsSync(join(dir, f)));
      // Both chains or neither.
      expect([0, 2], label).toContain(written.length);
      for (const f of written) {
        const csv = readCmdStanCsv(readFileSync(join(dir, f), "utf8"));
        expect(csv.names, label).toContain("mu");
        const n = csv.chain.values[0]!.length;
        expect(n, label).toBeGreaterThan(0);
        for (const v of csv.chain.values) {
          expect(v.length, label).toBe(n);
          expect(v.every(Number.isFinite), label).toBe(true);
        }
        // The header's draw count agrees with the rows (a whole file, not a prefix).
        const kept = Object.entries(csv.config).find(([k]) => /num_samples$/.test(k))?.[1];
        if (kept !== undefined) expect(Number(kept), label).toBe(n);
      }
      if (r.code === 130 && written.length === 0) expect(r.stderr, label).toMatch(/interrupted/);
    }
    // Not vacuous: the late interrupt stopped sampling and kept its draws.
    expect(results.some(({ r, dir }) => r.code === 130 && existsSync(join(dir, "run-1.csv"))), results.map(({ r }) => `${r.code}/${r.signal}`).join(" ")).toBe(true);
  }, 90_000);

  it("dlm train: 130 (or 0), the fit and the checkpoint parse as JSON, no temporary files", async () => {
    const ds = delays(SEED + 1);
    const results = await Promise.all(
      ds.map(async ([delay, fromOutput], i) => {
        const dir = join(tmp, `train-${i}`);
        mkdirSync(dir);
        const r = await interrupted(["train", NORMAL, "--model", "normal", "--data", NORMAL_DATA, "--epochs", "1000000", "--batchsize", "5", "--seed", String(i + 1), "--output", join(dir, "fit.json")], delay, fromOutput);
        return { r, dir, delay: `${delay} ms${fromOutput ? " after the first progress" : ""}` };
      }),
    );
    for (const { r, dir, delay } of results) {
      const label = `train, SIGINT ${delay}`;
      expectStopped(r, label);
      expectOnly(dir, ["fit.json", "fit.json.ckpt"], label);
      for (const f of ["fit.json", "fit.json.ckpt"]) {
        const p = join(dir, f);
        if (existsSync(p)) expect(() => JSON.parse(readFileSync(p, "utf8")), `${label}: ${f}`).not.toThrow();
      }
      if (r.code === 130) expect(existsSync(join(dir, "fit.json")), `${label}\n${r.stderr}`).toBe(true);
    }
    expect(results.some(({ r }) => r.code === 130), results.map(({ r }) => `${r.code}/${r.signal}`).join(" ")).toBe(true);
  }, 90_000);
});
