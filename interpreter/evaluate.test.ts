/**
 * The evaluator's chain batching, element updates, loops, functions, minibatching, outputs,
 * explanations of non-finite densities, posterior predictive mixtures and the REPL session.
 * References are closed forms computed by hand in each test.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { key } from "../core/random.js";
import { compile, modelInstance } from "./program.js";
import { explainNonFiniteOf, logDensityOf, outputNamesOf, outputsOf } from "./instance.js";
import { minibatchInstance } from "./minibatch.js";
import { mixtureMoments, simulate, disposeSimulated } from "./simulate.js";
import { createSession, runScript } from "./script.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const LOG_2PI = Math.log(2 * Math.PI);
const normalLp = (x: number, m: number, s: number): number => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
const ld = (src: string, name: string, data: Record<string, number | number[] | number[][]>, q: number[][]): number[] =>
  tf.tidy(() => Array.from(logDensityOf(modelInstance(compile(src), name, data), tf.tensor2d(q)).dataSync()));

describe("chain batching", () => {
  it("aligns a latent scalar with data: mu [C] - y [N] is [C, N]", () => {
    const src = "model m(y) {\n  mu ~ Normal(0, 1)\n  r = y - mu\n  factor(-0.5 * sum(r * r))\n}";
    const y = [1, 2, 3];
    const q = [[0.5], [-1]];
    const got = ld(src, "m", { y }, q);
    q.forEach(([mu], c) => expect(got[c]).toBeCloseTo(normalLp(mu!, 0, 1) - 0.5 * y.reduce((a, v) => a + (v - mu!) ** 2, 0), 4));
  });

  it("reduces over non-chain axes only: sum(x * b, dims = 2) and mean(..., dims = 1)", () => {
    const src = "model m(x) {\n  b ~ Normal(0, 1, size = 2)\n  rows = sum(x * b, dims = 2)\n  factor(mean(rows, dims = 1))\n}";
    const x = [[1, 2], [3, 4], [5, 7]];
    const q = [[0.1, 0.2], [1, -1], [0, 0]];
    const got = ld(src, "m", { x }, q);
    q.forEach((b, c) => {
      const rows = x.map((r) => r[0]! * b[0]! + r[1]! * b[1]!);
      expect(got[c]).toBeCloseTo(normalLp(b[0]!, 0, 1) + normalLp(b[1]!, 0, 1) + rows.reduce((a, v) => a + v, 0) / 3, 4);
    });
  });

  it("indexes, gathers and updates elements of latent-dependent arrays", () => {
    const src = `model m(g) {
  theta ~ Normal(0, 1, size = 3)
  t2 = theta[g]
  z = zeros(3)
  z[2] = theta[1] * 10
  factor(sum(t2) + sum(z) + theta[2:3][2])
}`;
    const g = [3, 1, 3];
    const q = [[0.1, 0.2, 0.3], [1, 2, -1]];
    const got = ld(src, "m", { g }, q);
    q.forEach((th, c) => {
      const prior = th.reduce((a, v) => a + normalLp(v, 0, 1), 0);
      expect(got[c]).toBeCloseTo(prior + (th[2]! + th[0]! + th[2]!) + th[0]! * 10 + th[2]!, 4);
    });
  });

  it("runs loops, user functions and accumulating assignments", () => {
    const src = `fn sq(v) = v * v
model m(y) {
  mu ~ Normal(0, 1)
  acc = 0
  for i in 1:length(y) {
    acc += sq(y[i] - mu)
  }
  factor(-0.5 * acc)
}`;
    const y = [0.5, -1, 2];
    const q = [[0.3], [-0.7]];
    const got = ld(src, "m", { y }, q);
    q.forEach(([mu], c) => expect(got[c]).toBeCloseTo(normalLp(mu!, 0, 1) - 0.5 * y.reduce((a, v) => a + (v - mu!) ** 2, 0), 4));
  });

  it("scores a loop of scalar observations like the vectorised statement, with a warning", () => {
    const loop = "model m(y) {\n  mu ~ Normal(0, 1)\n  for i in 1:length(y) {\n    y[i] ~ Normal(mu, 2)\n  }\n}";
    const vec = "model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 2)\n}";
    const y = [1, 2, 3, 4];
    const q = [[0.2], [1.5]];
    expect(ld(loop, "m", { y }, q)[1]).toBeCloseTo(ld(vec, "m", { y }, q)[1]!, 4);
    const inst = modelInstance(compile(loop), "m", { y });
    expect(inst.warnings).toHaveLength(1);
    expect(inst.warnings[0]!.message).toContain("`y ~ Normal(mu, 2)`");
  });
});

describe("instances", () => {
  const src = "model m(x, y) {\n  a ~ Normal(0, 1)\n  s ~ HalfNormal(1)\n  mu = a + x\n  y ~ Normal(mu, s)\n}";
  const x = [0, 1, 2, 3];
  const y = [0.5, 1.2, 2.9, 3.1];

  it("records top-level latent-dependent quantities as outputs, Stan-named", () => {
    const inst = modelInstance(compile(src), "m", { x, y });
    expect(outputNamesOf(inst)).toEqual(["a", "s", "mu[1]", "mu[2]", "mu[3]", "mu[4]"]);
    const out = tf.tidy(() => outputsOf(inst, tf.tensor2d([[0.5, Math.log(2)]])));
    expect(out[0]![0]).toBeCloseTo(0.5, 6);
    expect(out[0]![1]).toBeCloseTo(2, 5);
    expect(out[0]!.slice(2)).toEqual(x.map((v) => expect.closeTo(v + 0.5, 5)));
  });

  it("minibatches: the full batch equals the density; a half batch scales the likelihood by N / batch", () => {
    const inst = modelInstance(compile(src), "m", { x, y });
    const q = [[0.3, -0.2]];
    const s = Math.exp(-0.2);
    const prior = normalLp(0.3, 0, 1) + Math.log(2) + normalLp(s, 0, 1) - 0.2;
    const lik = (rows: number[]): number => rows.reduce((acc, i) => acc + normalLp(y[i]!, 0.3 + x[i]!, s), 0);
    const full = tf.tidy(() => logDensityOf(minibatchInstance(inst, [0, 1, 2, 3]), tf.tensor2d(q)).dataSync()[0]!);
    const half = tf.tidy(() => logDensityOf(minibatchInstance(inst, [1, 3]), tf.tensor2d(q)).dataSync()[0]!);
    expect(full).toBeCloseTo(prior + lik([0, 1, 2, 3]), 4);
    expect(half).toBeCloseTo(prior + 2 * lik([1, 3]), 4);
  });

  it("explains a non-finite density by naming the statement", () => {
    const bad = "model m(y) {\n  mu ~ Normal(0, 1)\n  factor(log(mu - 100))\n  y ~ Normal(mu, 1)\n}";
    const inst = modelInstance(compile(bad, "bad.dlm"), "m", { y: [1] });
    const why = explainNonFiniteOf(inst, Float32Array.from([0]));
    expect(why).toContain("bad.dlm:3:3");
    expect(why).toContain("factor(log(mu - 100))");
  });

  it("posterior predictive: per-draw distributions give exact mixture moments", () => {
    const inst = modelInstance(compile("model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 2)\n}"), "m", { y: "missing" });
    const mus = tf.tensor1d([0, 1, 2, 3]);
    const sims = simulate(inst, 4, key(1), new Map([["mu", mus]]), false);
    const m = mixtureMoments(sims.get("y")!);
    // mean = mean(mu) = 1.5; variance = 4 + var_pop(mu) = 4 + 1.25
    expect(m.mean.dataSync()[0]).toBeCloseTo(1.5, 5);
    expect(m.variance.dataSync()[0]).toBeCloseTo(5.25, 5);
    tf.dispose([m.mean, m.variance, mus]);
    disposeSimulated(sims);
  });
});

describe("session", () => {
  it("keeps variables between inputs and reports types and shapes", async () => {
    const out: string[] = [];
    const s = createSession({ out: (l) => out.push(l), err: (l) => out.push(`ERR ${l}`) });
    expect(await s.run("x = [[1, 2, 3], [4, 5, 6]]")).toBe(true);
    expect(await s.run("y = sum(x, dims = 1)")).toBe(true);
    expect(await s.run("print(y, ncols(x))")).toBe(true);
    expect(out).toContain("[5, 7, 9] 3");
    expect(await s.typeOf("x @ transpose(x)")).toBe("an array of shape [2, 2]");
    expect(s.variables().map((v) => v.name)).toEqual(expect.arrayContaining(["x", "y"]));
    expect(await s.run("z = nosuch(1)")).toBe(false);
    expect(out.at(-1)).toContain("unknown name `nosuch`");
  });
});

describe("networks and linear algebra", () => {
  it("runs a block network with a forward function (residual connection)", () => {
    const src = `network res(d) {
  inner = Dense(d => d, tanh)
  forward(x) = x + inner(x)
}
model m(x) {
  net = res(2)
  params(net) ~ Normal(0, 1)
  factor(sum(net(x)))
}`;
    const x = [[1, -1], [0.5, 2]];
    const inst = modelInstance(compile(src), "m", { x });
    expect(inst.latents.map((l) => l.name)).toEqual(["net.inner.weight", "net.inner.bias"]);
    const q = [[0.1, -0.2, 0.3, 0.4, 0.05, -0.1], [1, 0, 0, 1, 0, 0]];
    const got = tf.tidy(() => Array.from(logDensityOf(inst, tf.tensor2d(q)).dataSync()));
    q.forEach((p, c) => {
      const prior = p.reduce((a, v) => a + normalLp(v, 0, 1), 0);
      // weight [2, 2] row-major: W[i][j] = p[2i + j]; bias b = p[4..5]
      let f = 0;
      for (const row of x) for (let j = 0; j < 2; j++) f += row[j]! + Math.tanh(row[0]! * p[j]! + row[1]! * p[2 + j]! + p[4 + j]!);
      expect(got[c]).toBeCloseTo(prior + f, 4);
    });
  });

  it("solve, logdet and cholesky agree with the 2×2 closed forms", () => {
    const src = "model m(S) {\n  b ~ Normal(0, 1, size = 2)\n  L = cholesky(S)\n  factor(-0.5 * sum(b * solve(S, b)) - 0.5 * logdet(S) + L[2, 1])\n}";
    const S = [[4, 2], [2, 3]];
    const q = [[0.5, -1], [2, 0.3]];
    const got = ld(src, "m", { S }, q);
    const det = 4 * 3 - 2 * 2;
    q.forEach(([b1, b2], c) => {
      // S⁻¹ = [[3, −2], [−2, 4]] / 8; L₂₁ = 2 / √4 = 1
      const quad = (3 * b1! * b1! - 4 * b1! * b2! + 4 * b2! * b2!) / det;
      expect(got[c]).toBeCloseTo(normalLp(b1!, 0, 1) + normalLp(b2!, 0, 1) - 0.5 * quad - 0.5 * Math.log(det) + 1, 4);
    });
  });
});

/** A fresh folder holding `files` (name → text), for scripts that include them. */
function scriptDir(prefix: string, files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("include and origins", () => {
  it("runs included definitions and renders errors against the file that holds the statement", async () => {
    const dir = scriptDir("dlm-include-", { "models.dlm": "fn double(v) = 2 * v\n\nmodel m(x, y) {\n  a ~ Normal(0, 1)\n  y ~ Normal(a + x, 1)\n}\n" });
    const out: string[] = [];
    const err: string[] = [];
    const main = 'include "models.dlm"\nprint(double(21))\ni = m([1, 2, 3], [1, 2])\n';
    const code = await runScript(main, { file: join(dir, "main.dlm"), out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(out).toEqual(["42"]);
    expect(code).toBe(1);
    expect(err.join("\n")).toContain(`${join(dir, "models.dlm")}:5:3: error: \`y\` has shape [2] but its distribution \`Normal(a + x, 1)\` has shape [3]`);
    expect(err.join("\n")).toContain(" 5 |   y ~ Normal(a + x, 1)");
  });

  it("names every file of an include cycle, and a file that includes itself", async () => {
    const dir = scriptDir("dlm-include-cycle-", {
      "a.dlm": 'fn twice(v) = 2 * v\ninclude "b.dlm"\n',
      "b.dlm": 'include "a.dlm"\n',
      "self.dlm": 'include "self.dlm"\n',
      "back.dlm": 'include "main.dlm"\n',
    });
    const run = async (main: string): Promise<string> => {
      const err: string[] = [];
      expect(await runScript(main, { file: join(dir, "main.dlm"), out: () => {}, err: (l) => err.push(l) })).toBe(1);
      return err.join("\n");
    };
    const twoFiles = await run('include "a.dlm"\n');
    expect(twoFiles).toContain(`${join(dir, "b.dlm")}:1:1: error: include cycle: a.dlm → b.dlm → a.dlm`);
    expect(twoFiles).not.toMatch(/\n\s+at /);
    expect(await run('include "back.dlm"\n')).toContain("include cycle: main.dlm → back.dlm → main.dlm");
    expect(await run('include "self.dlm"\n')).toContain('`include "self.dlm"` includes the file that contains it');
    expect(await run('include "main.dlm"\n')).toContain('`include "main.dlm"` includes the file that contains it');
  });

  it("renders a model's errors against the REPL input that defined it", async () => {
    const err: string[] = [];
    const s = createSession({ out: () => {}, err: (l) => err.push(l) });
    expect(await s.run("model m(y) {\n  l ~ Gamma(2, 1)\n  y ~ Poisson(l)\n}")).toBe(true);
    expect(await s.run("i = m([1, -1])")).toBe(false);
    expect(err.at(-1)).toContain("<repl>:3:3: error: y (element 2) = -1 is outside the support of Poisson");
    expect(err.at(-1)).toContain(" 3 |   y ~ Poisson(l)");
  });
});

describe("stacking and concatenation with mixed batched and plain operands", () => {
  // A latent vector a (batched, [C, 2]) next to the data vector b = [10, 20]; the expected
  // layouts follow the definitions: stack puts items along a new first axis, vcat joins along
  // axis 1, hcat makes vectors columns and joins along axis 2.
  const src = `model m(b, B) {
  a ~ Normal(0, 1, size = 2)
  s = stack([a, b])
  s1 = stack([b, a])
  s2 = stack(a, b)
  v = vcat(a, b)
  vm = vcat(B, stack([a, a]))
  h = hcat(a, b)
  hm = hcat(B, a)
}`;
  const b = [10, 20];
  const B = [[1, 2], [3, 4]];

  it("gives the non-chain shapes of the unbatched case", () => {
    const inst = modelInstance(compile(src), "m", { b, B });
    const shapes = Object.fromEntries(inst.records.map((r) => [r.name, r.shape]));
    expect(shapes).toEqual({ s: [2, 2], s1: [2, 2], s2: [2, 2], v: [4], vm: [4, 2], h: [2, 2], hm: [2, 3] });
  });

  it("puts each chain's values where the unbatched definition does", () => {
    const inst = modelInstance(compile(src), "m", { b, B });
    const q = [[0.5, -1], [2, 3]];
    const out = tf.tidy(() => outputsOf(inst, tf.tensor2d(q)));
    const names = outputNamesOf(inst);
    q.forEach(([a1, a2], c) => {
      const get = (n: string): number => out[c]![names.indexOf(n)]!;
      expect([get("s[1,1]"), get("s[1,2]"), get("s[2,1]"), get("s[2,2]")]).toEqual([a1, a2, 10, 20]);
      expect([get("s1[1,1]"), get("s1[1,2]"), get("s1[2,1]"), get("s1[2,2]")]).toEqual([10, 20, a1, a2]);
      expect([get("v[1]"), get("v[2]"), get("v[3]"), get("v[4]")]).toEqual([a1, a2, 10, 20]);
      expect([get("vm[1,1]"), get("vm[2,2]"), get("vm[3,1]"), get("vm[4,2]")]).toEqual([1, 4, a1, a2]);
      expect([get("h[1,1]"), get("h[2,1]"), get("h[1,2]"), get("h[2,2]")]).toEqual([a1, a2, 10, 20]);
      expect([get("hm[1,1]"), get("hm[2,2]"), get("hm[1,3]"), get("hm[2,3]")]).toEqual([1, 4, a1, a2]);
    });
  });
});

describe("function scope", () => {
  // Regression: a local of a user fn named like one of the calling model's data arguments or
  // latents was checked against the model ("`K` is a data argument of the model").
  it("keeps a fn's locals apart from the calling model's data and latent names", () => {
    const src = `fn colsum(e) {
  K = ncols(e)
  mu = zeros(K)
  for k in 1:K {
    mu[k] = sum(e[:, k])
  }
  return mu
}
model m(K, e) {
  mu ~ Normal(0, 1)
  fn helper(x) = x * K
  factor(mu * sum(colsum(e)) + helper(1))
}`;
    const e = [[1, 2, 3], [4, 5, 6]];
    const q = [[0.5], [-2]];
    const got = ld(src, "m", { K: 7, e }, q);
    // sum of column sums is 21; helper(1) = K = 7 (the model's K, untouched by the fn's local)
    q.forEach(([mu], c) => expect(got[c]).toBeCloseTo(normalLp(mu!, 0, 1) + mu! * 21 + 7, 4));
  });

  it("still rejects reassigning a data argument in the model body itself", () => {
    const src = "model m(K) {\n  mu ~ Normal(0, 1)\n  K = 3\n}";
    expect(() => modelInstance(compile(src), "m", { K: 2 })).toThrow(/`K` is a data argument of the model/);
  });
});

describe("comparisons of parameters on the interpreter's tfjs path", () => {
  it("differentiate as their derivative 0 (tfjs alone has no gradient for them): ifelse, &&, ! and == of a latent", () => {
    const src = "model m() {\n  a ~ Normal(0, 1)\n  w = ifelse(a > 0 && !(a == 5), a, 0.5 * a)\n  factor(-square(w))\n}\n";
    const inst = modelInstance(compile(src), "m", {});
    const q = tf.tensor2d([[-1.5], [0.7]]);
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(logDensityOf(inst, x as tf.Tensor2D)))(q));
    // d/da of −a²/2 − w²: w = a (a > 0) or a/2
    expect(Array.from(g.dataSync()).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1.5 - 2 * 0.25 * -1.5, -0.7 - 2 * 0.7].map((v) => Math.round(v * 1e5) / 1e5));
    tf.dispose([q, g]);
  });
});

