import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { fold, key, stream } from "../../core/random.js";
import { logDensityModel } from "../../core/model.js";
import { evaluate, hostGradient } from "./gradient.js";
import { denseMetric, unitMetric } from "./metric.js";
import { nutsTransition } from "./nuts.js";
import type { ChainState } from "./state.js";
import { buildTree, referenceTransition, refLeapfrog, type RefModel, type RefPoint } from "./reference/nuts-reference.js";

// Target: independent Gaussians with scales s plus a quartic term, so trajectories are not
// exactly periodic: log π(q) = −½ Σ (q_i/s_i)² − 0.05 Σ q_i⁴.
const S = [0.5, 1, 2];
const tfModel = logDensityModel(S.length, (q) =>
  tf.tidy(() => {
    const quad = tf.sum(tf.square(tf.div(q, tf.tensor1d(S))), 1);
    const quart = tf.sum(tf.pow(q, 4), 1);
    return tf.sub(tf.mul(-0.5, quad), tf.mul(0.05, quart)) as tf.Tensor1D;
  }),
);
const refModel: RefModel = {
  dim: S.length,
  logDensity(q) {
    let lp = 0;
    const grad = new Float64Array(q.length);
    q.forEach((x, i) => {
      lp += -0.5 * (x / S[i]!) ** 2 - 0.05 * x ** 4;
      grad[i] = -x / S[i]! ** 2 - 0.2 * x ** 3;
    });
    return { lp, grad };
  },
};

function stateFrom(model: typeof tfModel, rows: number[][]): ChainState {
  const q = Float64Array.from(rows.flat(), Math.fround);
  return { q, ...evaluate(model, q) };
}

describe("lockstep NUTS against the recursive float64 reference (Stan's build_tree)", () => {
  it("gives the same tree depth, leapfrog count, divergence and accept_stat on random trajectories", () => {
    const C = 8;
    const maxDepth = 8;
    const eps = Array.from({ length: C }, (_, c) => 0.12 + (1.3 * c) / (C - 1)); // 0.12 … 1.42: from long trees to divergent ones
    const metric = unitMetric("diag", C, S.length);
    const root = key(2024);
    const depths = new Set<number>();
    let divergences = 0;
    let compared = 0;
    for (let round = 0; round < 12; round++) {
      const kr = fold(root, round);
      const init = stream(fold(kr, 999));
      const rows = Array.from({ length: C }, () => S.map((s) => Math.fround(s * (2 * init.uniform() - 1))));
      const state = stateFrom(tfModel, rows);
      // odd rounds check after every leaf whether any subtree is still valid (and stop early
      // when none is), even rounds use the default period: both must match the reference
      const kCheck = round % 2 === 1 ? { kCheck: () => 1 } : {};
      const r = nutsTransition(hostGradient(tfModel, C), metric, state, eps, Array.from({ length: C }, (_, c) => stream(fold(kr, c))), { maxDepth, ...kCheck });
      for (let c = 0; c < C; c++) {
        const q0 = Float64Array.from(rows[c]!);
        const start = { q: q0, ...refModel.logDensity(q0) };
        const ref = referenceTransition(
          { invMetric: new Float64Array(S.length).fill(1), integrate: refLeapfrog(refModel, new Float64Array(S.length).fill(1)) },
          start,
          eps[c]!,
          maxDepth,
          stream(fold(kr, c)),
          stream(fold(kr, 10_000 + c)),
        );
        expect(r.stats.treeDepth[c], `round ${round} chain ${c}`).toBe(ref.depth);
        expect(r.stats.nLeapfrog[c], `round ${round} chain ${c}`).toBe(ref.nLeapfrog);
        expect(r.stats.divergent[c] === 1, `round ${round} chain ${c}`).toBe(ref.divergent);
        // float64 bookkeeping; the float32 model's lp leaves |Δ| ≈ 3e-7 at most here
        expect(r.stats.acceptStat[c]!).toBeCloseTo(ref.acceptStat, 5);
        depths.add(ref.depth);
        divergences += ref.divergent ? 1 : 0;
        compared += 1;
      }
    }
    // the comparison must have exercised short, long and divergent trajectories
    expect(compared).toBe(96);
    expect(depths.size).toBeGreaterThanOrEqual(4);
    expect(divergences).toBeGreaterThan(0);
  });
});

