// Float32 special functions on tensors against reference values computed offline with mpmath
// at 50 digits, at inputs pre-rounded to float32 (core/testdata/make_special.py →
// core/testdata/special.json); gradients against those references or against central
// differences of the float64 host versions (special-host.ts, itself checked against mpmath).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tf } from "./engine.js";
import {
  digamma,
  erf,
  erfc,
  expm1,
  lbeta,
  lgamma,
  log1m,
  log1mExp,
  log1p,
  logAddExp,
  logDiffExp,
  logSigmoid,
  logSumExp,
  normalCdf,
  normalLogCdf,
  normalLogSf,
  probit,
  softplus,
  trigamma,
  xlogy,
} from "./special.js";
import { lbeta64, normalCdf64 } from "./special-host.js";
import { FAMILIES } from "./ir/families.js";

type Row = readonly (number | string)[];
const ref = JSON.parse(readFileSync(new URL("./testdata/special.json", import.meta.url), "utf8")) as Record<string, Row[]>;
const num = (v: number | string | undefined): number =>
  v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number);
const table = (name: string): Row[] => ref[name]!;

function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

/** Largest |got − want| / max(floor, |want|); floor = 1 makes it absolute where |want| < 1. */
function worstError(got: readonly number[], want: readonly number[], floor: number): number {
  let w = 0;
  want.forEach((v, i) => {
    const g = got[i]!;
    const e = g === v ? 0 : Math.abs(g - v) / Math.max(floor, Math.abs(v));
    if (!(e <= w)) w = e;
  });
  return w;
}

/** Worst error of a unary tensor function over a one-argument reference table. */
function unaryError(f: (x: tf.Tensor) => tf.Tensor, rows: Row[], floor: number): number {
  const got = values(f(tf.tensor1d(rows.map((r) => num(r[0])))));
  return worstError(got, rows.map((r) => num(r[1])), floor);
}

/** d/dx Σ f(x) at the points xs. */
function gradAt(f: (x: tf.Tensor) => tf.Tensor, xs: readonly number[]): number[] {
  const g = tf.grad((x: tf.Tensor) => tf.sum(f(x)))(tf.tensor1d([...xs]));
  return values(g);
}

/** Central difference of a float64 function, with a step scaled to x. */
function centralDiff(f: (x: number) => number, x: number, rel = 1e-6): number {
  const h = rel * Math.max(1, Math.abs(x));
  return (f(x + h) - f(x - h)) / (2 * h);
}

describe("gamma family (float32)", () => {
  // Tolerances: error / max(1, |value|) ≤ 1e-5, i.e. absolute near the roots of lgamma (1, 2)
  // and ψ (1.46); measured worst about 1e-6.
  it("lgamma over (1e-3, 1e6) and negative non-integers", () => {
    expect(unaryError(lgamma, table("lgamma"), 1)).toBeLessThan(1e-5);
  });
  it("digamma over (1e-3, 1e6) and negative non-integers", () => {
    expect(unaryError(digamma, table("digamma"), 1)).toBeLessThan(1e-5);
  });
  it("trigamma, relative 1e-5", () => {
    expect(unaryError(trigamma, table("trigamma"), 0)).toBeLessThan(1e-5);
  });
  it("lbeta with extreme ratios (lbeta(1, 1e4), lbeta(1e3, 1e6)), error/max(1,|v|) ≤ 1e-5", () => {
    const rows = table("lbeta");
    const got = values(lbeta(tf.tensor1d(rows.map((r) => num(r[0]))), tf.tensor1d(rows.map((r) => num(r[1])))));
    expect(worstError(got, rows.map((r) => num(r[2])), 1)).toBeLessThan(1e-5);
  });
  it("lbeta edge values: +∞ at a = 0, −∞ at b = ∞", () => {
    expect(values(lbeta(tf.tensor1d([0, 2]), tf.tensor1d([3, Infinity])))).toEqual([Infinity, -Infinity]);
  });
  it("log C(n, k), the Binomial family's value-only term (core/ir/families.ts), in float64", () => {
    // three lgamma64 of up to ~1.3e7 (n = 1e6) whose difference is ~123: ~1e-11 relative
    const term = FAMILIES.binomial.constTerm!;
    for (const [n, k, want] of table("lchoose")) expect(Math.abs(term(num(k), num(n)) - num(want)) / Math.max(1, Math.abs(num(want)))).toBeLessThan(1e-10);
  });
  it("accepts numbers and broadcasts", () => {
    const s = lgamma(5);
    expect(s.shape).toEqual([]);
    expect(values(s)[0]).toBeCloseTo(Math.log(24), 5);
    const b = lbeta(tf.tensor2d([[1], [2]]), tf.tensor1d([1, 2, 3]));
    expect(b.shape).toEqual([2, 3]);
    expect(values(b)[5]).toBeCloseTo(lbeta64(2, 3), 5);
  });
});

