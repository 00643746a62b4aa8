import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fold, key, stream } from "../../core/random.js";
import { readCmdStanCsv } from "../draws/csv-read.js";
import { type Summary, formatSignificant, formatSummaryTable, summarize, warnings } from "./index.js";

function normals(seed: number, n: number, rho = 0, mu = 0): Float64Array {
  const s = stream(key(seed));
  const x = new Float64Array(n);
  let v = s.normal();
  for (let i = 0; i < n; i++) {
    x[i] = mu + v;
    v = rho * v + Math.sqrt(1 - rho * rho) * s.normal();
  }
  return x;
}

/** 4 chains × 500 draws of healthy parameters a and b, plus healthy sampler statistics. */
function healthy(seed: number, chains = 4, n = 500): { names: string[]; chains: Float64Array[][]; sampler: Record<string, Float64Array>[] } {
  const k = key(seed);
  return {
    names: ["a", "b[1]"],
    chains: Array.from({ length: chains }, (_, m) => [normals(fold(k, m)[0], n), normals(fold(k, 100 + m)[0], n, 0.2, 3)]),
    sampler: Array.from({ length: chains }, (_, m) => ({
      lp__: normals(fold(k, 200 + m)[0], n),
      divergent__: new Float64Array(n),
      treedepth__: new Float64Array(n).fill(3),
      energy__: normals(fold(k, 300 + m)[0], n),
    })),
  };
}

describe("summarize", () => {
  it("reproduces the mean, sd and quantiles of CmdStan's stansummary for bern1..4", () => {
    const files = [1, 2, 3, 4].map((i) => readCmdStanCsv(readFileSync(new URL(`./testdata/bern${i}.csv`, import.meta.url), "utf8")));
    const s = summarize({ names: files[0]!.names, chains: files.map((f) => f.chain.values), sampler: files.map((f) => f.chain.stats) }, { maxDepth: 10 });
    expect(s.rows.map((r) => r.name)).toEqual(["lp__", "theta"]);
    expect(s.chains).toBe(4);
    expect(s.drawsPerChain).toBe(1000);
    // testdata/cmdstan-2-35-0-stansummary.csv (CmdStan 2.35 stansummary on the same files).
    const theta = s.rows[1]!;
    expect(theta.mean).toBeCloseTo(0.251297410482, 10);
    expect(theta.sd).toBeCloseTo(0.121546686658, 10);
    expect(s.rows[0]!.mean).toBeCloseTo(-7.2867579275, 9);
    expect(s.rows[0]!.sd).toBeCloseTo(0.738616062616, 10);
    // Type-7 quantiles and the diagnostics (R posterior 1.4.0 and Stan's test values).
    expect(theta.q5).toBeCloseTo(0.07716935, 12);
    expect(theta.q50).toBeCloseTo(0.237476, 12);
    expect(theta.q95).toBeCloseTo(0.47388505, 12);
    expect(theta.ess_bulk).toBeCloseTo(1407.5124, 3);
    expect(theta.ess_tail).toBeCloseTo(1291.7131, 3);
    expect(theta.rhat).toBeCloseTo(1.006789, 5);
    expect(theta.mcse).toBeCloseTo(0.00323, 4);
    // E-BFMI per chain: Σ ΔE²/Σ (E − Ē)² of energy__ computed offline with numpy 2 (float64).
    const ebfmiRef = [1.0997042427708186, 1.0630715760036722, 1.0322570351993043, 1.1001457472947684];
    expect(s.sampler).toEqual({ divergences: 0, divergencesPerChain: [0, 0, 0, 0], treedepthSaturated: 0, maxDepth: 10, ebfmi: ebfmiRef.map((e) => expect.closeTo(e, 12)) });
    // Healthy run: no warnings; with a stricter ESS target (400 per chain) both ESS warnings.
    expect(warnings(s)).toEqual([]);
    expect(warnings(s, { essPerChain: 400 })).toEqual([
      "Bulk-ESS is below 1600 (400 per chain) for 2 parameters: lp__ (1513), theta (1408). Posterior means and medians may be unreliable; run longer chains.",
      "Tail-ESS is below 1600 (400 per chain) for 2 parameters: lp__ (1592), theta (1292). Posterior intervals may be unreliable; run longer chains.",
    ]);
  });

  it("counts divergences, saturated tree depths and computes E-BFMI per chain", () => {
    const input = healthy(1);
    input.sampler[1]!.divergent__![10] = 1;
    input.sampler[1]!.divergent__![20] = 1;
    input.sampler[3]!.divergent__![0] = 1;
    input.sampler[0]!.treedepth__!.fill(10, 0, 7);
    const s = summarize(input, { maxDepth: 10 });
    expect(s.sampler!.divergences).toBe(3);
    expect(s.sampler!.divergencesPerChain).toEqual([0, 2, 0, 1]);
    expect(s.sampler!.treedepthSaturated).toBe(7);
    expect(s.sampler!.ebfmi).toHaveLength(4);
    expect(summarize(input).sampler!.treedepthSaturated).toBeUndefined();
    expect(summarize(input, { includeLp: false }).rows.map((r) => r.name)).toEqual(["a", "b[1]"]);
  });

  it("gives NaN diagnostics (and no R-hat warning) for a constant quantity", () => {
    const input = healthy(2);
    const s = summarize({ names: ["c"], chains: input.chains.map(() => [new Float64Array(500).fill(1)]) });
    const row = s.rows[0]!;
    expect(row.mean).toBe(1);
    expect(row.sd).toBe(0);
    expect([row.rhat, row.ess_bulk, row.ess_tail, row.mcse]).toEqual([NaN, NaN, NaN, NaN]);
    expect(warnings(s)).toEqual([]);
  });
});

