/**
 * Branches and steps on parameter values in the host engine: `ifelse`, `clamp`, `max`, `min`,
 * `prod`, `floor`, `ceil`, `round`, the comparison and logical operators and `if` on
 * parameters record (as IR selects, steps and reductions) instead of falling back to tfjs.
 *
 * References: where tfjs can differentiate the model, the interpreter's tfjs value and
 * gradient (float32). tfjs's tape has no gradient through a comparison (Greater, NotEqual, …:
 * "gradient function not found"), so for models with comparisons on parameters the reference
 * is the interpreter's tfjs value, and the gradient is checked against central finite
 * differences of the recorded float64 value. The interpreter refuses an `if` on a latent while
 * tracing, so the recorder's `if` is checked on an instance traced from the same model written
 * with `ifelse`, against that model's tfjs value.
 */
import { describe, expect, it } from "vitest";
import { compileHost } from "../../core/exec/host/compile.js";
import { posteriorModel, type ModelInstance } from "../../interpreter/instance.js";
import { compile, modelInstance, type DataValue } from "../../interpreter/program.js";
import { CannotRecord, recordInstance } from "../../interpreter/record.js";
import { fdGrad } from "../../core/exec/testing.js";
import { points, tfjsAt, tfjsValueAt } from "./helpers.js";

const instance = (source: string, data: Record<string, DataValue>): ModelInstance => modelInstance(compile(source), "m", data);

/**
 * `recorded` records on the host engine, and at `count` random points its value equals the
 * tfjs value of `reference` (the same model, or the same written with `ifelse`); its gradient
 * equals tfjs's (`gradient: "tfjs"`) or central finite differences of the recorded value.
 */
function expectRecordsAsTfjs(recorded: ModelInstance, reference: ModelInstance, gradient: "tfjs" | "fd", count = 6): void {
  const rec = recordInstance(recorded);
  const { valueAndGrad: host } = compileHost(rec.graph, rec.output);
  const dim = recorded.layout.dim;
  expect(reference.layout.dim).toBe(dim);
  const scratch = new Float64Array(dim);
  for (const q of points(dim, count, dim * 131 + 5, 1.5)) {
    const grad = new Float64Array(dim);
    const value = host(q, grad);
    const ref = gradient === "tfjs" ? tfjsAt(reference, q) : { value: tfjsValueAt(reference, q), grad: undefined };
    expect(Number.isFinite(value)).toBe(true);
    expect(Math.abs(value - ref.value)).toBeLessThan(5e-6 * Math.abs(value) + 1e-4);
    const want = gradient === "tfjs" ? ref.grad! : fdGrad((x) => host(x, scratch), q);
    const scale = Math.max(1, ...Array.from(grad, Math.abs));
    for (let i = 0; i < dim; i++) {
      expect(Number.isFinite(grad[i]!)).toBe(true);
      expect(Math.abs(grad[i]! - want[i]!)).toBeLessThan((gradient === "tfjs" ? 2e-5 : 1e-6) * scale + 1e-5 * Math.abs(grad[i]!));
    }
  }
}

/** The engine note of `inst` under the host engine: it records (no fallback). */
function expectHostEngine(inst: ModelInstance): void {
  const notes: string[] = [];
  const model = posteriorModel(inst, { engine: "host", note: (l) => notes.push(l) });
  expect(notes).toHaveLength(1);
  expect(notes[0]).toMatch(/^engine: host/);
  expect(model.hostValueAndGrad).toBeDefined();
}

