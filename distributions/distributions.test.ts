/**
 * One table-driven test for every distribution in the registry.
 *
 * Reference values: distributions/testdata/reference.json, written by
 * distributions/testdata/make_reference.py from scipy.stats (float64); see that script for the
 * parameterisation conversions (neg_binomial_2 → nbinom, LKJ K = 2 → Beta, LKJ K = 3 checked by
 * numerical integration, ordered → order statistics by quad). For each case the test checks:
 * logProb (and logCdf/logSf where scipy gives them) against the reference, mean()/variance()
 * against the reference, 4000 draws inside the support with mean and variance within 5
 * standard errors and empirical CDFs within 5 standard errors, gradients of logProb (and of
 * logCdf/logSf) w.r.t. the value and the parameters against central finite differences, and
 * batch broadcasting ([3, 1] parameter with [4] values → [3, 4]). Below the table: argument
 * validation for every registry entry, keyword binding, `size`, reproducibility, improper
 * priors, the MvNormal Σ gradient along symmetric directions, and a leak check.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { key } from "../core/random.js";
import { contains } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { DISTRIBUTIONS, type DistArg } from "./registry.js";
import { REFERENCE_CASES, type Json, type RefCase } from "./testdata/reference.js";

const isDistSpec = (v: Json): v is { dist: string; args: Json[]; kwargs?: Record<string, Json> } => typeof v === "object" && v !== null && !Array.isArray(v) && "dist" in v;

function toArg(v: Json): DistArg {
  if (typeof v === "number") return v;
  if (isDistSpec(v)) return build(v.dist, v.args, v.kwargs ?? {});
  if (Array.isArray(v) && v.length > 0 && v.every(isDistSpec)) return v.map(toArg);
  return tf.tensor(v as number[]);
}

function build(dist: string, args: readonly Json[], kwargs: Record<string, Json>, override?: { at: number | string; value: tf.Tensor }): Distribution {
  const spec = DISTRIBUTIONS[dist];
  if (!spec) throw new Error(`no registry entry ${dist}`);
  const positional = args.map((a, i) => (override?.at === i ? override.value : toArg(a)));
  const keywords = Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k, override?.at === k ? override.value : k === "size" ? (v as number[]) : toArg(v)]));
  return spec.make({ positional, keywords });
}

const makeCase = (c: RefCase, override?: { at: number | string; value: tf.Tensor }): Distribution => build(c.dist, c.args, c.kwargs, override);
const read = (t: tf.Tensor): number[] => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};
const flatJson = (v: Json | null): number[] => (v === null ? [] : Array.isArray(v) ? (v as Json[]).flatMap((e) => flatJson(e)) : [v as number]);

function close(actual: number, expected: number, rel: number, abs = rel): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= Math.max(abs, rel * Math.abs(expected));
}

function expectClose(actual: number[], expected: number[], rel: number, what: string, abs = rel): void {
  expect(actual.length, what).toBe(expected.length);
  const bad = actual.map((a, i) => [i, a, expected[i]!] as const).filter(([, a, e]) => !close(a, e, rel, abs));
  expect(bad, `${what}: [index, got, expected]`).toEqual([]);
}

/** A stable seed per case name. */
const seedOf = (id: string): number => [...id].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);

const NUM_DRAWS = 4000;
/** Integer-structured parameters: no derivative exists. */
const NO_GRADIENT = new Set(["Binomial:0", "LKJCholesky:0", "MvNormal:1"]);

function paramEntries(c: RefCase): { at: number | string; value: number[]; shape: number[] }[] {
  const out: { at: number | string; value: number[]; shape: number[] }[] = [];
  const add = (at: number | string, v: Json): void => {
    if (typeof v === "number" || (Array.isArray(v) && !v.some((e) => isDistSpec(e)))) {
      const t = tf.tensor(v as number[]);
      out.push({ at, value: Array.from(t.dataSync()), shape: t.shape });
      t.dispose();
    }
  };
  c.args.forEach((a, i) => {
    if (!NO_GRADIENT.has(`${c.dist}:${i}`)) add(i, a);
  });
  for (const [k, v] of Object.entries(c.kwargs)) if (k !== "size") add(k, v);
  return out;
}

