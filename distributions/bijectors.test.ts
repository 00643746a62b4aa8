import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../core/engine.js";
import { HOST_LOOP_MAX_SIZE } from "../core/fused-logpdf-kernels.js";
import { lcg } from "../core/kernels/testing.js";
import { normalArray, key } from "../core/random.js";
import { bijectorFor, type Bijector } from "./bijectors.js";
import { contains, type Constraint } from "./constraints.js";

/** log|det| of a square matrix (row-major, float64) by Gaussian elimination with partial pivoting. */
function logAbsDet(a: number[][]): number {
  const n = a.length;
  const m = a.map((r) => [...r]);
  let s = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    s += Math.log(Math.abs(piv));
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / piv;
      for (let k = c; k < n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return s;
}

interface Case {
  readonly name: string;
  readonly constraint: Constraint;
  /** Unconstrained event shape. */
  readonly yShape: readonly number[];
  /** Free coordinates of a constrained event (flattened x → values the density is taken over). */
  readonly free: (x: number[]) => number[];
}

const all = (x: number[]): number[] => x;
const lower = tf.tensor1d([-1, 0, 2]);
const upper = tf.tensor1d([0, 3, 2.5]);
const K = 4;

const CASES: Case[] = [
  { name: "real", constraint: { kind: "real" }, yShape: [3], free: all },
  { name: "positive", constraint: { kind: "positive" }, yShape: [3], free: all },
  { name: "greaterThan (tensor)", constraint: { kind: "greaterThan", lower }, yShape: [3], free: all },
  { name: "lessThan (number)", constraint: { kind: "lessThan", upper: 1.5 }, yShape: [3], free: all },
  { name: "interval (tensor bounds)", constraint: { kind: "interval", lower, upper }, yShape: [3], free: all },
  { name: "interval (-3, 5)", constraint: { kind: "interval", lower: -3, upper: 5 }, yShape: [3], free: all },
  { name: "interval (-Inf, 2)", constraint: { kind: "interval", lower: -Infinity, upper: 2 }, yShape: [3], free: all },
  { name: "unitInterval", constraint: { kind: "unitInterval" }, yShape: [3], free: all },
  { name: "simplex", constraint: { kind: "simplex" }, yShape: [K - 1], free: (x) => x.slice(0, K - 1) },
  {
    name: "choleskyCorr",
    constraint: { kind: "choleskyCorr" },
    yShape: [(K * (K - 1)) / 2],
    free: (x) => {
      const out: number[] = [];
      for (let i = 1; i < K; i++) for (let j = 0; j < i; j++) out.push(x[i * K + j]!);
      return out;
    },
  },
  { name: "ordered", constraint: { kind: "ordered" }, yShape: [K], free: all },
  { name: "positiveOrdered", constraint: { kind: "positiveOrdered" }, yShape: [K], free: all },
];

function forwardFree(b: Bijector, c: Case, y: number[]): number[] {
  return tf.tidy(() => c.free(Array.from(b.forward(tf.tensor(y, [...c.yShape])).dataSync())));
}

describe("bijectors", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const b = bijectorFor(c.constraint);
      const chains = 5;
      const n = c.yShape.reduce((a, d) => a * d, 1);
      // Leading batch axis of 5 chains, moderate values.
      const yData = Array.from(normalArray(key(7), chains * n), (v) => 1.2 * v);
      const y = tf.tensor(yData, [chains, ...c.yShape]);

      it("round-trips inverse(forward(y)) ≈ y with leading batch dims", () => {
        const back = tf.tidy(() => b.inverse(b.forward(y)));
        expect(back.shape).toEqual(y.shape);
        const got = back.dataSync();
        for (let i = 0; i < yData.length; i++) expect(got[i]).toBeCloseTo(yData[i]!, 3);
        back.dispose();
      });

      it("maps onto the support, also for extreme y", () => {
        // |y| up to 80 for exp-based transforms (e^88 overflows float32); bounded transforms get 1e4.
        const big = ["positive", "greaterThan (tensor)", "lessThan (number)", "interval (-Inf, 2)", "ordered", "positiveOrdered"].includes(c.name) ? 80 : 1e4;
        const ext = yData.map((v, i) => (i % 3 === 0 ? big : i % 3 === 1 ? -big : v * 30));
        const ok = tf.tidy(() => {
          const x = b.forward(tf.tensor(ext, [chains, ...c.yShape]));
          const finite = tf.all(tf.isFinite(x));
          return [finite.dataSync()[0], tf.all(contains(c.constraint, x)).dataSync()[0]];
        });
        expect(ok).toEqual([1, 1]);
      });

      it("log|det J| matches a finite-difference Jacobian in the free coordinates", () => {
        const ld = b.logDetJacobian(y);
        const got = ld.dataSync();
        const h = 1e-2;
        for (let ch = 0; ch < chains; ch++) {
          const y0 = yData.slice(ch * n, (ch + 1) * n);
          const cols: number[][] = [];
          for (let i = 0; i < n; i++) {
            const yp = [...y0];
            const ym = [...y0];
            yp[i] = yp[i]! + h;
            ym[i] = ym[i]! - h;
            const fp = forwardFree(b, c, yp);
            const fm = forwardFree(b, c, ym);
            cols.push(fp.map((v, k) => (v - fm[k]!) / (2 * h)));
          }
          const jac = cols[0]!.map((_, r) => cols.map((col) => col[r]!));
          const expected = b.eventRank === 0 ? jac.map((row, i) => Math.log(Math.abs(row[i]!))) : [logAbsDet(jac)];
          const actual = b.eventRank === 0 ? Array.from(got.slice(ch * n, (ch + 1) * n)) : [got[ch]!];
          expect(actual.length).toBe(expected.length);
          actual.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(5e-3 * Math.max(1, Math.abs(expected[i]!))));
        }
        ld.dispose();
      });

      it("is differentiable: AD of Σ w·forward(y) + Σ log|J| matches finite differences", () => {
        const xShape = [chains, ...b.constrainedShape(c.yShape)];
        const w = tf.tensor(Array.from(normalArray(key(11), xShape.reduce((p, d) => p * d, 1))), xShape);
        const objective = (v: tf.Tensor): tf.Tensor => tf.add(tf.sum(tf.mul(w, b.forward(v))), tf.sum(b.logDetJacobian(v)));
        const g = tf.grad(objective)(y).dataSync();
        const h = 1e-2;
        for (let i = 0; i < n; i++) {
          const at = (dv: number): number =>
            tf.tidy(() => {
              const v = [...yData];
              v[i] = v[i]! + dv;
              return objective(tf.tensor(v, y.shape)).dataSync()[0]!;
            });
          const fd = (at(h) - at(-h)) / (2 * h);
          expect(Math.abs(g[i]! - fd), `coordinate ${i}`).toBeLessThanOrEqual(1e-2 * Math.max(1, Math.abs(fd)));
        }
        w.dispose();
      });

      it("maps shapes both ways", () => {
        const cs = b.constrainedShape([2, ...c.yShape]);
        expect(b.unconstrainedShape(cs)).toEqual([2, ...c.yShape]);
        const x = b.forward(y);
        expect(x.shape).toEqual([chains, ...b.constrainedShape(c.yShape)]);
        x.dispose();
      });
    });
  }

  it("does not leak tensors", () => {
    const y = tf.tensor2d([[0.1, -0.3, 0.5, 1, 2, 3]]);
    const b = bijectorFor({ kind: "choleskyCorr" });
    const start = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose(tf.tidy(() => b.inverse(b.forward(y))));
    for (let i = 0; i < 5; i++) tf.dispose([b.forward(y), b.logDetJacobian(y)]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it("refuses discrete supports", () => {
    expect(() => bijectorFor({ kind: "boolean" })).toThrow(/no bijector onto 0 or 1/);
  });
});

// The fused kernel of literal interval bounds (core/fused-interval.ts, its own float64 tests
// there) against the op-composed transform of this file, on both host-memory backends.
for (const backend of ["wasm", "cpu"] as const) {
  describe(`interval bijector, fused path on ${backend}`, () => {
    afterAll(async () => {
      await initEngine("wasm");
    });

    it("agrees with forward + logDetJacobian in value and gradient, also when only x or only log|J| is used", async () => {
      await initEngine(backend);
      const bij = bijectorFor({ kind: "interval", lower: -20, upper: 20 });
      const [rows, per] = [4, 5];
      const ys = Array.from(lcg(rows * per, 9), (u) => Math.fround(8 * u));
      const y = tf.tensor2d(ys, [rows, per]);
      const w = tf.tensor2d(Array.from(lcg(rows * per, 10)), [rows, per]);
      const fusedOut = bij.forwardWithLogDetSum!(y)!;
      const [xf, xc] = [fusedOut.x.dataSync(), bij.forward(y).dataSync()];
      xc.forEach((v, k) => expect(Math.abs(xf[k]! - v)).toBeLessThanOrEqual(4e-6));
      const [lf, lc] = [fusedOut.logDetSum.dataSync(), tf.sum(bij.logDetJacobian(y), 1).dataSync()];
      lc.forEach((v, r) => expect(Math.abs(lf[r]! - v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
      const uses = {
        both: (x: tf.Tensor, l: tf.Tensor) => tf.add(tf.sum(tf.mul(w, x)), tf.sum(l)),
        xOnly: (x: tf.Tensor) => tf.sum(tf.mul(w, x)),
        logDetOnly: (_x: tf.Tensor, l: tf.Tensor) => tf.sum(tf.mul(l, 0.7)),
      };
      for (const [name, use] of Object.entries(uses)) {
        const fused = tf.grad((v: tf.Tensor) => {
          const { x, logDetSum } = bij.forwardWithLogDetSum!(v)!;
          return use(x, logDetSum);
        })(y).dataSync();
        const composed = tf.grad((v: tf.Tensor) => use(bij.forward(v), tf.sum(bij.logDetJacobian(v), 1)))(y).dataSync();
        composed.forEach((v, k) => expect(Math.abs(fused[k]! - v), `${name}, coordinate ${k}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
      }
      tf.dispose([y, w, fusedOut.x, fusedOut.logDetSum]);
    });
  });
}

describe("interval bijector, where the fused path does not apply", () => {
  it("hands back undefined on wasm above the host-loop size (the caller composes from ops)", async () => {
    await initEngine("wasm");
    const y = tf.zeros([2, HOST_LOOP_MAX_SIZE / 2 + 1]);
    expect(bijectorFor({ kind: "unitInterval" }).forwardWithLogDetSum?.(y)).toBeUndefined();
    const z = tf.zeros([2, 3]);
    const small = bijectorFor({ kind: "unitInterval" }).forwardWithLogDetSum?.(z);
    expect(small?.x.shape).toEqual([2, 3]);
    tf.dispose([y, z, small?.x, small?.logDetSum].filter((t) => t !== undefined));
  });

  it("is not offered for tensor bounds", () => {
    expect(bijectorFor({ kind: "interval", lower, upper }).forwardWithLogDetSum).toBeUndefined();
  });
});