describe("host engine: steps, max, min, clamp and prod on parameters", () => {
  it("record, with tfjs's value and gradient", () => {
    const src = `model m(y, M, flags) {
  a ~ Normal(0, 1, size = 3)
  s ~ HalfNormal(1)
  b ~ Normal(0, 2)
  mu = clamp(a, -0.5, 0.5) + max(a, b) + min(a, 0.2 * b) + clamp(2 * b, a, s + 1) + ifelse(flags, a * s, exp(a))
  y ~ Normal(mu, s + 0.5)
  X = M * reshape(a, 1, 3)
  factor(max(a) - min(a * b) + sum(max(X, dims = 2)) + sum(min(X, dims = 1)) + max(b, 0.3) * min(s, 1))
  factor(prod(a) + sum(prod(X, dims = 1)) + 0.1 * prod(1 + square(a)) + sum(prod(X, dims = 2)))
  factor(sum(floor(3 * a) * a + ceil(2 * a) * b + round(4 * a) * s) + round(b) * floor(s * 3))
}`;
    const inst = instance(src, { y: [0.5, -1.2, 2.0], M: [[1, 0.5, -1], [0.3, 2, 0.1]], flags: [1, 0, 1] });
    expectHostEngine(inst);
    expectRecordsAsTfjs(inst, inst, "tfjs");
  });

  it("prod over a vector with an element exactly 0: the gradient is the product of the others", () => {
    const inst = instance("model m(z) {\n  a ~ Normal(0, 1, size = 3)\n  factor(prod(a * z))\n}", { z: [1, 0, 2] });
    const rec = recordInstance(inst);
    const { valueAndGrad: host } = compileHost(rec.graph, rec.output);
    const grad = new Float64Array(3);
    // log density: −½ Σ a² + const + a₁ · 0 · 2 a₃
    const q = Float64Array.from([0.5, -1.5, 2]);
    host(q, grad);
    expect(Array.from(grad)).toEqual([-0.5, 1.5, -2]);
  });
});

describe("host engine: comparisons, logical operators and ifelse on parameters", () => {
  it("record, with tfjs's value; gradient against finite differences", () => {
    const src = `model m(y) {
  a ~ Normal(0, 1, size = 3)
  s ~ HalfNormal(1)
  b ~ Normal(0, 2)
  mu = ifelse(a > 0, a * s, exp(a) - 1) + ifelse(b <= a, b, 0.5 * a) + ifelse(s, 1, 0)
  y ~ Normal(mu, s + 0.5)
  factor(sum((a < b) * a + (a <= 0.1) * b + (a >= s) * s - (a == b) + (a != b) * 0.5 * a + !(a > 0) * square(a)))
  factor(sum(((a > 0) && (b > 0)) * a + ((a < -0.5) || (b < -0.5)) * b + (true && (a > s)) * s))
  factor(sum(ifelse(a > 0, sqrt(a), -a)) + ifelse(b != 0, 1 / b, 0))
}`;
    const inst = instance(src, { y: [0.5, -1.2, 2.0] });
    expectHostEngine(inst);
    expectRecordsAsTfjs(inst, inst, "fd", 8);
  });
});

describe("host engine: ifelse in a loop", () => {
  it("records to the vector form of the same model written with slices", () => {
    const T = 40;
    const y = Array.from({ length: T }, (_, t) => Math.sin(t * 1.3) + 0.05 * t);
    const head = "model m(T, y) {\n  c ~ Normal(0, 1)\n  phi ~ Uniform(-1, 1)\n  sigma ~ HalfNormal(1)\n";
    const loop = `${head}  for t in 2:T {\n    y[t] ~ Normal(ifelse(y[t - 1] > c, c + phi * y[t - 1], max(c - phi, -1)), sigma)\n  }\n}`;
    const slices = `${head}  y[2:T] ~ Normal(ifelse(y[1:T-1] > c, c + phi * y[1:T-1], max(c - phi, -1)), sigma)\n}`;
    const q = Float64Array.from([0.3, -0.4, 0.2]);
    const [a, b] = [loop, slices].map((src) => {
      const inst = instance(src, { T, y });
      expectRecordsAsTfjs(inst, inst, "fd", 4);
      const rec = recordInstance(inst);
      const { valueAndGrad: host, source } = compileHost(rec.graph, rec.output);
      const grad = new Float64Array(3);
      return { value: host(q, grad), grad, size: source.length };
    });
    expect(a!.value).toBeCloseTo(b!.value, 10);
    for (let i = 0; i < 3; i++) expect(a!.grad[i]).toBeCloseTo(b!.grad[i]!, 10);
    // vectorised, not T − 1 copies of straight-line code
    expect(a!.size).toBeLessThan(1.2 * b!.size);
  });
});

