/**
 * Per-statement log-density terms and the explanation of a non-finite density: the terms of
 * `logDensityOf(inst, q, terms)` are readable after it returns and sum to the density;
 * `explainNonFiniteOf` names the first statement whose term is −Inf or NaN (file:line:col),
 * and the sampler's initialisation failure carries that explanation. References: closed-form
 * normal log densities; log(0) = −Inf and log of a negative number = NaN (IEEE 754).
 */
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { compile, modelInstance } from "./program.js";
import { explainNonFiniteOf, logDensityOf, type ModelInstance } from "./instance.js";
import { runScript } from "./script.js";
import type { ScoreState } from "./handlers.js";

const LOG_2PI = Math.log(2 * Math.PI);
const normalLp = (x: number, m: number, s: number): number => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
const inst = (src: string, data: Record<string, number | number[]>): ModelInstance => modelInstance(compile(src, "nf.dlm"), "m", data);

describe("per-statement terms", () => {
  const src = "model m(c, y) {\n  mu ~ Normal(0, 1)\n  nu ~ Normal(1, 2)\n  factor(c)\n  y ~ Normal(mu, 1)\n}";
  const y = [0.5, -1];

  it("are readable after logDensityOf returns, one per statement, and sum to the density", () => {
    const m = inst(src, { c: 0.25, y });
    const q = [[0.3, -0.7], [1.5, 2]];
    const terms: NonNullable<ScoreState["terms"]> = [];
    const lp = tf.tidy(() => logDensityOf(m, tf.tensor2d(q), terms));
    const total = Array.from(lp.dataSync());
    const vals = terms.map((t) => t.value.dataSync());
    expect(vals).toHaveLength(4);
    q.forEach(([mu, nu], c) => {
      const want = [normalLp(mu!, 0, 1), normalLp(nu!, 1, 2), 0.25, y.reduce((a, v) => a + normalLp(v, mu!, 1), 0)];
      // the scalar data term of `factor(c)` has no chain axis
      const got = vals.map((v) => (v.length === 1 ? v[0]! : v[c]!));
      got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 4));
      expect(total[c]).toBeCloseTo(want.reduce((a, b) => a + b, 0), 4);
    });
    lp.dispose();
    for (const t of terms) t.value.dispose();
  });

  it("disposing the terms leaves the instance's data intact and leaks nothing", () => {
    const m = inst(src, { c: 0.25, y });
    const once = (): number => {
      const terms: NonNullable<ScoreState["terms"]> = [];
      const lp = tf.tidy(() => logDensityOf(m, tf.tensor2d([[0, 0]]), terms));
      const v = lp.dataSync()[0]!;
      lp.dispose();
      for (const t of terms) t.value.dispose();
      return v;
    };
    const first = once();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) expect(once()).toBeCloseTo(first, 6);
    expect(tf.memory().numTensors).toBe(before);
    expect(first).toBeCloseTo(normalLp(0, 0, 1) + normalLp(0, 1, 2) + 0.25 + normalLp(0.5, 0, 1) + normalLp(-1, 0, 1), 4);
  });
});

describe("explainNonFiniteOf", () => {
  const cases: readonly { name: string; src: string; line: string; value: string }[] = [
    { name: "factor giving -Inf", src: "model m(y) {\n  mu ~ Normal(0, 1)\n  factor(log(mu * 0))\n  y ~ Normal(mu, 1)\n}", line: "nf.dlm:3:3: `factor(log(mu * 0))`", value: "-Infinity" },
    { name: "factor giving NaN", src: "model m(y) {\n  mu ~ Normal(0, 1)\n  factor(log(mu - 100))\n  y ~ Normal(mu, 1)\n}", line: "nf.dlm:3:3: `factor(log(mu - 100))`", value: "NaN" },
    // y = 5 lies outside Uniform(0, b) for b = exp(0) = 1: log density −Inf
    { name: "tilde giving -Inf", src: "model m(y) {\n  b ~ LogNormal(0, 1)\n  y ~ Uniform(0, b)\n}", line: "nf.dlm:3:3: `y ~ Uniform(0, b)`", value: "-Infinity" },
    // a scale of mu − 100 < 0: log σ is NaN
    { name: "tilde giving NaN", src: "model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, mu - 100)\n}", line: "nf.dlm:3:3: `y ~ Normal(mu, mu - 100)`", value: "NaN" },
  ];
  for (const c of cases) {
    it(`names the statement: ${c.name}`, () => {
      const m = inst(c.src, { y: [5] });
      const before = tf.memory().numTensors;
      const why = explainNonFiniteOf(m, Float32Array.from([0]));
      expect(why).toBe(`${c.line} gives a log density of ${c.value}`);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("returns undefined where every term is finite", () => {
    expect(explainNonFiniteOf(inst(cases[0]!.src.replace("mu * 0", "mu * 0 + 1"), { y: [5] }), Float32Array.from([0]))).toBeUndefined();
  });
});

describe("the sampler's initialisation failure", () => {
  async function run(source: string): Promise<{ code: number; err: string }> {
    const err: string[] = [];
    const code = await runScript(source, { file: "nf.dlm", out: () => undefined, err: (l) => err.push(l) });
    return { code, err: err.join("\n") };
  }
  const sample = "post = sample(m([1.0]), NUTS(), draws = 5, warmup = 5, chains = 1)\n";

  it("names a factor that is -Inf everywhere", async () => {
    const r = await run(`model m(y) {\n  mu ~ Normal(0, 1)\n  factor(log(mu * 0))\n  y ~ Normal(mu, 1)\n}\n${sample}`);
    expect(r.code).toBe(1);
    expect(r.err).toContain("initialisation failed");
    expect(r.err).toContain("nf.dlm:3:3: `factor(log(mu * 0))` gives a log density of -Infinity");
  }, 60000);

  it("names a tilde that is NaN everywhere", async () => {
    const r = await run(`model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, mu - 100)\n}\n${sample}`);
    expect(r.code).toBe(1);
    expect(r.err).toContain("initialisation failed");
    expect(r.err).toContain("nf.dlm:3:3: `y ~ Normal(mu, mu - 100)` gives a log density of NaN");
  }, 60000);
});
