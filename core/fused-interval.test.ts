// Tests of the fused interval transform (fused-interval.ts). References, independent of the
// kernel: x = a + w/(1 + e^{−y}) and log|J| = log w − log(2 + e^y + e^{−y}) (= log of
// w·σ(y)·σ(−y)) in float64 by plain JS, central finite differences of that reference for the
// gradient. Agreement with the op-composed bijector: distributions/bijectors.test.ts.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "./engine.js";
import { intervalTransform } from "./fused-interval.js";
import { valueAndGrad } from "./autodiff.js";
import { lcg, tensorsAcrossRepeats } from "./kernels/testing.js";

afterAll(async () => {
  await initEngine("wasm");
});

const refX = (y: number, a: number, b: number): number => a + (b - a) / (1 + Math.exp(-y));
const refLogDet = (y: number, a: number, b: number): number => Math.log(b - a) - Math.log(2 + Math.exp(y) + Math.exp(-y));

/** Per-row sums of the reference log|J| over `[rows, perRow]` values. */
const refRows = (ys: readonly number[], rows: number, a: number, b: number): number[] =>
  Array.from({ length: rows }, (_, r) => ys.slice((r * ys.length) / rows, ((r + 1) * ys.length) / rows).reduce((s, y) => s + refLogDet(y, a, b), 0));

const BOUNDS: readonly (readonly [number, number])[] = [[0, 1], [-20, 20], [-10, 10], [0.5, 0.5001], [-3, 1e4]];

for (const backend of ["wasm", "cpu"] as const) {
  describe(`intervalTransform on ${backend}`, () => {
    const setup = async (): Promise<void> => {
      await initEngine(backend);
    };

    for (const [a, b] of BOUNDS) {
      it(`matches the float64 reference for bounds (${a}, ${b}), per chain and in total`, async () => {
        await setup();
        const shape = [4, 3, 2];
        const ys = Array.from(lcg(24, 3), (u) => Math.fround(6 * u));
        const y = tf.tensor(ys, shape);
        for (const batched of [true, false]) {
          const out = intervalTransform(y, a, b, batched)!;
          expect(out.x.shape).toEqual(shape);
          expect(out.logDetSum.shape).toEqual(batched ? [4] : []);
          const x = out.x.dataSync();
          ys.forEach((v, k) => expect(Math.abs(x[k]! - refX(v, a, b))).toBeLessThanOrEqual(2e-7 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12));
          const ref = batched ? refRows(ys, 4, a, b) : [refRows(ys, 1, a, b)[0]!];
          Array.from(out.logDetSum.dataSync()).forEach((v, r) => expect(Math.abs(v - ref[r]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref[r]!))));
          out.x.dispose();
          out.logDetSum.dispose();
        }
        y.dispose();
      });
    }

    it("stays inside [a, b] and finite-or-−∞ in log|J| at extreme y; NaN gives NaN", async () => {
      await setup();
      const ys = [1e4, -1e4, 88, -88, 30, -30, 17, -17, 0, Number.NaN];
      const y = tf.tensor2d(ys, [1, ys.length]);
      const [a, b] = [-2, 3];
      const out = intervalTransform(y, a, b, false)!;
      const x = out.x.dataSync();
      for (let k = 0; k < ys.length - 1; k++) {
        expect(x[k]).toBeGreaterThanOrEqual(a);
        expect(x[k]).toBeLessThanOrEqual(b);
      }
      // The side nearest the bound keeps its float32 resolution: 3 − 5·σ(−17) is not rounded to 3.
      expect(x[6]).toBeLessThan(b);
      expect(x[6]).toBeCloseTo(refX(17, a, b), 6);
      expect(x[7]).toBeGreaterThan(a);
      expect(Number.isNaN(x[ys.length - 1]!)).toBe(true);
      out.x.dispose();
      out.logDetSum.dispose();
      const finite = intervalTransform(tf.tensor1d([1e4, -1e4, 30]), a, b, true)!;
      // log|J| at |y| = 1e4 is about −1e4: finite in float32, far below anything else.
      const l = finite.logDetSum.dataSync();
      [1e4, -1e4, 30].forEach((v, k) => expect(Math.abs(l[k]! - (Math.log(5) - Math.abs(v)))).toBeLessThan(1e-3 * Math.abs(v)));
      finite.x.dispose();
      finite.logDetSum.dispose();
    });

    it("gradient of Σ c·x + Σ d·(Σ log|J| per chain) matches finite differences of the float64 reference", async () => {
      await setup();
      const [rows, per] = [3, 4];
      const ys = Array.from(lcg(rows * per, 5), (u) => Math.fround(5 * u));
      const c = Array.from(lcg(rows * per, 6));
      const d = Array.from(lcg(rows, 7));
      const [a, b] = [-1.5, 4];
      const cT = tf.tensor2d(c, [rows, per]);
      const dT = tf.tensor1d(d);
      const g = tf.grad((y: tf.Tensor) => {
        const { x, logDetSum } = intervalTransform(y, a, b, true)!;
        return tf.add(tf.sum(tf.mul(cT, x)), tf.sum(tf.mul(dT, logDetSum)));
      })(tf.tensor2d(ys, [rows, per])).dataSync();
      const objective = (v: readonly number[]): number => v.reduce((s, y, k) => s + c[k]! * refX(y, a, b) + d[Math.floor(k / per)]! * refLogDet(y, a, b), 0);
      const h = 1e-5;
      ys.forEach((_, k) => {
        const up = [...ys];
        const down = [...ys];
        up[k] = up[k]! + h;
        down[k] = down[k]! - h;
        const fd = (objective(up) - objective(down)) / (2 * h);
        expect(Math.abs(g[k]! - fd), `coordinate ${k}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(fd)));
      });
      cT.dispose();
      dT.dispose();
    });

    it("leaks no tensors over repeated gradients", async () => {
      await setup();
      const y = tf.tensor2d(Array.from(lcg(8, 11)), [4, 2]);
      const step = (): void => {
        const { value, grad } = valueAndGrad((v) => {
          const { x, logDetSum } = intervalTransform(v, 0, 1, true)!;
          return tf.add(tf.sum(x, 1), logDetSum) as tf.Tensor1D;
        }, y);
        value.dispose();
        grad.dispose();
        const plain = intervalTransform(y, 0, 1, true)!;
        plain.x.dispose();
        plain.logDetSum.dispose();
      };
      const [before, after] = tensorsAcrossRepeats(step, 50);
      expect(after).toBe(before);
      y.dispose();
    });

    it("rejects bad bounds and a rank-0 y with batched", async () => {
      await setup();
      const y = tf.tensor1d([0.5]);
      expect(() => intervalTransform(y, 1, 1, true)).toThrow(/finite lower < upper/);
      expect(() => intervalTransform(y, 0, Infinity, true)).toThrow(/finite lower < upper/);
      expect(() => intervalTransform(tf.scalar(0), 0, 1, true)).toThrow(/rank ≥ 1/);
      y.dispose();
    });
  });
}