describe("Stan's mock-model tree facts (base_nuts_test)", () => {
  it("reference build_tree: a depth-3 drift-only tree is valid with 8 leapfrogs, ρ = 8·p0, log W = H0 + log 8", () => {
    // mock integrator: q += ε p, p unchanged; mock Hamiltonian constant 0, H0 = −0.1
    const drift = (z: RefPoint, h: number): RefPoint => ({ ...z, q: z.q.map((x, i) => x + h * z.p[i]!) });
    const setup = { invMetric: Float64Array.of(1), integrate: drift, hamiltonian: () => 0 };
    const z0: RefPoint = { q: Float64Array.of(0), p: Float64Array.of(1.5), lp: 0, grad: Float64Array.of(0) };
    const stats = { nLeapfrog: 0, sumMetro: 0, divergent: false };
    const t = buildTree(setup, 3, z0, 1, -0.1, stats, stream(key(1)));
    expect(t.valid).toBe(true);
    expect(stats.nLeapfrog).toBe(8);
    expect(t.rho[0]).toBeCloseTo(8 * 1.5, 12);
    expect(t.end.q[0]).toBeCloseTo(8 * 1.5, 12);
    expect(t.logW).toBeCloseTo(-0.1 + Math.log(8), 12);
    expect(stats.sumMetro).toBeCloseTo(8 * Math.exp(-0.1), 12);
    expect(stats.divergent).toBe(false);
  });

  it("batched: a never-U-turning chain saturates, a blowing-up chain diverges at its initial point, a Gaussian chain matches the reference", () => {
    // One density, three regions that the three chains never leave or never reach:
    //   q < −500: flat (H constant, momentum constant: the trajectory never turns)
    //   −500 ≤ q < 50: standard normal
    //   q ≥ 50: a wall −1e9 (q − 100)², so any move away from q = 100 blows H up
    const model = logDensityModel(1, (q) =>
      tf.tidy(() => {
        const x = q.squeeze([1]);
        const wall = tf.mul(-1e9, tf.square(tf.sub(x, 100)));
        const gauss = tf.mul(-0.5, tf.square(x));
        // masks through step/cast, which (unlike comparisons) have gradients in tfjs
        const below = (t: number): tf.Tensor1D => tf.cast(tf.step(tf.sub(t, x)), "bool") as tf.Tensor1D;
        return tf.where(below(-500), tf.zerosLike(x), tf.where(below(50), gauss, wall)) as tf.Tensor1D;
      }),
    );
    const maxDepth = 10;
    const C = 3;
    const eps = [0.1, 0.1, 0.3];
    const rows = [[-1e4], [100], [0.7]];
    const metric = unitMetric("diag", C, 1);
    const state = stateFrom(model, rows);
    const k = key(77);
    const before = tf.memory().numTensors;
    const r = nutsTransition(hostGradient(model, C), metric, state, eps, [0, 1, 2].map((c) => stream(fold(k, c))), { maxDepth });
    const q = r.state.q;
    // chain 1: flat region
    expect(r.stats.treeDepth[0]).toBe(maxDepth);
    expect(r.stats.nLeapfrog[0]).toBe(2 ** maxDepth - 1);
    expect(r.stats.divergent[0]).toBe(0);
    expect(r.stats.acceptStat[0]).toBeCloseTo(1, 5);
    // chain 2: divergence on the first leapfrog, the draw is the initial point
    expect(r.stats.divergent[1]).toBe(1);
    expect(r.stats.nLeapfrog[1]).toBe(1);
    expect(r.stats.treeDepth[1]).toBe(0);
    expect(q[1]).toBe(100);
    // chain 3: an ordinary Gaussian trajectory, checked against the reference
    const ref = referenceTransition(
      { invMetric: Float64Array.of(1), integrate: refLeapfrog({ dim: 1, logDensity: (x) => ({ lp: -0.5 * x[0]! ** 2, grad: Float64Array.of(-x[0]!) }) }, Float64Array.of(1)) },
      { q: Float64Array.of(Math.fround(0.7)), lp: -0.5 * Math.fround(0.7) ** 2, grad: Float64Array.of(-Math.fround(0.7)) },
      0.3,
      maxDepth,
      stream(fold(k, 2)),
      stream(key(5)),
    );
    expect(r.stats.treeDepth[2]).toBe(ref.depth);
    expect(r.stats.nLeapfrog[2]).toBe(ref.nLeapfrog);
    expect(r.stats.divergent[2]).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    // positions stay float32-representable, so each draw is exactly the point whose lp and
    // gradient the sampler carries (the model sees float32)
    expect(Array.from(q, Math.fround)).toEqual(Array.from(q));
    const again = evaluate(model, q);
    expect(Array.from(again.lp)).toEqual(Array.from(r.state.lp));
    expect(Array.from(again.grad)).toEqual(Array.from(r.state.grad));
  });
});

