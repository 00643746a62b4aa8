// The fused Cholesky kernel (fused-cholesky.ts) against two independent references: the
// factor's defining identity L Lᵀ = A checked in float64, and central finite differences of a
// float64 Cholesky written out here for the gradient; and against linalg.ts's composition
// (value and gradient) on the same batches.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "./engine.js";
import { fusedCholesky, CHOLESKY_HOST_MAX_N } from "./fused-cholesky.js";
import { cholesky, composedCholesky } from "./linalg.js";
import { lcg, tensorsAcrossRepeats } from "./kernels/testing.js";

afterAll(async () => {
  await initEngine("wasm");
});

/** A batch of `count` SPD matrices n × n: B Bᵀ + n·I with B from a fixed sequence. */
function spd(count: number, n: number, seed: number): number[] {
  const b = Array.from(lcg(count * n * n, seed));
  const out: number[] = [];
  for (let m = 0; m < count; m++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let v = i === j ? n : 0;
        for (let k = 0; k < n; k++) v += b[m * n * n + i * n + k]! * b[m * n * n + j * n + k]!;
        out.push(Math.fround(v));
      }
    }
  }
  return out;
}

/** float64 lower Cholesky factor of one n × n matrix (row-major). */
function cholesky64(a: readonly number[], n: number): number[] {
  const l = new Array<number>(n * n).fill(0);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! ** 2;
    l[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let v = a[i * n + j]!;
      for (let k = 0; k < j; k++) v -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = v / l[j * n + j]!;
    }
  }
  return l;
}

for (const backend of ["wasm", "cpu"] as const) {
  describe(`fused Cholesky on ${backend}`, () => {
    for (const n of [1, 3, 11, 30]) {
      it(`n = ${n}, a batch [2, 2, n, n]: L Lᵀ = A, lower triangular, and the composition's value`, async () => {
        await initEngine(backend);
        const data = spd(4, n, n);
        const a = tf.tensor(data, [2, 2, n, n]);
        const l = fusedCholesky(a)!;
        const lv = l.dataSync();
        for (let m = 0; m < 4; m++) {
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < n; j++) {
              if (j > i) expect(lv[m * n * n + i * n + j]).toBe(0);
              let v = 0;
              for (let k = 0; k < n; k++) v += lv[m * n * n + i * n + k]! * lv[m * n * n + j * n + k]!;
              const want = data[m * n * n + i * n + j]!;
              expect(Math.abs(v - want)).toBeLessThanOrEqual(1e-6 * n * Math.abs(data[m * n * n]!));
            }
          }
        }
        const composed = composedCholesky(a).dataSync();
        composed.forEach((v, k) => expect(Math.abs(lv[k]! - v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
        tf.dispose([a, l]);
      });
    }

    it("gradient of Σ W ⊙ L matches float64 central differences along symmetric directions, and the composition", async () => {
      await initEngine(backend);
      const n = 5;
      const data = spd(1, n, 17);
      const w = Array.from(lcg(n * n, 18));
      const a = tf.tensor(data, [n, n]);
      const wt = tf.tensor(w, [n, n]);
      const objective = (f: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor) => tf.sum(tf.mul(wt, f(x)));
      const g = tf.grad(objective((x) => fusedCholesky(x)!))(a).dataSync();
      const gc = tf.grad(objective(composedCholesky))(a).dataSync();
      gc.forEach((v, k) => expect(Math.abs(g[k]! - v), `entry ${k}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v))));
      // A symmetric direction E (i, j and j, i): d/dh Σ W ⊙ chol(A + hE) = Ā_ij + Ā_ji (Ā symmetric).
      const f64 = (m: readonly number[]): number => cholesky64(m, n).reduce((s, v, k) => s + w[k]! * v, 0);
      const h = 1e-6;
      for (const [i, j] of [[0, 0], [2, 1], [4, 4], [3, 0]] as const) {
        const up = [...data];
        const down = [...data];
        for (const [p, q] of (i === j ? [[i, j]] : [[i, j], [j, i]]) as [number, number][]) {
          up[p * n + q] = up[p * n + q]! + h;
          down[p * n + q] = down[p * n + q]! - h;
        }
        const fd = (f64(up) - f64(down)) / (2 * h);
        const ad = i === j ? g[i * n + i]! : g[i * n + j]! + g[j * n + i]!;
        expect(Math.abs(ad - fd), `direction (${i}, ${j})`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(fd)));
      }
      tf.dispose([a, wt]);
    });

    it("a matrix that is not positive definite gives NaN from the failing column on, no throw", async () => {
      await initEngine(backend);
      const a = tf.tensor2d([[1, 2, 0], [2, 1, 0], [0, 0, 1]]);
      const l = fusedCholesky(a)!.dataSync();
      expect(l[0]).toBe(1);
      expect(Number.isNaN(l[4]!)).toBe(true);
      a.dispose();
    });

    it("leaks no tensors over repeated gradients", async () => {
      await initEngine(backend);
      const a = tf.tensor(spd(2, 4, 3), [2, 4, 4]);
      const step = (): void => tf.tidy(() => void tf.grad((x: tf.Tensor) => tf.sum(cholesky(x)))(a).dataSync());
      const [before, after] = tensorsAcrossRepeats(step);
      expect(after).toBe(before);
      a.dispose();
    });
  });
}

describe("Cholesky where the fused kernel does not apply", () => {
  it(`n = ${CHOLESKY_HOST_MAX_N + 1} composes from ops, with L Lᵀ = A`, async () => {
    await initEngine("wasm");
    const n = CHOLESKY_HOST_MAX_N + 1;
    const data = spd(1, n, 5);
    const a = tf.tensor(data, [n, n]);
    expect(fusedCholesky(a)).toBeUndefined();
    const l = cholesky(a);
    const back = tf.matMul(l, l, false, true).dataSync();
    back.forEach((v, k) => expect(Math.abs(v - data[k]!)).toBeLessThanOrEqual(1e-4 * Math.abs(data[0]!)));
    tf.dispose([a, l]);
  });
});
