/**
 * `dlm train` end to end: the MAP it writes satisfies the model's stationarity conditions,
 * `--json` reports it, the optimiser names are the registry's, and Ctrl-C leaves a readable
 * checkpoint from which `--resume` reaches exactly the uninterrupted run's parameters.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OPTIMISER_NAMES } from "../../cli/commands/train.js";
import { OPTIMISERS } from "../../nn/index.js";
import { dlm, FIXTURES, hasStackTrace } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "dlm-train-cli-"));
const NORMAL = join(FIXTURES, "normal.dlm");

interface FitFile {
  latents: Record<string, number | number[]>;
  info: { interrupted: boolean; epochs: number };
}

describe("dlm train", () => {
  it("names every optimiser of the registry", () => {
    expect([...OPTIMISER_NAMES].sort()).toEqual(Object.keys(OPTIMISERS).map((k) => k.toLowerCase()).sort());
  });

  it("finds the MAP of a normal model: both partial derivatives of the log joint vanish there", async () => {
    const y = (JSON.parse(readFileSync(join(FIXTURES, "normal.json"), "utf8")) as { y: number[] }).y;
    const out = join(tmp, "normal-fit.json");
    const r = await dlm(["train", NORMAL, "--model", "normal", "--data", join(FIXTURES, "normal.json"), "--lr", "0.1", "--epochs", "800", "--schedule", "cosine", "--output", out, "--json", "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { values: { mu: number; sigma: number }; epochs: number; output: string };
    expect(report.epochs).toBe(800);
    expect(report.output).toBe(out);
    const { mu, sigma } = report.values;
    // mu ~ N(0, 10), sigma ~ HalfNormal(5), y ~ N(mu, sigma), without the Jacobian:
    // ∂/∂mu = Σ(y − mu)/σ² − mu/100,  ∂/∂σ = −n/σ + Σ(y − mu)²/σ³ − σ/25.
    const n = y.length;
    const s1 = y.reduce((a, v) => a + (v - mu), 0);
    const s2 = y.reduce((a, v) => a + (v - mu) ** 2, 0);
    expect(Math.abs(s1 / sigma ** 2 - mu / 100)).toBeLessThan(1e-3 * (n / sigma ** 2));
    expect(Math.abs(-n / sigma + s2 / sigma ** 3 - sigma / 25)).toBeLessThan(1e-3 * (n / sigma));
    const saved = JSON.parse(readFileSync(out, "utf8")) as FitFile;
    expect(saved.latents["mu"]).toBeCloseTo(mu, 5);
  }, 60_000);

  it("Ctrl-C leaves a readable checkpoint, exit 130; --resume ends where the uninterrupted run ends", async () => {
    // 200 rows of a linear model with two features.
    const x = Array.from({ length: 200 }, (_, i) => [Math.sin(i), Math.cos(1.3 * i)]);
    const yv = x.map(([a, b], i) => 1 + 2 * a! - b! + 0.5 * Math.sin(7.1 * i));
    const data = join(tmp, "lin.json");
    writeFileSync(data, JSON.stringify({ x, y: yv }));
    const common = ["train", NORMAL, "--model", "linreg", "--data", data, "--epochs", "300", "--batchsize", "20", "--seed", "5", "--lr", "0.01"];
    const whole = await dlm([...common, "--output", join(tmp, "a.json"), "--quiet"]);
    expect(whole.code, whole.stderr).toBe(0);

    let sent = false;
    const stopped = await dlm([...common, "--output", join(tmp, "b.json")], {
      onStderr: (child, stderr) => {
        if (!sent && /Epoch\s+30 \/ 300/.test(stderr)) {
          sent = true;
          child.kill("SIGINT");
        }
      },
    });
    expect(sent).toBe(true);
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(hasStackTrace(stopped.stderr)).toBe(false);
    expect(stopped.stderr).toMatch(/interrupted: `train` stopped after \d+ steps; .*b\.json\.ckpt holds epoch \d+/);
    const b = JSON.parse(readFileSync(join(tmp, "b.json"), "utf8")) as FitFile;
    expect(b.info.interrupted).toBe(true);
    const ckpt = JSON.parse(readFileSync(join(tmp, "b.json.ckpt"), "utf8")) as { epoch: number; format: string };
    expect(ckpt.format).toBe("dlm-train-checkpoint");
    expect(ckpt.epoch).toBeGreaterThanOrEqual(30);
    expect(ckpt.epoch).toBeLessThan(300);

    const resumed = await dlm([...common, "--resume", join(tmp, "b.json.ckpt"), "--output", join(tmp, "c.json"), "--quiet"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(tmp, "a.json"), "utf8")) as FitFile;
    const c = JSON.parse(readFileSync(join(tmp, "c.json"), "utf8")) as FitFile;
    expect(c.info.epochs).toBe(300);
    expect(c.latents).toEqual(a.latents);
  }, 120_000);
});