describe("logs and exponentials (float32)", () => {
  it("log1p and expm1 to relative 1e-6 (tfjs's own log1p(1e-8) is 0)", () => {
    expect(unaryError(log1p, table("log1p"), 0)).toBeLessThan(1e-6);
    expect(unaryError(expm1, table("expm1"), 0)).toBeLessThan(1e-6);
    expect(values(log1m(tf.tensor1d([1e-8])))[0]).toBeCloseTo(-1e-8, 14);
  });
  it("log1mExp and softplus to relative 1e-6", () => {
    expect(unaryError(log1mExp, table("log1mexp"), 0)).toBeLessThan(1e-6);
    expect(unaryError(softplus, table("softplus"), 0)).toBeLessThan(1e-6);
    const ls = values(logSigmoid(tf.tensor1d([-100, 0, 40])));
    expect(ls.slice(0, 2)).toEqual([-100, Math.fround(-Math.LN2)]);
    expect(ls[2]! / -Math.exp(-40)).toBeCloseTo(1, 6);
  });
  it("softplus (the backend's kernel) to relative 1e-6 over every float32 step of 1/64 in [−87, 100]", () => {
    // Reference: float64 log1p(eˣ) (x ≤ 0) and x + log1p(e⁻ˣ) (x > 0), exact to ~1e-16 at these
    // float32 inputs; the grid covers the kernel's switch points at x ≈ ±13.9.
    const xs = Array.from({ length: 187 * 64 + 1 }, (_, i) => -87 + i / 64);
    const got = values(softplus(tf.tensor1d(xs)));
    const want = xs.map((x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))));
    expect(worstError(got, want, 0)).toBeLessThan(1e-6);
  });
  it("xlogy uses 0·log 0 = 0", () => {
    expect(values(xlogy(tf.tensor1d([0, 2, 0]), tf.tensor1d([0, 3, 5])))).toEqual([0, Math.fround(2 * Math.log(3)), 0]);
  });
  it("logAddExp and logDiffExp, including infinities", () => {
    const a = tf.tensor1d([0, -Infinity, 1000, -Infinity, 5]);
    const b = tf.tensor1d([0, 2, 1000, -Infinity, 5 - 1e-3]);
    const add = values(logAddExp(a, b));
    expect(add.slice(0, 4)).toEqual([Math.fround(Math.LN2), 2, Math.fround(1000 + Math.LN2), -Infinity]);
    const b3 = Math.fround(1 - 1e-4);
    const diff = values(logDiffExp(tf.tensor1d([2, 3, -Infinity, 1]), tf.tensor1d([2, -Infinity, -Infinity, b3])));
    expect(diff.slice(0, 3)).toEqual([-Infinity, 3, -Infinity]);
    // log(e − e^b) = 1 + log(−expm1(b − 1))
    expect(diff[3]! / (1 + Math.log(-Math.expm1(b3 - 1)))).toBeCloseTo(1, 6);
  });
  it("logSumExp over axes, keepDims, and −∞/+∞ slices", () => {
    const x = tf.tensor2d([
      [0, Math.log(3), -Infinity],
      [-Infinity, -Infinity, -Infinity],
      [1000, 1000, Infinity],
    ]);
    expect(values(logSumExp(x, 1))).toEqual([Math.fround(Math.log(4)), -Infinity, Infinity]);
    expect(logSumExp(x, -1, true).shape).toEqual([3, 1]);
    expect(values(logSumExp(tf.tensor2d([[1000, 1000], [1000, 1000]])))[0]).toBeCloseTo(1000 + Math.log(4), 3);
    expect(values(logSumExp(tf.tensor1d([-1e4, -1e4]), 0))[0]).toBeCloseTo(-1e4 + Math.LN2, 2);
  });
});