describe("distributions (table-driven against scipy references)", () => {
  for (const c of REFERENCE_CASES) {
    describe(c.id, () => {
      const d = makeCase(c);
      const xs = tf.tensor(c.x as number[]);

      it("logProb matches the reference", () => {
        const lp = d.logProb(xs);
        expect(lp.shape).toEqual([c.x.length]);
        expectClose(read(lp), c.logp, 1e-4, "logProb");
      });

      if (c.logcdf) {
        const ref = c.logcdf;
        it("logCdf and logSf match the reference", () => {
          const x = tf.tensor(ref.x);
          expectClose(read(d.logCdf!(x)), ref.logcdf, 2e-4, "logCdf", 1e-5);
          expectClose(read(d.logSf!(x)), ref.logsf, 2e-4, "logSf", 1e-5);
          x.dispose();
        });
      }

      if (c.mean !== null) {
        it("mean() and variance() match the reference", () => {
          // Quadrature-based moments (truncated, ordered) get a looser tolerance.
          const rel = c.dist === "truncated" || c.dist === "ordered" ? 2e-3 : 1e-4;
          expectClose(read(d.mean()), flatJson(c.mean), rel, "mean", 1e-4);
          expectClose(read(d.variance()), flatJson(c.var), rel, "variance", 1e-4);
        });
      }

      if (c.dist !== "Flat" && c.dist !== "FlatPos") {
        it("draws lie in the support, with mean, variance and CDF within Monte-Carlo error", () => {
          const draws = d.sample(key(seedOf(c.id)), [NUM_DRAWS]);
          expect(draws.shape).toEqual([NUM_DRAWS, ...d.batchShape, ...d.eventShape]);
          expect(read(tf.all(contains(d.support, draws)))).toEqual([1]);
          const n = NUM_DRAWS;
          const mean = read(tf.mean(draws, 0));
          const m2 = read(tf.mean(tf.square(tf.sub(draws, tf.mean(draws, 0))), 0));
          const m4 = read(tf.mean(tf.pow(tf.sub(draws, tf.mean(draws, 0)), 4), 0));
          const refMean = flatJson(c.mean);
          const refVar = flatJson(c.var);
          refMean.forEach((mu, i) => {
            const v = refVar[i]!;
            if (!Number.isFinite(mu) || !Number.isFinite(v)) return;
            const se = Math.sqrt(v / n);
            expect(Math.abs(mean[i]! - mu), `mean[${i}]`).toBeLessThanOrEqual(5 * se + 1e-6);
            const seVar = Math.sqrt(Math.max(m4[i]! - m2[i]! * m2[i]!, 0) / n);
            expect(Math.abs(m2[i]! * (n / (n - 1)) - v), `variance[${i}]`).toBeLessThanOrEqual(5 * seVar + 1e-6);
          });
          if (c.cdf) {
            const data = draws.dataSync();
            c.cdf.x.forEach((q, j) => {
              const p = c.cdf!.p[j]!;
              const frac = data.filter((v) => v <= q).length / n;
              expect(Math.abs(frac - p), `empirical CDF at ${q}`).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1 / n);
            });
          }
          draws.dispose();
        });
      }

      // Values with a finite reference log density, one at a time (a sum would hide float32
      // rounding of large terms behind cancellations).
      const finite = c.logp.map((v, i) => (Number.isFinite(v) ? i : -1)).filter((i) => i >= 0);
      const pointAt = (i: number): tf.Tensor => tf.gather(xs, [i]);
      /** |AD − FD| ≤ 2% of max(1, |FD|), FD central with step h. */
      const checkFd = (ad: number, f: (dv: number) => number, h: number, what: string): boolean => {
        const fp = f(h);
        const fm = f(-h);
        if (!Number.isFinite(fp) || !Number.isFinite(fm)) return false; // a step left the support
        const fd = (fp - fm) / (2 * h);
        expect(Math.abs(ad - fd), `${what}: AD ${ad}, FD ${fd}`).toBeLessThanOrEqual(2e-2 * Math.max(1, Math.abs(fd)));
        return true;
      };
      const scalarOf = (t: tf.Tensor): number => read(tf.tidy(() => tf.sum(t)))[0]!;

      if (!d.discrete && !(d.eventShape.length > 0 && d.support.kind !== "real" && d.support.kind !== "ordered")) {
        // Constrained events (simplex, Cholesky factors) have no free direction in x-space.
        it("d logProb / d x matches central finite differences", () => {
          let checked = 0;
          for (const i of finite) {
            const x = pointAt(i);
            const x0 = Array.from(x.dataSync());
            const g = read(tf.grad((v: tf.Tensor) => tf.sum(d.logProb(v)))(x));
            x0.forEach((v, j) => {
              const h = 2e-3 * Math.max(Math.abs(v), 0.05);
              const f = (dv: number): number => {
                const xv = [...x0];
                xv[j] = v + dv;
                const t = tf.tensor(xv, x.shape);
                const r = scalarOf(d.logProb(t));
                t.dispose();
                return r;
              };
              if (checkFd(g[j]!, f, h, `d/dx at x[${i}][${j}]`)) checked++;
            });
            x.dispose();
          }
          expect(checked).toBeGreaterThan(0);
        });
      }

      const params = paramEntries(c);
      if (params.length > 0) {
        it("d logProb / d parameters matches central finite differences", () => {
          for (const i of finite) {
            const x = pointAt(i);
            for (const p of params) {
              const total = (theta: tf.Tensor): tf.Tensor => tf.sum(makeCase(c, { at: p.at, value: theta }).logProb(x));
              const theta0 = tf.tensor(p.value, p.shape);
              const g = read(tf.grad(total)(theta0));
              p.value.forEach((v, j) => {
                const h = 1e-3 * Math.max(Math.abs(v), 0.1);
                const f = (dv: number): number => {
                  const tv = [...p.value];
                  tv[j] = v + dv;
                  const t = tf.tensor(tv, p.shape);
                  const r = scalarOf(total(t));
                  t.dispose();
                  return r;
                };
                checkFd(g[j]!, f, h, `d/d${p.at}[${j}] at x[${i}]`);
              });
              theta0.dispose();
            }
            x.dispose();
          }
        });
      }

      if (c.logcdf) {
        const ref = c.logcdf;
        it("d logCdf and d logSf (value and parameters) match central finite differences", () => {
          // Two points (a tail and the centre) keep the Student-t continued fraction affordable.
          const all = ref.x.filter((_, i) => Number.isFinite(ref.logcdf[i]!) && Number.isFinite(ref.logsf[i]!));
          const pts = [all[0]!, all[Math.floor(all.length / 2)]!];
          for (const method of ["logCdf", "logSf"] as const) {
            for (const xv of pts) {
              const x = tf.tensor([xv]);
              const gx = read(tf.grad((v: tf.Tensor) => tf.sum(d[method]!(v)))(x))[0]!;
              checkFd(gx, (dv) => scalarOf(d[method]!(tf.tensor([xv + dv]))), 2e-3 * Math.max(Math.abs(xv), 1e-3), `d ${method}/dx at ${xv}`);
              for (const p of paramEntries(c)) {
                const f = (theta: tf.Tensor): tf.Tensor => tf.sum(makeCase(c, { at: p.at, value: theta })[method]!(x));
                const g = read(tf.grad(f)(tf.tensor(p.value, p.shape)));
                p.value.forEach((v, j) => {
                  const fv = (dv: number): number => {
                    const tv = [...p.value];
                    tv[j] = v + dv;
                    return scalarOf(f(tf.tensor(tv, p.shape)));
                  };
                  checkFd(g[j]!, fv, 1e-3 * Math.max(Math.abs(v), 0.1), `d ${method}/d${p.at}[${j}] at ${xv}`);
                });
              }
              x.dispose();
            }
          }
        });
      }

      const batch = c.batch;
      if (batch !== null) {
        it("broadcasts a [3, 1] parameter against [4] values to [3, 4]", () => {
          const at = batch.index;
          const v = typeof at === "number" ? c.args[at]! : c.kwargs[at]!;
          const base = tf.tensor(v as number[]);
          const widened = tf.tile(tf.reshape(base, [1, 1, ...base.shape]), [3, 1, ...base.shape.map(() => 1)]);
          const bd = makeCase(c, { at, value: widened });
          expect(bd.batchShape).toEqual([3, 1]);
          const idx = [0, 1, 2, 3].map((i) => i % c.x.length);
          const x4 = tf.gather(xs, idx);
          const lp = bd.logProb(x4);
          expect(lp.shape).toEqual([3, 4]);
          const expected = [0, 1, 2].flatMap(() => idx.map((i) => c.logp[i]!));
          expectClose(read(lp), expected, 1e-4, "broadcast logProb");
          tf.dispose([base, widened, x4]);
        });
      }
    });
  }
});

