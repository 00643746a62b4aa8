/**
 * The cache of data-only top-level statements (constant-cache.ts): a statement that meets the
 * rule runs once per instance and is replayed; one that does not is re-run on every call. The
 * builtin `exp` is wrapped with a counter to see how often a statement runs. Log densities are
 * checked against closed forms computed in each test.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { key } from "../core/random.js";
import { compile, modelInstance, type CompiledProgram } from "./program.js";
import { logDensityOf, runModel, scoredCache } from "./instance.js";
import { minibatchInstance } from "./minibatch.js";
import { scorer } from "./handlers.js";
import { simulate, disposeSimulated } from "./simulate.js";
import { lookup, type Value } from "./value.js";

const LOG_2PI = Math.log(2 * Math.PI);
const normalLp = (x: number, m: number, s: number): number => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;

/** Compile `src` with `exp` counting its calls; `fail(n)` makes the n-th call throw. */
function counted(src: string, fail?: number): { prog: CompiledProgram; calls: () => number } {
  const prog = compile(src);
  const exp = lookup(prog.globals, "exp");
  if (exp?.kind !== "builtin") throw new Error("exp is not a builtin");
  let n = 0;
  prog.globals.vars.set("exp", {
    ...exp,
    call: (args, kwargs, span) => {
      n++;
      if (n === fail) throw new Error("planned failure");
      return exp.call(args, kwargs, span);
    },
  });
  return { prog, calls: () => n };
}

const density = (inst: Parameters<typeof logDensityOf>[0], q: number[][]): number[] =>
  tf.tidy(() => Array.from(logDensityOf(inst, tf.tensor2d(q)).dataSync()));

describe("constant cache", () => {
  const x = [0.1, 0.5, -0.3];
  const expSum = x.reduce((a, v) => a + Math.exp(v), 0);

  it("runs a data-only statement once per instance and replays it (value unchanged)", () => {
    const { prog, calls } = counted("model m(x) {\n  e = exp(x)\n  mu ~ Normal(0, 1)\n  factor(mu * sum(e))\n}");
    const inst = modelInstance(prog, "m", { x });
    const traced = calls(); // the trace at instantiation runs the body once, without the cache
    const q = [[0.4], [-1.2]];
    for (let i = 0; i < 3; i++) {
      const got = density(inst, q);
      q.forEach(([mu], c) => expect(got[c]).toBeCloseTo(normalLp(mu!, 0, 1) + mu! * expSum, 4));
    }
    expect(calls() - traced).toBe(1);
  });

  it("re-runs a statement that reads a latent, makes a handler call (`~` on data in a loop), or reads what such a statement assigned", () => {
    const { prog, calls } = counted(`model m(x) {
  mu ~ Normal(0, 1)
  e = exp(mu)
  acc = 0
  for i in 1:length(x) {
    acc += exp(x[i])
    x[i] ~ Normal(mu, 1)
  }
  d = exp(acc)
  factor(sum(e) + acc)
}`);
    const inst = modelInstance(prog, "m", { x });
    const traced = calls();
    const q = [[0.3], [-0.5]];
    for (let i = 0; i < 3; i++) {
      const got = density(inst, q);
      q.forEach(([mu], c) => expect(got[c]).toBeCloseTo(normalLp(mu!, 0, 1) + x.reduce((a, v) => a + normalLp(v, mu!, 1), 0) + Math.exp(mu!) + expSum, 4));
    }
    expect(calls() - traced).toBe(15); // 1 + 3 + 1 calls of `exp` per evaluation, none cached
  });

  it("caches a for loop that fills a data matrix, and an `if` on data", () => {
    const { prog, calls } = counted(`model m(x, flag) {
  lags = zeros(length(x), 2)
  for k in 1:2 {
    lags[:, k] = exp(x) * k
  }
  c = 0
  if flag == 1 {
    c = sum(exp(x))
  }
  mu ~ Normal(0, 1)
  factor(mu * (sum(lags) + c))
}`);
    const inst = modelInstance(prog, "m", { x, flag: 1 });
    const traced = calls();
    const q = [[0.7]];
    for (let i = 0; i < 3; i++) expect(density(inst, q)[0]).toBeCloseTo(normalLp(0.7, 0, 1) + 0.7 * (3 * expSum + expSum), 4);
    expect(calls() - traced).toBe(3); // the loop's two calls and the branch's one, once
  });

  it("keeps the cached value when a later statement updates the variable with a latent", () => {
    const { prog, calls } = counted("model m(x) {\n  z = exp(x)\n  mu ~ Normal(0, 1)\n  z[1] = mu\n  factor(sum(z))\n}");
    const inst = modelInstance(prog, "m", { x });
    const traced = calls();
    const q = [[0.25], [2]];
    const want = q.map(([mu]) => normalLp(mu!, 0, 1) + mu! + Math.exp(x[1]!) + Math.exp(x[2]!));
    for (let i = 0; i < 3; i++) density(inst, q).forEach((v, c) => expect(v).toBeCloseTo(want[c]!, 4));
    expect(calls() - traced).toBe(1);
  });

  it("gives a statement that throws no entry: it runs again, and is cached once it completes", () => {
    const { prog, calls } = counted("model m(x) {\n  e = exp(x)\n  mu ~ Normal(0, 1)\n  factor(mu * sum(e))\n}", 2);
    const inst = modelInstance(prog, "m", { x }); // call 1: the trace
    expect(() => density(inst, [[0.5]])).toThrow(/planned failure/); // call 2
    expect(density(inst, [[0.5]])[0]).toBeCloseTo(normalLp(0.5, 0, 1) + 0.5 * expSum, 4); // call 3
    expect(density(inst, [[0.5]])[0]).toBeCloseTo(normalLp(0.5, 0, 1) + 0.5 * expSum, 4);
    expect(calls()).toBe(3);
  });

  it("replays `record` for recorded names", () => {
    const { prog } = counted("model m(x) {\n  total = sum(exp(x))\n  mu ~ Normal(0, 1)\n}");
    const inst = modelInstance(prog, "m", { x });
    const cache = scoredCache(inst);
    const runs: number[] = [];
    for (let i = 0; i < 2; i++) {
      tf.tidy(() => {
        const seen = new Map<string, Value>();
        const state = { acc: tf.zeros([1]) };
        runModel(inst, scorer(new Map([["mu", tf.zeros([1])]]), inst.points, state, (name, v) => seen.set(name, v)), cache);
        const t = seen.get("total");
        runs.push(t?.kind === "tensor" ? t.t.dataSync()[0]! : NaN);
      });
    }
    expect(runs).toEqual([expect.closeTo(expSum, 5), expect.closeTo(expSum, 5)]);
  });

  it("serves fresh data to a minibatched instance and keeps the full instance's cache", () => {
    const { prog } = counted("model m(y) {\n  ybar = mean(exp(y))\n  mu ~ Normal(0, 1)\n  factor(mu * ybar)\n  y ~ Normal(mu, 1)\n}");
    const y = [1, 2, 4, 8];
    const inst = modelInstance(prog, "m", { y });
    const mean = (v: number[]): number => v.reduce((a, b) => a + Math.exp(b), 0) / v.length;
    const mu = 0.5;
    const full = normalLp(mu, 0, 1) + mu * mean(y) + y.reduce((a, v) => a + normalLp(v, mu, 1), 0);
    expect(density(inst, [[mu]])[0]).toBeCloseTo(full, 3);
    const rows = [1, 3];
    const sub = rows.map((i) => y[i]!);
    const half = normalLp(mu, 0, 1) + mu * mean(sub) + 2 * sub.reduce((a, v) => a + normalLp(v, mu, 1), 0);
    expect(density(minibatchInstance(inst, rows), [[mu]])[0]).toBeCloseTo(half, 3);
    expect(density(inst, [[mu]])[0]).toBeCloseTo(full, 3);
  });

  it("is not used by simulation: the statement runs on every simulate", () => {
    const { prog, calls } = counted("model m(x, y) {\n  e = exp(x)\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu + e, 1)\n}");
    const inst = modelInstance(prog, "m", { x, y: "missing" });
    density(inst, [[0, 0, 0, 0]]);
    const before = calls();
    for (let i = 0; i < 2; i++) disposeSimulated(simulate(inst, 3, key(i), new Map(), true));
    expect(calls() - before).toBe(2);
  });

  it("owns its tensors: the tensor count is flat over calls once filled", () => {
    const { prog } = counted("model m(x) {\n  e = exp(x)\n  lags = zeros(3, 2)\n  for k in 1:2 {\n    lags[:, k] = e * k\n  }\n  mu ~ Normal(0, 1)\n  factor(mu * sum(lags))\n}");
    const inst = modelInstance(prog, "m", { x });
    const q = tf.tensor2d([[0.1], [0.2]]);
    tf.dispose(logDensityOf(inst, q));
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose(logDensityOf(inst, q));
    expect(tf.memory().numTensors).toBe(n0);
    q.dispose();
  });
});

