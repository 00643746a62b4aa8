/**
 * Simulation-based calibration of our NUTS (design/inference.md §9.2 item 4; Talts et al. 2018)
 * on three small models with constrained parameters, plus a negative control.
 *
 * Design: each replicate is one chain of a single lockstep `sample` call with its own data set
 * (models.ts), so one call runs all N replicates. Warm-up 200, then 195 draws thinned by 5 to
 * L = 39 draws per replicate (offline check, seed 11, 250 replicates per model: median bulk
 * ESS of the thinned draws ≈ 0.9–1.05 L for every parameter, 10% quantile ≥ 0.39 L), so the
 * draws are roughly independent. Ranks lie in {0 … 39}; B = 10 bins of 4 ranks, N = 200
 * replicates (20 expected per bin).
 *
 * Level and false-failure budget: each of the 10 tested parameters (2 + 2 + 6) is rejected
 * when its chi-square p-value (9 df) is below α = 0.001. By Bonferroni the probability that a
 * correct sampler fails any of them is at most 10 × 0.001 = 1% per choice of seeds (the seeds
 * are fixed, so a given build either passes or fails reproducibly). The negative control must
 * reach p < α as well.
 *
 * Power, measured while choosing the control (N = 200–250 replicates): a density whose prior on
 * μ has sd 0.5 instead of 1 gave only p = 3e-3 (∪-shaped ranks, not enough replicates), hence
 * sd 0.25 below; dropping log|J| = log σ in model (a) was NOT detected (p = 0.12 for σ): with
 * ten observations it changes the posterior by about one observation's worth of information.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { chiSquareSf64 } from "../../core/special-host.js";
import { sample, type SampleResult } from "../../inference/mcmc/index.js";
import { hierarchicalProblem, logisticProblem, normalProblem, type SbcProblem } from "./models.js";
import { rankOf, rankUniformity, type UniformityTest } from "./ranks.js";

const N = 200;
const L = 39;
const THIN = 5;
const BINS = 10;
const ALPHA = 0.001;
const SETTINGS = { warmup: 200, draws: L * THIN, thin: THIN } as const;
// CPU: ≈ 70–90 s for the three runs together on one core of the 2-core machine; the wall-clock
// limit is generous because the machine is shared (load averages of 10+ were seen).
const TIMEOUT_MS = 600_000;

/** Per parameter, the uniformity test of the ranks of replicates [from, to). */
function rankTests(p: SbcProblem, r: SampleResult, from: number, to: number): Map<string, UniformityTest> {
  expect(r.nDraws).toBe(L);
  const ranks = p.names.map(() => [] as number[]);
  for (let c = from; c < to; c++) {
    const d = r.draws[c]!;
    const draws = Array.from({ length: L }, (_, l) => p.constrain(d.subarray(l * r.dim, (l + 1) * r.dim)));
    p.names.forEach((_, k) => ranks[k]!.push(rankOf(p.truths[c]![k]!, draws.map((x) => x[k]!))));
  }
  const tests = new Map(p.names.map((name, k) => [name, rankUniformity(ranks[k]!, L, BINS)]));
  // SBC_REPORT=1 prints every p-value and histogram (for bench/RESULTS.md)
  if (process.env["SBC_REPORT"] === "1") process.stdout.write(`SBC replicates ${from}–${to - 1}: ${describeTests(tests)}\n`);
  return tests;
}

const describeTests = (tests: Map<string, UniformityTest>): string =>
  [...tests].map(([n, t]) => `${n}: p = ${t.pValue.toExponential(2)} [${t.counts.join(" ")}]`).join("; ");

/** Builds the problem (its data tensors), samples every replicate as one chain, frees the data. */
async function run(make: () => SbcProblem, chains: number, seed: number): Promise<{ p: SbcProblem; r: SampleResult }> {
  const before = tf.memory().numTensors;
  const p = make();
  try {
    return { p, r: await sample(p.model, { chains, seed, ...SETTINGS }) };
  } finally {
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }
}

describe("rank statistics", () => {
  it("rankOf counts draws strictly below the truth", () => {
    expect(rankOf(0.5, [0.1, 0.9, 0.3, 0.7])).toBe(2);
    expect(rankOf(-1, [0, 1])).toBe(0);
    expect(rankOf(2, [0, 1])).toBe(2);
  });

  it("chi-square uniformity: statistic by hand, p-value against scipy", () => {
    // ranks 0 … 3 (L = 3) in 2 bins: counts [3, 1], expected 2 → X² = (1 + 1)/2 = 1.
    const t = rankUniformity([0, 1, 1, 3], 3, 2);
    expect(t.counts).toEqual([3, 1]);
    expect(t.statistic).toBeCloseTo(1, 12);
    // scipy.stats.chi2.sf(1, 1) = 0.31731050786291115
    expect(t.pValue).toBeCloseTo(0.31731050786291115, 10);
    // scipy.stats.chi2.sf(27.877, 9) = 0.00100006 (the α = 0.001 critical value for 9 df)
    expect(chiSquareSf64(27.877, 9)).toBeCloseTo(0.001, 5);
    expect(() => rankUniformity([0], 39, 7)).toThrow(RangeError);
  });
});

describe("simulation-based calibration of NUTS (200 replicates each, α = 0.001 per parameter)", () => {
  it("(a) normal with unknown mean and scale (σ through the log transform) is calibrated; a wrong prior in the density is rejected", async () => {
    // Replicates 0 … N−1 use the right density; N … 2N−1 are the negative control: their
    // density puts μ ~ Normal(0, 0.25) while the simulator draws μ ~ Normal(0, 1), so their
    // posteriors are too narrow around 0 and the ranks of μ pile up at both ends.
    const { p, r } = await run(() => normalProblem(2 * N, 101, Array.from({ length: 2 * N }, (_, c) => (c < N ? 1 : 0.25))), 2 * N, 11);
    const good = rankTests(p, r, 0, N);
    for (const [name, t] of good) expect(t.pValue, `${name}: ${describeTests(good)}`).toBeGreaterThan(ALPHA);
    const control = rankTests(p, r, N, 2 * N);
    expect(control.get("mu")!.pValue, describeTests(control)).toBeLessThan(ALPHA);
  }, TIMEOUT_MS);

  it("(b) logistic regression with two coefficients is calibrated", async () => {
    const { p, r } = await run(() => logisticProblem(N, 202), N, 12);
    const tests = rankTests(p, r, 0, N);
    for (const [name, t] of tests) expect(t.pValue, `${name}: ${describeTests(tests)}`).toBeGreaterThan(ALPHA);
  }, TIMEOUT_MS);

  it("(c) non-centred hierarchical model, 4 groups, τ ~ HalfNormal(1) through the log transform, is calibrated", async () => {
    const { p, r } = await run(() => hierarchicalProblem(N, 303), N, 13);
    const tests = rankTests(p, r, 0, N);
    expect(tests.size).toBe(6);
    for (const [name, t] of tests) expect(t.pValue, `${name}: ${describeTests(tests)}`).toBeGreaterThan(ALPHA);
  }, TIMEOUT_MS);
});