describe("stationarity (TFP's target-conservation test, design/inference.md §9.2 item 1)", () => {
  const ks = (xs: number[], cdf: (x: number) => number): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.reduce((m, x, i) => Math.max(m, Math.abs(cdf(x) - i / s.length), Math.abs(cdf(x) - (i + 1) / s.length)), 0);
  };
  // y = log G with G ~ Gamma(a, 1) has density ∝ exp(a y − e^y) and, for integer a, the CDF
  // P(a, e^y) = 1 − e^(−x) Σ_{k<a} x^k/k! at x = e^y (regularised incomplete gamma).
  const logGammaCdf = (a: number) => (y: number): number => {
    const x = Math.exp(y);
    let term = 1;
    let sum = 1;
    for (let k = 1; k < a; k++) {
      term *= x / k;
      sum += term;
    }
    return 1 - Math.exp(-x) * sum;
  };

  const metrics = {
    "unit diag": (C: number) => unitMetric("diag", C, 2),
    // a non-unit metric checks that momentum draws, kinetic energy and velocity agree
    "dense": (C: number) => denseMetric(Array.from({ length: C }, () => Float64Array.of(0.6, 0.2, 0.2, 0.3)), 2),
  };
  for (const [label, makeMetric] of Object.entries(metrics)) it(`chains started at exact draws of a skewed target keep that distribution after NUTS transitions (${label} metric)`, () => {
    // Target: independent log-Gamma(2) and log-Gamma(5) coordinates (skewed, so reflections
    // that preserve a symmetric target do not pass). C exact draws, then 2 transitions with a
    // fixed, deliberately coarse ε (energy errors of order 0.1–1, so the multinomial weights and
    // the biased top-level choice matter). Each marginal must keep its CDF: Kolmogorov–Smirnov
    // distance below the α = 1e-4 critical value sqrt(ln(2/α)/2)/sqrt(C) ≈ 0.035 at C = 4,000.
    // Checked to fail (KS 0.04–0.1) when the top level always takes the new subtree, or when
    // the subtree always proposes its last leaf.
    const C = 4000;
    const a = [2, 5];
    const model = logDensityModel(2, (q) =>
      tf.tidy(() => tf.sum(tf.sub(tf.mul(q, tf.tensor1d(a)), tf.exp(q)), 1) as tf.Tensor1D),
    );
    const g = stream(key(31));
    const rows = Array.from({ length: C }, () => a.map((ai) => Math.log(g.gamma(ai))));
    let state = stateFrom(model, rows);
    const metric = makeMetric(C);
    const k = key(32);
    const eps = new Array<number>(C).fill(0.9);
    let moved = 0;
    for (let it = 0; it < 2; it++) {
      const r = nutsTransition(hostGradient(model, C), metric, state, eps, Array.from({ length: C }, (_, c) => stream(fold(fold(k, it), c))), { maxDepth: 10 });
      const before = state.q;
      const after = r.state.q;
      for (let i = 0; i < before.length; i++) moved += Math.abs(after[i]! - before[i]!) / (2 * C * 2);
      state = r.state;
    }
    const q = state.q;
    const crit = Math.sqrt(Math.log(2 / 1e-4) / 2) / Math.sqrt(C);
    a.forEach((ai, i) => {
      expect(ks(Array.from({ length: C }, (_, c) => q[c * 2 + i]!), logGammaCdf(ai))).toBeLessThan(crit);
    });
    // and the chains did move (a sampler that never moves trivially conserves the target)
    expect(moved).toBeGreaterThan(0.3);
  });
});