describe("value-only terms of observed data (Distribution.valueSplit)", () => {
  const logFact = (k: number): number => { let s = 0; for (let i = 2; i <= k; i++) s += Math.log(i); return s; };
  const poissonLp = (k: number, rate: number): number => k * Math.log(rate) - rate - logFact(k);
  const y = [0, 3, 1, 7, 2, 5];
  const src = "model m(y) {\n  a ~ Normal(0, 1)\n  y ~ Poisson(log_rate = a)\n}";

  it("scores a whole data argument with the host-side −lgamma(k + 1) sum: same as the closed form, and as `y[i] ~` in a loop", () => {
    const inst = modelInstance(compile(src), "m", { y });
    const loop = modelInstance(compile("model m(y) {\n  a ~ Normal(0, 1)\n  for i in 1:length(y) {\n    y[i] ~ Poisson(log_rate = a)\n  }\n}"), "m", { y });
    const q = [[0.4], [-0.3]];
    for (let i = 0; i < 2; i++) {
      const got = density(inst, q);
      const viaLoop = density(loop, q);
      q.forEach(([a], c) => {
        const want = normalLp(a!, 0, 1) + y.reduce((acc, k) => acc + poissonLp(k, Math.exp(a!)), 0);
        expect(got[c]).toBeCloseTo(want, 3);
        expect(viaLoop[c]).toBeCloseTo(want, 3);
      });
    }
  });

  it("scales the value-only sum of a minibatch by N / batch, from the batch's own rows", () => {
    const inst = modelInstance(compile(src), "m", { y });
    const a = 0.2;
    density(inst, [[a]]); // the full instance's sum is cached first
    const rows = [1, 3];
    const want = normalLp(a, 0, 1) + 3 * rows.reduce((acc, i) => acc + poissonLp(y[i]!, Math.exp(a)), 0);
    expect(density(minibatchInstance(inst, rows), [[a]])[0]).toBeCloseTo(want, 3);
  });
});
