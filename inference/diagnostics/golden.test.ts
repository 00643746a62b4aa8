// Golden values on Stan's test draws bern1..4.csv (4 chains × 1000 draws of the Bernoulli
// example; see testdata/README.md for their source).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCmdStanCsv } from "../draws/csv-read.js";
import { essBulk, essMean, essTail, mcseMean, mcseQuantile, mcseSd, quantile, rhat } from "./index.js";

const files = [1, 2, 3, 4].map((i) => readCmdStanCsv(readFileSync(new URL(`./testdata/bern${i}.csv`, import.meta.url), "utf8")));
const lp = files.map((f) => f.chain.stats.lp__!);
const theta = files.map((f) => f.chain.values[f.names.indexOf("theta")]!);

// |a − b| ≤ tol, as Stan's EXPECT_NEAR.
function near(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol);
}

describe("Stan's published diagnostics for bern1..4 (stan-dev/stan src/test/unit/analyze/mcmc)", () => {
  // split_rank_normalized_ess_test.cpp, split_rank_normalized_rhat_test.cpp, mcse_test.cpp @ 9048555:
  // values computed by the Stan team with R posterior, tolerances as in those tests.
  it("lp__: bulk-ESS, tail-ESS, R-hat, MCSE of mean and sd", () => {
    near(essBulk(lp), 1512.7684, 1e-4);
    near(essTail(lp), 1591.9707, 1e-4);
    near(rhat(lp), 1.00073, 1e-5);
    near(mcseMean(lp), 0.02016, 1e-4);
    near(mcseSd(lp), 0.03553, 1e-4);
  });
  it("theta: bulk-ESS, tail-ESS, R-hat, MCSE of mean and sd", () => {
    near(essBulk(theta), 1407.5124, 1e-4);
    near(essTail(theta), 1291.7131, 1e-4);
    near(rhat(theta), 1.006789, 1e-5);
    near(mcseMean(theta), 0.00323, 1e-4);
    near(mcseSd(theta), 0.00216, 1e-4);
  });
});

describe("R posterior 1.4.0 on the same draws", () => {
  // Computed offline with Debian's r-cran-posterior 1.4.0 (Rscript; read.csv of bern1..4,
  // then ess_mean, mcse_quantile, mcse_sd, quantile(type 7)); printed to 10 decimals.
  const ref = {
    lp: { essMean: 1341.6851277443, mcseSd: 0.0308898301, q: [0.099115, 0.011465, 0.000515], quant: [-8.7823005, -6.990215, -6.7502995] },
    theta: { essMean: 1412.5651003391, mcseSd: 0.0021642137, q: [0.0034311, 0.0046975, 0.006988], quant: [0.07716935, 0.237476, 0.47388505] },
  };
  for (const [label, chains] of [["lp", lp], ["theta", theta]] as const) {
    const r = ref[label];
    it(`${label}: ESS of the mean, posterior's MCSE of the sd, quantiles and their MCSE`, () => {
      expect(essMean(chains)).toBeCloseTo(r.essMean, 6);
      near(mcseSd(chains, "posterior"), r.mcseSd, 1e-9);
      [0.05, 0.5, 0.95].forEach((p, i) => {
        near(mcseQuantile(chains, p), r.q[i]!, 1e-9);
        near(quantile(chains, p), r.quant[i]!, 1e-9);
      });
    });
  }
});