const T = (v: number[] | number[][]): tf.Tensor => tf.tensor(v);
const make = (name: string, positional: DistArg[], keywords: Record<string, DistArg> = {}, validate?: boolean): Distribution =>
  DISTRIBUTIONS[name]!.make({ positional, keywords, ...(validate !== undefined ? { validate } : {}) });

/** [registry name, positional, keywords, validate, expected message]. */
const INVALID: [string, () => DistArg[], Record<string, DistArg>, boolean, RegExp][] = [
  ["Normal", () => [0, -1], {}, false, /^Normal: sigma must be positive, got -1$/],
  ["HalfNormal", () => [0], {}, false, /^HalfNormal: sigma must be positive, got 0$/],
  ["StudentT", () => [-1, 0, 1], {}, false, /^StudentT: nu must be positive, got -1$/],
  ["HalfStudentT", () => [3, -2], {}, false, /^HalfStudentT: sigma must be positive, got -2$/],
  ["Cauchy", () => [0, 0], {}, false, /^Cauchy: sigma must be positive, got 0$/],
  ["HalfCauchy", () => [-1], {}, false, /^HalfCauchy: sigma must be positive, got -1$/],
  ["Laplace", () => [0, -1], {}, false, /^Laplace: b must be positive, got -1$/],
  ["Logistic", () => [0, 0], {}, false, /^Logistic: s must be positive, got 0$/],
  ["LogNormal", () => [NaN, 1], {}, false, /^LogNormal: mu must be finite, got NaN$/],
  ["Exponential", () => [0], {}, false, /^Exponential: rate must be positive, got 0$/],
  ["Gamma", () => [-1, 1], {}, false, /^Gamma: shape must be positive, got -1$/],
  ["InverseGamma", () => [1, 0], {}, false, /^InverseGamma: scale must be positive, got 0$/],
  ["Weibull", () => [0, 1], {}, false, /^Weibull: shape must be positive, got 0$/],
  ["Beta", () => [1, -1], {}, false, /^Beta: b must be positive, got -1$/],
  ["Uniform", () => [2, 1], {}, false, /^Uniform: lo must be less than hi, got lo = 2, hi = 1$/],
  ["Bernoulli", () => [1.5], {}, false, /^Bernoulli: p must be in \[0, 1\], got 1.5$/],
  ["Binomial", () => [2.5, 0.5], {}, false, /^Binomial: n must be a non-negative integer, got 2.5$/],
  ["Poisson", () => [-1], {}, false, /^Poisson: rate must be non-negative, got -1$/],
  ["NegativeBinomial", () => [1, 0], {}, false, /^NegativeBinomial: phi must be positive, got 0$/],
  ["Categorical", () => [T([0.5, 0.6])], {}, true, /^Categorical: p must sum to 1, got 1.1/],
  ["Dirichlet", () => [T([1, -1])], {}, true, /^Dirichlet: alpha must be positive, got -1 \(element 1\)$/],
  ["MvNormal", () => [T([0, 0]), T([[1, 2], [2, 1]])], {}, true, /^MvNormal: Sigma must be symmetric positive definite$/],
  ["LKJCholesky", () => [3, -1], {}, false, /^LKJCholesky: eta must be positive, got -1$/],
  ["Mixture", () => [T([0.5, 0.5]), [make("Normal", [0, 1]), make("Poisson", [1])]], {}, false, /^Mixture: components must share one support/],
  ["Flat", () => [1], {}, false, /^`Flat` takes no positional arguments, but 1 was given$/],
  ["FlatPos", () => [], { x: 1 }, false, /^`FlatPos` has no keyword argument `x`$/],
  ["truncated", () => [make("Flat", []), 0, 1], {}, false, /^truncated\(\.\.\.\) does not support Flat yet/],
  ["ordered", () => [make("Normal", [0, 1])], {}, false, /^ordered: Normal needs a size/],
];

