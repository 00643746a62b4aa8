/**
 * End to end through a script: `sample` on conjugate models recovers the exact posterior
 * moments (through the constraining transform and its Jacobian for a positive parameter).
 * Gamma–Poisson: λ ~ Gamma(a, b) (rate b), y_i ~ Poisson(λ) gives λ | y ~ Gamma(a + Σy, b + N),
 * mean (a + Σy)/(b + N), sd sqrt(a + Σy)/(b + N). Normal–normal with known σ: μ ~ N(m0, s0²),
 * y_i ~ N(μ, σ²) gives precision 1/s0² + N/σ² and mean (m0/s0² + Σy/σ²)/precision.
 */
import { describe, expect, it } from "vitest";
import { createSession } from "../../interpreter/script.js";

async function posteriorRows(source: string): Promise<Map<string, { mean: number; sd: number; mcse: number }>> {
  const out: string[] = [];
  const err: string[] = [];
  const s = createSession({ file: "post.dlm", out: (l) => out.push(l), err: (l) => err.push(l), echo: false });
  expect(await s.run(source)).toBe(true);
  // Sampler warnings (short runs: low ESS) go to the error stream; nothing else may.
  expect(err.filter((l) => !l.startsWith("warning: "))).toEqual([]);
  const rows = new Map<string, { mean: number; sd: number; mcse: number }>();
  for (const line of out) {
    const cells = line.trim().split(/\s+/);
    if (cells.length >= 4 && cells[0] !== "name") rows.set(cells[0]!, { mean: Number(cells[1]), sd: Number(cells[2]), mcse: Number(cells[3]) });
  }
  return rows;
}

describe("posterior through a script", () => {
  it("gamma-Poisson: the posterior of a positive parameter", async () => {
    const y = [2, 4, 3, 0, 5, 3, 2, 4];
    const a = 2;
    const b = 0.5;
    const shape = a + y.reduce((s, v) => s + v, 0);
    const rate = b + y.length;
    const rows = await posteriorRows(`model gp(y) {\n  lambda ~ Gamma(${a}, ${b})\n  y ~ Poisson(lambda)\n}\npost = sample(gp([${y.join(", ")}]), NUTS(), draws = 200, warmup = 150, chains = 2, seed = 11)\nsummary(post)\n`);
    const lam = rows.get("lambda")!;
    expect(Math.abs(lam.mean - shape / rate)).toBeLessThan(5 * Math.max(lam.mcse, 0.01));
    expect(Math.abs(lam.sd - Math.sqrt(shape) / rate) / (Math.sqrt(shape) / rate)).toBeLessThan(0.15);
  }, 60000);

  it("normal-normal with known sigma", async () => {
    const y = [1.2, 0.4, 2.2, 1.7, 0.9, 1.5];
    const prec = 1 / 4 + y.length / 1;
    const mean = (0 / 4 + y.reduce((s, v) => s + v, 0)) / prec;
    const rows = await posteriorRows(`model nn(y) {\n  mu ~ Normal(0, 2)\n  y ~ Normal(mu, 1)\n}\npost = sample(nn([${y.join(", ")}]), NUTS(), draws = 200, warmup = 150, chains = 2, seed = 5)\nsummary(post)\n`);
    const mu = rows.get("mu")!;
    expect(Math.abs(mu.mean - mean)).toBeLessThan(5 * Math.max(mu.mcse, 0.01));
    expect(Math.abs(mu.sd - 1 / Math.sqrt(prec)) / (1 / Math.sqrt(prec))).toBeLessThan(0.15);
  }, 60000);
});
