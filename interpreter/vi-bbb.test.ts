/**
 * `vi` with Bayes by Backprop against independent references: a conjugate Bayesian linear
 * regression with centred x, whose posterior factorises, so the mean-field optimum is the exact
 * posterior (means and sds in closed form), fitted on minibatches both as two scalar latents and
 * as a `Dense(1 => 1)` with a prior (local reparameterisation, the analytic KL of the network's
 * prior); a small BNN classifier on two_moons.csv; a flat tensor count over a run; Ctrl-C
 * keeping the approximation so far; and the errors of its keywords.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sharedPath } from "../bench/paths.js";
import { tf } from "../core/engine.js";
import { runScript } from "./script.js";

async function run(source: string, options: { signal?: AbortSignal; onEpoch?: () => void } = {}): Promise<{ code: number; out: string[]; err: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "dlm-bbb-"));
  const out: string[] = [];
  const err: string[] = [];
  const { signal, onEpoch } = options;
  const code = await runScript(source, {
    file: join(dir, "s.dlm"), out: (l) => out.push(l), err: (l) => err.push(l), ...(signal !== undefined ? { signal } : {}),
    ...(onEpoch !== undefined ? { trainProgress: () => ({ update: () => undefined, epoch: onEpoch, stop: () => undefined }) } : {}),
  });
  return { code, out, err: err.join("\n"), dir };
}

const nums = (line: string): number[] => line.replace(/[[\],]/g, " ").trim().split(/\s+/).map(Number);

/** The draws of `names` from a saved CSV. */
function columns(file: string, names: readonly string[]): number[][] {
  const csv = readFileSync(file, "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  const header = csv[0]!.split(",");
  const rows = csv.slice(1).map((l) => l.split(",").map(Number));
  return names.map((n) => rows.map((r) => r[header.indexOf(n)]!));
}

function moments(xs: readonly number[]): { mean: number; sd: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean: m, sd: Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) };
}

// y = a + b x + ε, ε ~ N(0, 0.5²), a, b ~ N(0, 10²), x centred: the posterior precision is
// diagonal (n/σ² + 1/100, Σx²/σ² + 1/100), so a and b are independent Gaussians and a
// factorised q can equal the posterior exactly.
const X = Array.from({ length: 30 }, (_, i) => (i - 14.5) / 10);
const Y = X.map((x, i) => 1 + 2 * x + 0.5 * Math.sin(7.3 * i + 1));
const S2 = 0.25;
const PREC = [X.length / S2 + 0.01, X.reduce((a, x) => a + x * x, 0) / S2 + 0.01];
const EXACT = {
  a: { mean: Y.reduce((a, y) => a + y, 0) / S2 / PREC[0]!, sd: 1 / Math.sqrt(PREC[0]!) },
  b: { mean: X.reduce((a, x, i) => a + x * Y[i]!, 0) / S2 / PREC[1]!, sd: 1 / Math.sqrt(PREC[1]!) },
};

