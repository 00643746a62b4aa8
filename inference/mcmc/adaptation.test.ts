import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { fold, key, stream } from "../../core/random.js";
import { logDensityModel } from "../../core/model.js";
import {
  dualAveragingFinal,
  dualAveragingInit,
  dualAveragingLearn,
  regularisedMetric,
  welfordAdd,
  welfordInit,
  welfordVariance,
  windowSchedule,
} from "./adaptation.js";
import { hmcTransition } from "./hmc.js";
import { evaluate, hostGradient } from "./gradient.js";
import { unitMetric } from "./metric.js";
import type { ChainState } from "./state.js";

describe("dual averaging", () => {
  it("Stan's unit fact: with μ = log 1 and accept_stat = δ the first update gives ε = 1", () => {
    const r = dualAveragingLearn(dualAveragingInit(Math.log(1)), 0.8);
    expect(r.stepSize).toBe(1);
  });

  it("follows the recursion of Hoffman & Gelman (2014) §3.2", () => {
    // reference values: a float64 transcription of the recursion in Python, μ = log 10,
    // δ = 0.8, γ = 0.05, t0 = 10, κ = 0.75, accept_stat sequence 0.5, 0.9, 1.3 (clipped to 1)
    const want = [
      { eps: 5.795782787848097, xBar: 1.7571305475395005 },
      { eps: 6.24125055778261, xBar: 1.801160955637489 },
      { eps: 9.999999999999998, xBar: 2.0211313811848504 },
    ];
    let s = dualAveragingInit(Math.log(10));
    [0.5, 0.9, 1.3].forEach((a, i) => {
      const r = dualAveragingLearn(s, a);
      s = r.state;
      expect(r.stepSize).toBeCloseTo(want[i]!.eps, 12);
      expect(s.xBar).toBeCloseTo(want[i]!.xBar, 12);
    });
    expect(dualAveragingFinal(s)).toBeCloseTo(Math.exp(want[2]!.xBar), 12);
  });

  it("drives one-step HMC on a 10-d Gaussian to the target acceptance", () => {
    const D = 10;
    const C = 8;
    const model = logDensityModel(D, (q) => tf.tidy(() => tf.mul(-0.5, tf.sum(tf.square(q), 1)) as tf.Tensor1D));
    const metric = unitMetric("diag", C, D);
    const q0 = new Float64Array(C * D);
    let state: ChainState = { q: q0, ...evaluate(model, q0) };
    const k = key(11);
    let da = Array.from({ length: C }, () => dualAveragingInit(Math.log(10 * 0.5)));
    let eps = new Array<number>(C).fill(0.5);
    const run = (i: number): Float64Array => {
      const r = hmcTransition(hostGradient(model, C), metric, state, eps, Array.from({ length: C }, (_, c) => stream(fold(fold(k, c), i))), { length: { kind: "steps", steps: 1 } });
      state = r.state;
      return r.stats.acceptStat;
    };
    let adaptSum = 0;
    for (let i = 0; i < 400; i++) {
      const a = run(i);
      if (i >= 200) adaptSum += a.reduce((x, y) => x + y, 0) / C;
      const next = da.map((s, c) => dualAveragingLearn(s, a[c]!));
      da = next.map((r) => r.state);
      eps = next.map((r) => r.stepSize);
    }
    // dual averaging drives the running mean of δ − accept_stat to 0: over the last 200
    // adaptation iterations (1,600 statistics with sd ≈ 0.2) the mean accept is δ within noise
    expect(adaptSum / 200).toBeGreaterThan(0.77);
    expect(adaptSum / 200).toBeLessThan(0.83);
    // the final ε = exp(x̄) is a geometric average of the iterates, slightly smaller than the
    // root of E[accept] = δ, so the acceptance it gives is a little above δ (as in Stan)
    eps = da.map(dualAveragingFinal);
    let sum = 0;
    const n = 200;
    for (let i = 0; i < n; i++) sum += run(1000 + i).reduce((x, y) => x + y, 0) / C;
    expect(sum / n).toBeGreaterThan(0.77);
    expect(sum / n).toBeLessThan(0.9);
  });
});

describe("windowed adaptation schedule", () => {
  // vectors: design/inference.md §3.4 (Stan's windowed_adaptation and numpyro's
  // test_build_adaptation_schedule)
  const cases: [number, [number, number][]][] = [
    [1000, [[0, 74], [75, 99], [100, 149], [150, 249], [250, 449], [450, 949], [950, 999]]],
    [50, [[0, 6], [7, 44], [45, 49]]],
    [100, [[0, 14], [15, 89], [90, 99]]],
    [150, [[0, 74], [75, 99], [100, 149]]],
    [200, [[0, 74], [75, 99], [100, 149], [150, 199]]],
    [280, [[0, 74], [75, 99], [100, 229], [230, 279]]],
    [18, [[0, 17]]],
  ];
  for (const [W, want] of cases) it(`W = ${W}`, () => expect(windowSchedule(W)).toEqual(want));
});

describe("Welford estimates", () => {
  const rows = (n: number, d: number): number[][] => {
    const s = stream(key(5));
    return Array.from({ length: n }, () => Array.from({ length: d }, (_, i) => (i + 1) * s.normal() + 3 * i));
  };

  it("match a two-pass variance and covariance", () => {
    const x = rows(57, 3);
    const n = x.length;
    const mean = [0, 1, 2].map((i) => x.reduce((s, r) => s + r[i]!, 0) / n);
    const cov = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => x.reduce((s, r) => s + (r[i]! - mean[i]!) * (r[j]! - mean[j]!), 0) / (n - 1)));
    const wd = welfordInit("diag", 3);
    const wc = welfordInit("dense", 3);
    for (const r of x) {
      welfordAdd(wd, r);
      welfordAdd(wc, r);
    }
    const vd = welfordVariance(wd);
    const vc = welfordVariance(wc);
    [0, 1, 2].forEach((i) => {
      expect(wd.mean[i]).toBeCloseTo(mean[i]!, 12);
      expect(vd[i]).toBeCloseTo(cov[i * 3 + i]!, 12);
    });
    cov.forEach((v, i) => expect(vc[i]).toBeCloseTo(v, 12));
  });

  it("regularise as Stan: (n/(n+5))·S + 1e-3·(5/(n+5))·I", () => {
    const x = rows(20, 2);
    const w = welfordInit("dense", 2);
    x.forEach((r) => welfordAdd(w, r));
    const s = welfordVariance(w);
    const m = regularisedMetric(w);
    expect(m[0]).toBeCloseTo((20 / 25) * s[0]! + 1e-3 * (5 / 25), 12);
    expect(m[1]).toBeCloseTo((20 / 25) * s[1]!, 12);
    expect(m[3]).toBeCloseTo((20 / 25) * s[3]! + 1e-3 * (5 / 25), 12);
  });
});