describe("argument validation", () => {
  for (const [name, positional, keywords, validate, message] of INVALID) {
    it(`${name} rejects bad arguments with a clear message`, () => {
      expect(() => make(name, positional(), keywords, validate)).toThrow(message);
    });
  }

  it("every registry entry has a reference case and a validation case", () => {
    const withRef = new Set(REFERENCE_CASES.map((c) => c.dist));
    const withInvalid = new Set(INVALID.map((v) => v[0]));
    for (const name of Object.keys(DISTRIBUTIONS)) {
      expect(withRef.has(name), `${name} has reference values`).toBe(true);
      expect(withInvalid.has(name), `${name} has a validation case`).toBe(true);
    }
  });

  it("checks tensor arguments only when asked to (no device read inside a log density)", () => {
    const sigma = T([1, -2]);
    expect(() => make("Normal", [0, sigma], {}, true)).toThrow(/^Normal: sigma must be positive, got -2 \(element 1\)$/);
    expect(() => make("Normal", [0, sigma])).not.toThrow();
    sigma.dispose();
  });

  it("binds keywords, alternatives and size, with did-you-mean hints", () => {
    // The binder's messages (core/bind.test.ts has every case); hints ride on the error.
    const error = (f: () => unknown): { message: string; hint?: string } => {
      try {
        f();
      } catch (e) {
        return e as { message: string; hint?: string };
      }
      throw new Error("expected an error");
    };
    expect(error(() => make("Normal", [0], { sgima: 1 }))).toMatchObject({ message: "`Normal` has no keyword argument `sgima`", hint: "did you mean `sigma`?" });
    expect(error(() => make("Bernoulli", [], { logits: 0 })).hint).toBe("did you mean `logit`?");
    expect(error(() => make("Normal", [0, 1, 2]))).toMatchObject({ message: "`Normal` takes 2 positional arguments (mu, sigma), but 3 were given", hint: `usage: ${DISTRIBUTIONS["Normal"]!.doc}` });
    expect(error(() => make("Normal", [0], { size: 2 })).message).toBe("`Normal` is missing its argument `sigma`");
    expect(error(() => make("Bernoulli", [0.5], { logit: 0 })).message).toBe("`Bernoulli` is given `p` twice: by position and as `logit = …`");
    expect(error(() => make("Bernoulli", [], { p: 0.5, logit: 0 })).message).toBe("`Bernoulli` takes `p` or `logit`, not both");
    expect(make("Normal", [], { sigma: 2, mu: 1 }).name).toBe("Normal");
    const d = make("Normal", [0, 1], { size: 3 });
    expect(d.batchShape).toEqual([3]);
    expect(make("Binomial", [5], { logit: 0.3 }).support).toEqual({ kind: "integer", lower: 0, upper: 5 });
    expect(DISTRIBUTIONS["MvNormal"]!.paramEventRanks).toEqual({ mu: 1, Sigma: 2, cholesky: 2 });
    expect(DISTRIBUTIONS["Normal"]!.paramEventRanks).toEqual({});
  });
});

