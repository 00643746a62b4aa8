/**
 * Slow-loop warnings: a scalar `~` in a loop and a loop that sets a vector element by element.
 * The vectorised statement is spelled out only when it is the same model (checked here by
 * scoring both forms), and a script prints each warning once, on its error stream, even when
 * the statement runs again after `sample`.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { logDensityOf } from "./instance.js";
import { compile, modelInstance, type DataValue } from "./program.js";
import { runScript } from "./script.js";

const x = [0.1, -0.4, 1.3, 0.8];
const y = [0.3, -0.2, 2.1, 1.4];
const q = [[0.2, 0.7, -0.1], [-0.3, 1.1, 0.4]];

function warnings(src: string, data: Record<string, DataValue>): string[] {
  return modelInstance(compile(src), "m", data).warnings.map((w) => w.message);
}

function lp(src: string, data: Record<string, DataValue>): number[] {
  return tf.tidy(() => Array.from(logDensityOf(modelInstance(compile(src), "m", data), tf.tensor2d(q)).dataSync()));
}

const model = (body: string, params = "x, y"): string => `model m(${params}) {\n  a ~ Normal(0, 1)\n  b ~ Normal(0, 1)\n  s ~ HalfNormal(1)\n${body}\n}`;
/** The code a warning suggests, if any. */
const suggested = (message: string): string | undefined => /write `([^`]+)` once/.exec(message)?.[1];

describe("a scalar ~ in a loop", () => {
  it("suggests the vectorised statement when it is the same model, and it scores the same", () => {
    const loop = model("  for i in 1:length(y) {\n    y[i] ~ Normal(a + b * exp(x[i]), s)\n  }");
    const [message, ...more] = warnings(loop, { x, y });
    expect(more).toEqual([]);
    const code = suggested(message!);
    expect(code).toBe("y ~ Normal(a + b * exp(x), s)");
    const vec = model(`  ${code}`);
    lp(loop, { x, y }).forEach((v, c) => expect(v).toBeCloseTo(lp(vec, { x, y })[c]!, 4));
  });

  it("gives a hint without code when the rewrite would change the model", () => {
    const cases: [string, Record<string, DataValue>][] = [
      // the loop variable itself, outside an index: `y ~ Normal(a + b * i, s)` has no `i`
      ["  for i in 1:length(y) {\n    y[i] ~ Normal(a + b * i, s)\n  }", { x, y }],
      // a shifted index
      ["  for i in 2:length(y) {\n    y[i] ~ Normal(a + b * x[i - 1], s)\n  }", { x, y }],
      // part of the data only
      ["  for i in 2:length(y) {\n    y[i] ~ Normal(a + b * x[i], s)\n  }", { x, y }],
      ["  for i in 1:3 {\n    y[i] ~ Normal(a + b * x[i], s)\n  }", { x, y }],
      // a value the loop computes
      ["  for i in 1:length(y) {\n    m = a + b * x[i]\n    y[i] ~ Normal(m, s)\n  }", { x, y }],
      // a data vector of another length (the loop reads only its first elements)
      ["  for i in 1:length(y) {\n    y[i] ~ Normal(a + b * x[i], s)\n  }", { x: [...x, 5], y }],
      // not elementwise: sum of one element against the sum of all
      ["  for i in 1:length(y) {\n    y[i] ~ Normal(a + b * sum(x[i]), s)\n  }", { x, y }],
      // inside a branch
      ["  for i in 1:length(y) {\n    if x[i] > 0 {\n      y[i] ~ Normal(a, s)\n    }\n  }", { x, y }],
    ];
    for (const [body, data] of cases) {
      const found = warnings(model(body), data);
      expect(found, body).toHaveLength(1);
      expect(found[0], body).toMatch(/runs once per loop iteration/);
      expect(suggested(found[0]!), body).toBeUndefined();
      expect(found[0], body).not.toMatch(/y ~/);
    }
  });
});

describe("a loop that sets a vector element by element", () => {
  it("is warned about; the assignment of the whole vector is suggested when it is the same, and scores the same", () => {
    const loop = model("  mu = zeros(N)\n  for i in 1:N {\n    mu[i] = a + b * x[i]\n  }\n  y ~ Normal(mu, s)", "x, y, N");
    const data = { x, y, N: 4 };
    const [message, ...more] = warnings(loop, data);
    expect(more).toEqual([]);
    expect(message).toMatch(/sets `mu` one element per iteration/);
    const code = suggested(message!);
    expect(code).toBe("mu = a + b * x");
    const vec = model(`  ${code}\n  y ~ Normal(mu, s)`, "x, y, N");
    lp(loop, data).forEach((v, c) => expect(v).toBeCloseTo(lp(vec, data)[c]!, 4));
  });

  it("without code when the loop covers part of the vector; not at all for a recurrence", () => {
    const part = warnings(model("  mu = zeros(N)\n  for i in 1:M {\n    mu[i] = a + b * x[i]\n  }\n  y ~ Normal(mu, s)", "x, y, N, M"), { x, y, N: 4, M: 4 });
    expect(part).toHaveLength(1);
    expect(part[0]).toMatch(/sets `mu` one element per iteration/);
    expect(suggested(part[0]!)).toBeUndefined();
    const ar = model("  mu = zeros(N)\n  mu[1] = a\n  for t in 2:N {\n    mu[t] = b * mu[t - 1]\n  }\n  y ~ Normal(mu, s)", "x, y, N");
    expect(warnings(ar, { x, y, N: 4 })).toEqual([]);
  });
});

describe("in a script", () => {
  it("each warning is printed once, on the error stream, though `sample` runs its statement again", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const src = "model m(y) {\n  mu ~ Normal(0, 1)\n  for i in 1:length(y) {\n    y[i] ~ Normal(mu, 1)\n  }\n}\n" +
      "post = sample(m([0.5, 1.5]), draws = 10, warmup = 10, chains = 1, seed = 1)\ninst = m([1.0, 2.0])\nprint(\"done\")\n";
    expect(await runScript(src, { file: "loop.dlm", out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(0);
    expect(out).toEqual(["done"]);
    const shown = err.filter((l) => l.includes("runs once per loop iteration"));
    expect(shown, err.join("\n")).toHaveLength(1);
    expect(shown[0]).toMatch(/^loop\.dlm:4:5: warning: .*`y ~ Normal\(mu, 1\)`/);
  }, 60_000);
});
