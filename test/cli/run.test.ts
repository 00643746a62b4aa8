/**
 * `dlm run` with a long `sample`: plain progress lines on stderr off a terminal; SIGINT stops the
 * sample after the current iteration and the script goes on with the completed draws (its
 * summary on stdout, its `save` written), then exits 130. With --quiet no progress is shown.
 * Warnings (summary's, a slow loop's) go to stderr, each once.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCmdStanCsv } from "../../inference/draws/index.js";
import { dlm, FIXTURES, hasStackTrace } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "dlm-run-"));

describe("dlm run", () => {
  it("SIGINT stops a running sample, keeps its draws, and the script goes on (exit 130)", async () => {
    const script = join(tmp, "interrupt.dlm");
    writeFileSync(script, readFileSync(join(FIXTURES, "interrupt.dlm"), "utf8").replace("__OUT__", "kept.csv"));
    let sent = false;
    const r = await dlm(["run", script], {
      onStderr: (child, stderr) => {
        if (!sent && /\(Sampling\)/.test(stderr)) {
          sent = true;
          child.kill("SIGINT");
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(hasStackTrace(r.stderr)).toBe(false);
    // per-chain divergence counts (early warm-up may already have some: its step size is still being found)
    expect(r.stderr).toMatch(/Iteration:\s+1 \/ 1000020 \[\s*0%\]\s+\(Warmup\)\s+divergences: \d+ \d+/);
    const kept = Number(/interrupted: `sample` kept the (\d+) completed draws per chain \(of 1000000\)/.exec(r.stderr)?.[1]);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(1000000);
    // the statements after the sample ran: print, summary, save (one CSV per chain with the kept draws)
    expect(r.stdout).toMatch(/^after sample\nname\s+mean/);
    expect(r.stdout).toMatch(/\nmu\s+\S+/);
    for (const c of [1, 2]) expect(readCmdStanCsv(readFileSync(join(tmp, `kept-${c}.csv`), "utf8")).chain.values[0]!.length).toBe(kept);
  }, 120_000);

  it("summary's table goes to stdout and its warnings to stderr; a slow loop is warned about once, on stderr", async () => {
    const script = join(tmp, "warnings.dlm");
    writeFileSync(script, "model m(y) {\n  mu ~ Normal(0, 10)\n  for i in 1:length(y) {\n    y[i] ~ Normal(mu, 1)\n  }\n}\n" +
      "post = sample(m([1.0, 2.0]), draws = 20, warmup = 20, chains = 2)\nsummary(post)\n");
    const r = await dlm(["run", script]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^name\s+mean/);
    expect(r.stdout).toMatch(/\nmu\s+\S+/);
    expect(r.stdout).not.toMatch(/warning|ESS|R-hat/);
    expect(r.stderr).toMatch(/\nwarning: .*(ESS|R-hat)/);
    const loops = r.stderr.split("\n").filter((l) => l.includes("runs once per loop iteration"));
    expect(loops, r.stderr).toEqual([`${script}:4:5: warning: this \`~\` runs once per loop iteration; one statement on the whole vector is the same model and much faster: write \`y ~ Normal(mu, 1)\` once, before the loop, instead of this statement`]);
  }, 120_000);

  it("--quiet shows no progress; a completed run exits 0", async () => {
    const script = join(tmp, "short.dlm");
    writeFileSync(script, "model m(y) {\n  mu ~ Normal(0, 10)\n  y ~ Normal(mu, 1)\n}\npost = sample(m([1.0]), draws = 20, warmup = 20, chains = 1)\nprint(\"done\")\n");
    const [quiet, loud] = await Promise.all([dlm(["run", script, "--quiet"]), dlm(["run", script])]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe("done\n");
    expect(quiet.stderr).not.toMatch(/Iteration:/);
    expect(loud.code, loud.stderr).toBe(0);
    expect(loud.stderr).toMatch(/Iteration: 40 \/ 40 \[100%\]\s+\(Sampling\)/);
  }, 120_000);
});