describe("error function and normal (float32)", () => {
  it("erf (relative 1e-6) and erfc (relative 2e-6, out to x = 9 where erfc = 4e-37)", () => {
    expect(unaryError(erf, table("erf"), 0)).toBeLessThan(1e-6);
    expect(unaryError(erfc, table("erfc"), 0)).toBeLessThan(2e-6);
  });
  it("normalCdf relative 2e-6 from z = −13 to 8", () => {
    expect(unaryError(normalCdf, table("normal_cdf"), 0)).toBeLessThan(2e-6);
  });
  it("normalLogCdf relative 2e-6 from z = −30 to 8; normalLogSf is its mirror", () => {
    expect(unaryError(normalLogCdf, table("normal_logcdf"), 0)).toBeLessThan(2e-6);
    const mirrored = table("normal_logcdf").map((r) => [-num(r[0]), r[1]!] as const);
    expect(unaryError(normalLogSf, mirrored, 0)).toBeLessThan(2e-6);
    const ends = values(normalLogCdf(tf.tensor1d([-Infinity, Infinity])));
    expect(ends[0]).toBe(-Infinity);
    expect(ends[1] === 0).toBe(true);
  });
  it("probit: error/max(0.1,|x|) ≤ 1e-5 for p from 1e-37 to 0.99999; edges", () => {
    expect(unaryError(probit, table("probit"), 0.1)).toBeLessThan(1e-5);
    expect(values(probit(tf.tensor1d([0, 1, 0.5, -0.1])))).toEqual([-Infinity, Infinity, 0, NaN]);
  });
});