/**
 * The recorder on a model with `if`s on parameters: the instance is traced from `reference`
 * (the interpreter refuses an `if` on a latent), with the body of `source` put in its place.
 */
function withBody(reference: ModelInstance, source: string): ModelInstance {
  const prog = compile(source);
  const m = prog.globals.vars.get("m");
  if (m?.kind !== "model") throw new Error("no model m");
  return { ...reference, def: m.def, source: prog.source, globals: prog.globals };
}

describe("host engine: if on parameters", () => {
  const head = "model m(y) {\n  a ~ Normal(0, 1, size = 2)\n  s ~ HalfNormal(1)\n";
  const withIfs = `${head}  mu = a[1]
  v = zeros(2)
  w = 1
  if a[1] > a[2] {
    mu = a[2] * s
    v[1] = s
    tmp = 3
    w = tmp
  } else if s > 0.7 {
    v[2] = a[1] + 1
    if a[2] < 0 {
      w = -a[2]
    }
  }
  t = if s < 0.5 { exp(a[1]) } else if !(a[2] > 0) { 2 * s } else { [a[2], 1][1] }
  y ~ Normal(mu + t + sum(v) * w, 1)
}`;
  const withIfelse = `${head}  mu = ifelse(a[1] > a[2], a[2] * s, a[1])
  v = ifelse(a[1] > a[2], [s, 0], ifelse(s > 0.7, [0, a[1] + 1], [0, 0]))
  w = ifelse(a[1] > a[2], 3, ifelse(s > 0.7, ifelse(a[2] < 0, -a[2], 1), 1))
  t = ifelse(s < 0.5, exp(a[1]), ifelse(!(a[2] > 0), 2 * s, a[2]))
  y ~ Normal(mu + t + sum(v) * w, 1)
}`;
  const data = { y: [0.3, -0.8, 1.4] };

  it("if statements that assign and if expressions record as selects of both branches, equal to the model written with ifelse", () => {
    const reference = instance(withIfelse, data);
    expectRecordsAsTfjs(withBody(reference, withIfs), reference, "fd", 10);
  });

  it("refuses a ~, a factor, a return inside an if on parameters, and branches of different shapes, saying why", () => {
    const reference = instance(`${head}  y ~ Normal(a[1] + s, 1)\n}`, data);
    const cases: [string, RegExp][] = [
      [`${head}  if a[1] > 0 {\n    y ~ Normal(a[1] + s, 1)\n  }\n}`, /a `~` inside an `if` on parameters/],
      [`${head}  y ~ Normal(a[1] + s, 1)\n  if s > 1 {\n    factor(-s)\n  }\n}`, /`factor`, a call\) inside an `if` on parameters/],
      [`fn f(x) {\n  if x > 0 {\n    return x\n  }\n  return 0\n}\n${head}  y ~ Normal(f(a[1]) + s, 1)\n}`, /`return` inside an `if` on parameters/],
      [`${head}  mu = if s > 1 { a } else { 0 }\n  y ~ Normal(a[1] + s + sum(mu), 1)\n}`, /different shapes/],
      [`${head}  mu = 0\n  if s > 1 {\n    mu = a\n  }\n  y ~ Normal(a[1] + s + sum(mu), 1)\n}`, /`mu` after the branches .* different shapes/],
      [`${head}  mu = if a > 0 { 1 } else { 0 }\n  y ~ Normal(a[1] + s + mu, 1)\n}`, /an `if` on an array/],
    ];
    for (const [src, why] of cases) {
      const inst = withBody(reference, src);
      expect(() => recordInstance(inst)).toThrow(CannotRecord);
      expect(() => recordInstance(inst)).toThrow(why);
    }
  });
});
