/**
 * `logpdf(D, x)` / `logprob(D, x)`: elementwise log densities, chain-batched. References: the
 * normal log density in closed form; scipy 1.x values computed offline and written below
 * (stats.poisson.logpmf, stats.multivariate_normal.logpdf).
 */
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { compile, modelInstance } from "./program.js";
import { logDensityOf, outputNamesOf, outputsOf } from "./instance.js";
import { runScript } from "./script.js";

const LOG_2PI = Math.log(2 * Math.PI);
const normalLp = (x: number, m: number, s: number): number => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;

async function run(source: string): Promise<{ code: number; err: string; out: string[] }> {
  const err: string[] = [];
  const out: string[] = [];
  const code = await runScript(source, { file: "lp.dlm", out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, err: err.join("\n"), out };
}

describe("logpdf", () => {
  it("factor(sum(logpdf(Normal(mu, s), x))) equals target += normal_lpdf(x | mu, s) on a computed x", () => {
    const src = `model m(y) {
  mu ~ Normal(0, 1)
  z = 2 * y
  factor(sum(logpdf(Normal(mu, 3), z)))
  lp = logprob(Normal(mu, 3), z)
}`;
    const y = [0.5, -1, 2];
    const inst = modelInstance(compile(src), "m", { y });
    const q = [[0.25], [-1.5]];
    const got = tf.tidy(() => Array.from(logDensityOf(inst, tf.tensor2d(q)).dataSync()));
    q.forEach(([mu], c) => expect(got[c]).toBeCloseTo(normalLp(mu!, 0, 1) + y.reduce((a, v) => a + normalLp(2 * v, mu!, 3), 0), 4));
    // elementwise and chain-batched: lp has shape [3] per chain
    expect(inst.records.find((r) => r.name === "lp")?.shape).toEqual([3]);
    const out = tf.tidy(() => outputsOf(inst, tf.tensor2d(q)));
    const names = outputNamesOf(inst);
    q.forEach(([mu], c) => y.forEach((v, i) => expect(out[c]![names.indexOf(`lp[${i + 1}]`)]).toBeCloseTo(normalLp(2 * v, mu!, 3), 4)));
  });

  it("aligns a latent scalar value with a vector-parameter distribution: [C] against batch [3] gives [C, 3]", () => {
    const src = "model m(y) {\n  mu ~ Normal(0, 1)\n  lp = logpdf(Normal([0, 1, 2], 2), mu)\n  factor(sum(lp))\n}";
    const inst = modelInstance(compile(src), "m", { y: [0] });
    expect(inst.records.find((r) => r.name === "lp")?.shape).toEqual([3]);
    const q = [[0.5], [3]];
    const got = tf.tidy(() => Array.from(logDensityOf(inst, tf.tensor2d(q)).dataSync()));
    q.forEach(([mu], c) => expect(got[c]).toBeCloseTo(normalLp(mu!, 0, 1) + [0, 1, 2].reduce((a, m) => a + normalLp(mu!, m, 2), 0), 4));
  });

  it("scores data under plain distributions, discrete and multivariate (scipy references)", async () => {
    const r = await run(`print(logpdf(Poisson(2.5), [0, 3, 7]))
print(logpdf(MvNormal([1, 0], [[2, 0.5], [0.5, 1]]), [[0.5, -1], [2, 0.3], [0, 0]]))
`);
    expect(r.err).toBe("");
    const nums = (s: string): number[] => (s.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number);
    // scipy.stats.poisson.logpmf([0, 3, 7], 2.5)
    nums(r.out[0]!).forEach((v, i) => expect(v).toBeCloseTo([-2.5, -1.5428872736055896, -4.611126237946329][i]!, 3));
    expect(nums(r.out[0]!)).toHaveLength(3);
    // scipy.stats.multivariate_normal.logpdf(x, mean=[1, 0], cov=[[2, 0.5], [0.5, 1]]): one value per row
    nums(r.out[1]!).forEach((v, i) => expect(v).toBeCloseTo([-2.6176849603770567, -2.369113531805628, -2.4033992460913423][i]!, 3));
    expect(nums(r.out[1]!)).toHaveLength(3);
  });

  it("rejects a first argument that is not a distribution, and a wrong number of arguments statically", async () => {
    const a = await run("print(logpdf(1, 2))\n");
    expect(a.code).toBe(1);
    expect(a.err).toContain("the first argument of `logpdf` should be a distribution");
    const b = await run("print(logprob(Normal(0, 1)))\n");
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/lp\.dlm:1:7: error: `logprob` takes 2 positional arguments \(dist, x\), but 1 was given/);
  });
});