describe("warnings", () => {
  const base = summarize(healthy(3), { maxDepth: 10 });

  it("stay silent on a healthy run", () => {
    expect(warnings(base)).toEqual([]);
  });

  it("report divergences after warm-up", () => {
    const input = healthy(3);
    input.sampler[2]!.divergent__![5] = 1;
    const w = warnings(summarize(input, { maxDepth: 10 }));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^1 transition of 2000 after warm-up ended with a divergence \(0\.1%; chain 3: 1\)/);
  });

  it("report tree-depth saturation", () => {
    const input = healthy(3);
    input.sampler[0]!.treedepth__!.fill(10, 0, 40);
    const w = warnings(summarize(input, { maxDepth: 10 }));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^40 transitions of 2000 \(2\.0%\) hit the maximum tree depth of 10/);
  });

  it("report E-BFMI below 0.3 for the chains concerned", () => {
    const input = healthy(3);
    input.sampler[1]!.energy__ = normals(77, 500, 0.95); // E-BFMI ≈ 2(1 − 0.95) = 0.1
    const w = warnings(summarize(input, { maxDepth: 10 }));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^E-BFMI below 0\.3 in 1 chain \(chain 2: 0\.\d\d\)/);
  });

  it("report R-hat ≥ 1.01 naming the parameters", () => {
    const input = healthy(3);
    input.chains[0]![1] = normals(5, 500, 0.2, 4); // chain 1 of b[1] sits one sd away
    const w = warnings(summarize(input));
    expect(w.some((s) => /^R-hat is 1\.01 or more for 1 parameter: b\[1\] \(1\.\d{3}\)/.test(s))).toBe(true);
    expect(w.some((s) => s.includes(" a ("))).toBe(false);
  });

  it("report low bulk- and tail-ESS per chain", () => {
    const input = healthy(3);
    // a as a slow AR(1) (ρ = 0.99): ESS ≈ 2000·0.01/1.99 ≈ 10 < 400.
    input.chains.forEach((c, m) => {
      c[0] = normals(40 + m, 500, 0.99);
    });
    const w = warnings(summarize(input));
    expect(w.some((s) => /^Bulk-ESS is below 400 \(100 per chain\) for 1 parameter: a \(\d+\)/.test(s))).toBe(true);
    expect(w.some((s) => /^Tail-ESS is below 400 \(100 per chain\) for 1 parameter: a \(\d+\)/.test(s))).toBe(true);
  });

  it("cap the list of parameters", () => {
    const rows = Array.from({ length: 15 }, (_, i) => ({
      name: `theta[${i + 1}]`, mean: 0, sd: 1, mcse: 0.1, q5: -1.6, q50: 0, q95: 1.6, ess_bulk: 1000, ess_tail: 1000, rhat: 1.2,
    }));
    const s: Summary = { rows, chains: 4, drawsPerChain: 1000 };
    const w = warnings(s, { maxListed: 3 });
    expect(w).toEqual([
      "R-hat is 1.01 or more for 15 parameters: theta[1] (1.200), theta[2] (1.200), theta[3] (1.200) and 12 more. The chains have not mixed; run longer chains or reparameterise.",
    ]);
  });
});

describe("formatSummaryTable", () => {
  it("prints fixed-width columns with significant digits", () => {
    const rows = [
      { name: "lp__", mean: -7.2867579275, sd: 0.738616, mcse: 0.0201648, q5: -8.7823005, q50: -6.990215, q95: -6.7502995, ess_bulk: 1512.77, ess_tail: 1591.97, rhat: 1.00073 },
      { name: "theta[1]", mean: 123456.7, sd: 0.0000123, mcse: NaN, q5: 0, q50: 12.345, q95: 1e7, ess_bulk: NaN, ess_tail: 99.5, rhat: NaN },
    ];
    expect(formatSummaryTable(rows)).toBe(
      [
        "name        mean       sd    mcse     q5    q50     q95  ess_bulk  ess_tail   rhat",
        "lp__       -7.29    0.739  0.0202  -8.78  -6.99   -6.75      1513      1592  1.001",
        "theta[1]  123457  1.23e-5      NA      0   12.3  1.00e7        NA       100     NA",
      ].join("\n"),
    );
  });
  it("formats significant digits", () => {
    expect(formatSignificant(0.251297)).toBe("0.251");
    expect(formatSignificant(-1234.6)).toBe("-1235");
    expect(formatSignificant(999.95)).toBe("1000");
    expect(formatSignificant(12.345)).toBe("12.3");
    expect(formatSignificant(0.00012345, 2)).toBe("1.2e-4");
    expect(formatSignificant(NaN)).toBe("NA");
    expect(formatSignificant(-Infinity)).toBe("-Inf");
  });
});