describe("gradients", () => {
  const digammaRows = table("digamma");
  it("d lgamma = digamma (error/max(1,|ψ|) ≤ 1e-5)", () => {
    const xs = digammaRows.map((r) => num(r[0]));
    expect(worstError(gradAt(lgamma, xs), digammaRows.map((r) => num(r[1])), 1)).toBeLessThan(1e-5);
  });
  it("d digamma = trigamma and d trigamma = tetragamma (relative 1e-5)", () => {
    const tri = table("trigamma");
    expect(worstError(gradAt(digamma, tri.map((r) => num(r[0]))), tri.map((r) => num(r[1])), 0)).toBeLessThan(1e-5);
    const tetra = table("tetragamma");
    expect(worstError(gradAt(trigamma, tetra.map((r) => num(r[0]))), tetra.map((r) => num(r[1])), 0)).toBeLessThan(1e-5);
  });
  it("d lbeta vs float64 central differences of lbeta64, and vs ψ(a) − ψ(a + b) from mpmath", () => {
    const rows = table("lbeta_grad");
    const a = rows.map((r) => num(r[0]));
    const b = rows.map((r) => num(r[1]));
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(lbeta(x, y)))([tf.tensor1d(a), tf.tensor1d(b)]);
    const da = values(ga!);
    const db = values(gb!);
    const fdA = a.map((ai, i) => centralDiff((v) => lbeta64(v, b[i]!), ai, 1e-7));
    const fdB = b.map((bi, i) => centralDiff((v) => lbeta64(a[i]!, v), bi, 1e-7));
    // relative 1e-5 (measured ≤ 1.2e-7), also for ∂b = ψ(b) − ψ(a + b) ≈ −1e-4 at (1, 1e4)
    // and ≈ −6e-4 at (1e-3, 2), differences of nearly equal ψ values
    const close = (got: number[], want: number[]) =>
      got.every((g, i) => Math.abs(g - want[i]!) <= 1e-5 * Math.abs(want[i]!) + 1e-9);
    expect(close(da, fdA)).toBe(true);
    expect(close(db, fdB)).toBe(true);
    expect(close(da, rows.map((r) => num(r[2])))).toBe(true);
    expect(close(db, rows.map((r) => num(r[3])))).toBe(true);
  });
  it("d lbeta reduces over broadcast axes", () => {
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(lbeta(x, y)))([tf.tensor2d([[1], [2]]), tf.scalar(3)]);
    expect(ga!.shape).toEqual([2, 1]);
    expect(gb!.shape).toEqual([]);
    const want = centralDiff((v) => lbeta64(1, v), 3) + centralDiff((v) => lbeta64(2, v), 3);
    expect(values(gb!)[0]).toBeCloseTo(want, 5);
    ga!.dispose();
  });
  it("d softplus, d logSumExp, d normalLogCdf vs float64 central differences", () => {
    const xs = [-30, -5, -1, 0, 0.5, 3, 25];
    const sp = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    const g = gradAt(softplus, xs);
    xs.forEach((x, i) => expect(g[i]! / centralDiff(sp, x)).toBeCloseTo(1, 5));

    const v = [0.3, -1.2, 2.5, -40];
    const lse = (w: number[]) => {
      const m = Math.max(...w);
      return m + Math.log(w.reduce((s, wi) => s + Math.exp(wi - m), 0));
    };
    const gl = gradAt((x) => logSumExp(x), v);
    v.forEach((_, i) => {
      const fd = centralDiff((h) => lse(v.map((w, j) => (j === i ? h : w))), v[i]!);
      expect(Math.abs(gl[i]! - fd)).toBeLessThan(1e-6 + 1e-5 * Math.abs(fd));
    });

    const zs = [-30, -20, -8, -3, -0.5, 0, 1, 4, 7.5];
    const gn = gradAt(normalLogCdf, zs);
    zs.forEach((z, i) => {
      const fd = centralDiff((h) => Math.log(normalCdf64(h)), z, 1e-7);
      expect(Math.abs(gn[i]! - fd)).toBeLessThan(1e-5 * Math.abs(fd) + 1e-12);
    });
    const mills = table("normal_logcdf_grad");
    expect(worstError(gradAt(normalLogCdf, mills.map((r) => num(r[0]))), mills.map((r) => num(r[1])), 0)).toBeLessThan(1e-5);
  });
  it("elementwise derivatives of the other functions vs float64 central differences", () => {
    const cases: [string, (x: tf.Tensor) => tf.Tensor, (x: number) => number, number[]][] = [
      ["log1p", log1p, Math.log1p, [-0.5, 1e-6, 0.2, 3]],
      ["expm1", expm1, Math.expm1, [-3, 1e-6, 0.2, 4]],
      ["log1mExp", log1mExp, (a) => Math.log(-Math.expm1(a)), [-5, -0.7, -0.1, -1e-3]],
      ["erf", erf, (x) => 1 - 2 * normalCdf64(-x * Math.SQRT2), [-2, 0.1, 0.7, 3]],
      ["erfc", erfc, (x) => 2 * normalCdf64(-x * Math.SQRT2), [-1, 0.3, 2, 5]],
      ["normalCdf", normalCdf, normalCdf64, [-10, -2, 0, 1.5]],
      ["logSigmoid", logSigmoid, (x) => -Math.log1p(Math.exp(-x)), [-20, -1, 0, 2]],
      ["probit", probit, (x) => Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x), [1e-3, 0.3, 0.9]],
    ];
    for (const [name, f, f64, xs] of cases) {
      const g = gradAt(f, xs);
      xs.forEach((x, i) => {
        // probit's derivative is checked against 1/φ(Φ⁻¹(p)) at the float32 probit value
        const want = name === "probit" ? f64(values(probit(x))[0]!) : centralDiff(f64, x, 1e-7);
        expect(Math.abs(g[i]! - want), `${name}'(${x})`).toBeLessThan(2e-5 * Math.abs(want) + 1e-12);
      });
    }
  });
  it("xlogy, logAddExp, logDiffExp partial derivatives", () => {
    const [gx, gy] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(xlogy(x, y)))([tf.tensor1d([0, 2]), tf.tensor1d([3, 4])]);
    expect(values(gx!)).toEqual([Math.fround(Math.log(3)), Math.fround(Math.log(4))]);
    expect(values(gy!)).toEqual([0, 0.5]);
    const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(logAddExp(a, b)))([tf.tensor1d([1, -Infinity]), tf.tensor1d([0, 0])]);
    const s = 1 / (1 + Math.exp(-1));
    const [da, db] = [values(ga!), values(gb!)];
    expect(da[0]).toBeCloseTo(s, 6);
    expect(db[0]).toBeCloseTo(1 - s, 6);
    expect([da[1], db[1]]).toEqual([0, 1]);
    const [gc, gd] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(logDiffExp(a, b)))([tf.tensor1d([1]), tf.tensor1d([0])]);
    // ∂a = e/(e − 1), ∂b = −1/(e − 1)
    expect(values(gc!)[0]).toBeCloseTo(Math.E / (Math.E - 1), 5);
    expect(values(gd!)[0]).toBeCloseTo(-1 / (Math.E - 1), 5);
  });
});

describe("memory", () => {
  it("no tensors leak from values or gradients of the custom-gradient functions", () => {
    const unary = [lgamma, digamma, trigamma, log1p, expm1, softplus, log1mExp, erf, erfc, normalCdf, normalLogCdf, probit];
    const binary = [lbeta, xlogy, logAddExp, logDiffExp];
    const x = tf.tensor1d([0.2, 0.4, 0.6]);
    const y = tf.tensor1d([1.5, 2.5, 3.5]);
    const round = () => {
      for (const f of unary) {
        tf.grad((v: tf.Tensor) => tf.sum(f(v)))(x).dispose();
        f(x).dispose();
      }
      for (const f of binary) {
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(f(b, a)))([x, y]).forEach((t) => t.dispose());
      }
      tf.grad((v: tf.Tensor) => logSumExp(v))(x).dispose();
    };
    round();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) round();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    y.dispose();
  });
});