describe("shapes, improper priors, memory", () => {
  it("size widens the batch shape: broadcast(size, parameter batch shape)", () => {
    const mu = T([0, 1, 2]);
    const d = DISTRIBUTIONS["Normal"]!.make({ positional: [mu, 1], size: [2, 3] });
    expect(d.batchShape).toEqual([2, 3]);
    const s = d.sample(key(1), [5]);
    expect(s.shape).toEqual([5, 2, 3]);
    const lp = d.logProb(T([0.5]));
    expect(lp.shape).toEqual([2, 3]);
    expect(() => DISTRIBUTIONS["Normal"]!.make({ positional: [mu, 1], size: [2] })).toThrow(/do not broadcast/);
    tf.dispose([mu, s, lp]);
  });

  it("sampling is reproducible from the key", () => {
    for (const name of ["Normal", "Gamma", "Poisson"]) {
      const d = make(name, name === "Poisson" ? [3] : [2, 1]);
      const a = read(d.sample(key(42), [50]));
      const b = read(d.sample(key(42), [50]));
      const c = read(d.sample(key(43), [50]));
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
    }
  });

  it("Flat() and FlatPos() refuse to be sampled", () => {
    expect(() => make("Flat", []).sample(key(0), [3])).toThrow(/Flat\(\) is an improper prior and cannot be sampled/);
    expect(() => make("FlatPos", []).sample(key(0))).toThrow(/FlatPos\(\) is an improper prior/);
  });

  it("MvNormal: the gradient w.r.t. Sigma matches finite differences along symmetric directions", () => {
    const mu = T([1, -1, 0.5]);
    const sigma0 = [[2.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 0.8]];
    const x = T([[1.5, -2.0, 1.0]]);
    const f = (s: tf.Tensor): tf.Tensor => tf.sum(make("MvNormal", [mu, s]).logProb(x));
    const g = tf.grad(f)(T(sigma0)).arraySync() as number[][];
    for (const [i, j] of [[0, 0], [1, 0], [2, 1], [2, 2]] as const) {
      const h = 1e-3;
      const at = (dv: number): number => {
        const s = sigma0.map((r) => [...r]);
        s[i]![j]! += dv;
        if (i !== j) s[j]![i]! += dv;
        return read(tf.tidy(() => f(tf.tensor(s))))[0]!;
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      const ad = i === j ? g[i]![i]! : g[i]![j]! + g[j]![i]!;
      expect(Math.abs(ad - fd)).toBeLessThanOrEqual(2e-2 * Math.max(1, Math.abs(fd)));
    }
    tf.dispose([mu, x]);
  });

  it("logProb, sample, mean and variance do not leak tensors", () => {
    const dists = [
      make("Normal", [0, 1]),
      make("Gamma", [2, 1]),
      make("Categorical", [T([0.2, 0.8])]),
      make("Dirichlet", [T([1, 2, 3])]),
      make("MvNormal", [T([0, 0]), T([[1, 0.5], [0.5, 2]])]),
      make("LKJCholesky", [3, 2]),
      make("truncated", [make("Normal", [0, 1]), -1, 2]),
      make("Mixture", [T([0.4, 0.6]), [make("Normal", [0, 1]), make("Normal", [2, 1])]]),
      make("ordered", [make("Normal", [0, 1], { size: 3 })]),
    ];
    const values = dists.map((d) => d.sample(key(3), [2]));
    const run = (): void => {
      dists.forEach((d, i) => {
        tf.dispose([d.logProb(values[i]!), d.sample(key(i), [2]), d.mean(), d.variance()]);
      });
    };
    run();
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) run();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(values);
  });
});