describe("vi with Bayes by Backprop", () => {
  it("recovers the exact posterior of a conjugate regression on minibatches, as scalars and as a Dense layer with a prior", async () => {
    const fit = `epochs = 300, batchsize = 15, lr = 0.05, draws_per_step = 8, schedule = "cosine", seed = 3, draws = 4000`;
    const r = await run(`model reg(x, y) {
  a ~ Normal(0, 10)
  b ~ Normal(0, 10)
  y ~ Normal(a + b * x, 0.5)
}
model layer(x, y) {
  net = Dense(1 => 1)
  params(net) ~ Normal(0, 10)
  y ~ Normal(net(x)[:, 1], 0.5)
}
x = [${X.join(", ")}]
y = [${Y.join(", ")}]
q = vi(reg(x, y), BayesByBackprop(), ${fit})
save(q, "q.csv")
print(q)
ql = vi(layer(reshape(x, ${X.length}, 1), y), BayesByBackprop(), ${fit})
save(ql, "ql.csv")
plot_history(ql, "elbo.svg")
summary(ql)
`);
    expect(r.err).toBe("");
    expect(r.out[0]).toBe("a Bayes-by-Backprop approximation: 4000 draws of 2 quantities");
    expect(r.out[1]).toMatch(/^Bayes by Backprop: 300 epochs of 30 rows in batches of 15 \(600 steps of Adam\(0\.05\)\), ELBO -?\d/);
    expect(readFileSync(join(r.dir, "elbo.svg"), "utf8")).toContain("Bayes by Backprop");
    const scalars = columns(join(r.dir, "q-1.csv"), ["a", "b"]);
    const layer = columns(join(r.dir, "ql-1.csv"), ["net.bias.1", "net.weight.1.1"]);
    for (const [a, b] of [scalars, layer]) {
      for (const [draws, exact] of [[a!, EXACT.a], [b!, EXACT.b]] as const) {
        const m = moments(draws);
        // Monte Carlo error of 4000 draws: 0.016 sd in the mean, 1.1% in the sd; the rest is the
        // stochastic optimiser's (600 steps of 8 draws, the learning rate annealed to 0).
        expect(Math.abs(m.mean - exact.mean)).toBeLessThan(0.15 * exact.sd);
        expect(Math.abs(m.sd / exact.sd - 1)).toBeLessThan(0.1);
      }
    }
  }, 120_000);

  const MOONS = sharedPath("data", "synthetic", "two_moons.csv");
  it.skipIf(!existsSync(MOONS))("fits a BNN classifier on two_moons.csv to ≥ 0.92 test accuracy (a linear classifier gets about 0.87), with tf.memory().numTensors flat over 1,000 steps", async () => {
    const counts: number[] = [];
    const r = await run(`model bnn(x, y) {
  net = Chain(Dense(2 => 16, tanh), Dense(16 => 1))
  params(net) ~ Normal(0, 1)
  y ~ Bernoulli(logit = net(x)[:, 1])
}
d = read_csv(${JSON.stringify(MOONS)})
x = d[:, 1:2]
y = d.target
split = train_test_split(nrows(x), 0.8, seed = 1)
xtr = standardize(x[split.train, :])
xte = standardize(x[split.test, :], like = x[split.train, :])
q = vi(bnn(xtr, y[split.train]), BayesByBackprop(), epochs = 100, batchsize = 32, validation = 0.2, seed = 1, draws = 200)
p = predict(q, bnn(xte, missing))
print(accuracy(p.y, y[split.test]), loglik(p.y, y[split.test]))
summary(q)
`, { onEpoch: () => void counts.push(tf.memory().numTensors) });
    expect(r.err).toBe("");
    // 320 training rows in batches of 32: 10 steps an epoch, 1,000 in all.
    expect(r.out[1]).toMatch(/^Bayes by Backprop: 100 epochs of 320 rows in batches of 32 \(1000 steps of Adam\(0\.01\)\)/);
    expect(counts.length).toBe(100);
    expect(new Set(counts.slice(1)).size).toBe(1);
    const [acc, lpd] = nums(r.out[0]!);
    expect(acc).toBeGreaterThanOrEqual(0.92);
    expect(lpd).toBeGreaterThan(-0.2);
  }, 120_000);

  it("returns the approximation so far when interrupted", async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 1500);
    const r = await run(`model m(y) {
  mu ~ Normal(0, 10)
  y ~ Normal(mu, 1)
}
q = vi(m([1.0, 2.0, 1.5]), BayesByBackprop(), epochs = 1000000, seed = 1, draws = 10)
print(q)
`, { signal: abort.signal });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^interrupted: `vi` stopped after \d+ steps; the posterior holds draws from the approximation so far$/);
    expect(r.out[0]).toBe("a Bayes-by-Backprop approximation: 10 draws of 1 quantities");
  }, 60_000);

  it("refuses what it cannot fit and keywords of the other algorithm, with hints", async () => {
    const advi = await run(`model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 1)\n}\nq = vi(m([1.0]), BayesByBackprop(), iterations = 10)\n`);
    expect(advi.err).toMatch(/`iterations` is a keyword of ADVI, not of BayesByBackprop/);
    const epochs = await run(`model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 1)\n}\nq = vi(m([1.0]), ADVI(), epochs = 10)\n`);
    expect(epochs.err).toMatch(/`epochs` is a keyword of BayesByBackprop, not of ADVI/);
    const both = await run(`model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 1)\n}\nq = vi(m([1.0]), BayesByBackprop(Adam(0.1)), lr = 0.01)\n`);
    expect(both.err).toMatch(/give the learning rate either in BayesByBackprop's optimiser or as `lr`, not both/);
    const points = await run(`model m(x, y) {\n  net = Dense(1 => 1)\n  y ~ Normal(net(x)[:, 1], 1)\n}\nq = vi(m([[1.0], [2.0]], [1.0, 2.0]), BayesByBackprop())\n`);
    expect(points.err).toMatch(/`vi` needs a prior on every parameter, but the network net has parameters without one/);
    const fit = async (alg: string): Promise<string> => (await run(`model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 1)\n}\nq = vi(m([1.0]), ${alg}, epochs = 2)\n`)).err;
    expect(await fit(`BayesByBackprop(covariance = "diagonal")`)).toMatch(/BayesByBackprop's covariance must be "meanfield", "lowrank", "full", got "diagonal"/);
    expect(await fit(`BayesByBackprop(rank = 2)`)).toMatch(/rank is the number of columns of a low-rank covariance/);
    expect(await fit(`BayesByBackprop(covariance = "lowrank", rank = 0)`)).toMatch(/rank must be at least 1, got 0/);
    expect(await fit(`BayesByBackprop(covariance = "lowrank", rank = 2)`)).toMatch(/the rank of a low-rank covariance \(2\) cannot exceed the number of unconstrained latents \(1\)/);
    expect(await fit(`BayesByBackprop(covariance = "full", local = true)`)).toMatch(/local reparameterisation needs a factorised q, not covariance = "full"/);
  }, 60_000);
});
