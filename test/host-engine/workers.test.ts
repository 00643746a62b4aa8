/**
 * Chains of a host-engine model on worker threads (inference/mcmc/workers.ts) against the
 * same run in this thread: each chain draws from its own keys with the same float64
 * arithmetic wherever it runs, so the draws must be identical, not just alike. Also: Ctrl-C
 * (an aborted signal) returns the draws so far from every worker, and a start that fails in
 * a worker fails with the in-thread message that names the statement.
 */
import { afterEach, describe, expect, it } from "vitest";
import { sample } from "../../inference/mcmc/index.js";
import { workerCount } from "../../inference/mcmc/workers.js";
import { posteriorModel } from "../../interpreter/instance.js";
import { compile, modelInstance } from "../../interpreter/program.js";
import { linkProgram } from "../../core/exec/host/compile-link.js";
import { dataAvailable, instantiatePosterior, loadPosterior, posteriorNames } from "../../bench/posteriordb/posteriors.js";

const SOURCE = `
model schools(J, y, sigma) {
  z ~ Normal(0, 1, size = J)
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(5)
  y ~ Normal(mu + tau * z, sigma)
}
model impossible(y) {
  mu ~ Normal(0, 1)
  y ~ Uniform(mu - 1, mu + 1)
}
`;
const prog = compile(SOURCE);
const schools = posteriorModel(modelInstance(prog, "schools", { J: 8, y: [28, 8, -3, 7, -1, 1, 18, 12], sigma: [15, 10, 16, 11, 9, 11, 10, 18] }), { engine: "host" });

const saved = process.env.DLM_WORKERS;
const withWorkers = (n: string): void => {
  process.env.DLM_WORKERS = n;
};
afterEach(() => {
  if (saved === undefined) delete process.env.DLM_WORKERS;
  else process.env.DLM_WORKERS = saved;
});

describe("NUTS chains on worker threads", () => {
  it("draw exactly what the same chains draw in this thread", async () => {
    expect(schools.hostProgram).toBeDefined();
    const options = { chains: 3, warmup: 150, draws: 100, seed: 11 };
    withWorkers("2");
    expect(workerCount(3)).toBe(2);
    const threaded = await sample(schools, options);
    withWorkers("0");
    expect(workerCount(3)).toBe(0);
    const local = await sample(schools, options);
    expect(threaded.chains).toBe(3);
    expect(threaded.nDraws).toBe(100);
    for (let c = 0; c < 3; c++) {
      expect(Array.from(threaded.draws[c]!)).toEqual(Array.from(local.draws[c]!));
      expect(Array.from(threaded.stats[c]!.n_leapfrog__)).toEqual(Array.from(local.stats[c]!.n_leapfrog__));
      expect(Array.from(threaded.inverseMetric[c]!)).toEqual(Array.from(local.inverseMetric[c]!));
    }
    expect(threaded.stepSize).toEqual(local.stepSize);
    expect(threaded.gradientEvaluations).toBeGreaterThan(0);
  }, 120_000);

  it("stop at an aborted signal and return every chain's completed draws", async () => {
    withWorkers("2");
    const stop = new AbortController();
    const r = await sample(schools, {
      chains: 2,
      warmup: 20,
      draws: 100_000,
      seed: 3,
      signal: stop.signal,
      onProgress: (info) => {
        if (info.phase === "sampling" && info.iteration >= 5) stop.abort();
      },
    });
    expect(r.interrupted).toBe(true);
    expect(r.nDraws).toBeGreaterThanOrEqual(5);
    expect(r.nDraws).toBeLessThan(100_000);
    for (const d of r.draws) expect(d.length).toBe(r.nDraws * r.dim);
    for (const s of r.stats) expect(s.lp__.length).toBe(r.nDraws);
  }, 120_000);

  it("where a worker cannot run, the chains run in this thread with the same draws", async () => {
    withWorkers("2");
    const broken = { ...schools, hostProgram: { ...schools.hostProgram!, source: "this is not JavaScript (" } };
    const options = { chains: 2, warmup: 50, draws: 30, seed: 8 };
    const r = await sample(broken, options);
    expect(r.threads).toBe(1);
    withWorkers("0");
    const local = await sample(schools, options);
    for (let c = 0; c < 2; c++) expect(Array.from(r.draws[c]!)).toEqual(Array.from(local.draws[c]!));
  }, 120_000);

  it("fail to start with the message that names the statement", async () => {
    withWorkers("2");
    const impossible = posteriorModel(modelInstance(prog, "impossible", { y: 5 }), { engine: "host" });
    await expect(sample(impossible, { chains: 2, warmup: 10, draws: 10, seed: 1 })).rejects.toThrow(/initialisation failed.*y ~ Uniform/s);
  }, 120_000);
});

describe.skipIf(!dataAvailable())("every posteriordb translation", () => {
  it("compiles to a program that worker threads can link", () => {
    for (const name of posteriorNames()) {
      const m = posteriorModel(instantiatePosterior(loadPosterior(name)), { engine: "host" });
      expect(m.hostProgram, name).toBeDefined();
      // the linked copy computes what the original computes
      const link = linkProgram(m.hostProgram!);
      const q = Float64Array.from({ length: m.dim }, (_, i) => 0.1 * Math.sin(i + 1));
      const [g1, g2] = [new Float64Array(m.dim), new Float64Array(m.dim)];
      expect(link(q, g2, 0), name).toBe(m.hostValueAndGrad!(q, g1, 0));
      expect(Array.from(g2), name).toEqual(Array.from(g1));
    }
  }, 120_000);
});
