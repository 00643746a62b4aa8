// Batched float32 Cholesky and triangular solves against a float64 host implementation
// written here (textbook Cholesky–Banachiewicz and substitution), residual checks, and
// gradients against float64 central differences of the host versions.
import { describe, expect, it } from "vitest";
import { tf } from "./engine.js";
import {
  NotPositiveDefiniteError,
  cholesky,
  choleskyOrThrow,
  choleskySolve,
  diagPart,
  logDet,
  logDetFromCholesky,
  lowerTriangle,
  mahalanobis,
  matrixFromDiag,
  triangularSolve,
} from "./linalg.js";
import { key, stream } from "./random.js";

type Matrix = number[][];

const rng = stream(key(20261121));

/** A random SPD matrix G Gᵀ/n + ½ I (condition number in the tens). */
function randomSpd(n: number): Matrix {
  const g = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.normal()));
  return g.map((gi, i) =>
    g.map((gj, j) => gi.reduce((s, v, k) => s + v * gj[k]!, 0) / n + (i === j ? 0.5 : 0)),
  );
}

function hostCholesky(a: Matrix): Matrix {
  const n = a.length;
  const l: Matrix = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = i === j ? Math.sqrt(s) : s / l[j]![j]!;
    }
  }
  return l;
}

/** X with L X = B (L lower, read from its lower triangle only). */
function hostLowerSolve(l: Matrix, b: Matrix): Matrix {
  const x: Matrix = [];
  for (let i = 0; i < l.length; i++) {
    x.push(b[i]!.map((bij, c) => {
      let s = bij;
      for (let k = 0; k < i; k++) s -= l[i]![k]! * x[k]![c]!;
      return s / l[i]![i]!;
    }));
  }
  return x;
}

const transposeHost = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((r) => r[j]!));
const matmulHost = (a: Matrix, b: Matrix): Matrix =>
  a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const randomMatrix = (r: number, c: number): Matrix =>
  Array.from({ length: r }, () => Array.from({ length: c }, () => rng.normal()));
const flat = (t: tf.Tensor): number[] => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};
const maxAbs = (v: readonly number[]): number => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const maxDiff = (a: readonly number[], b: readonly number[]): number => maxAbs(a.map((x, i) => x - b[i]!));

describe("cholesky", () => {
  it("L Lᵀ = A and L matches a float64 Cholesky, n = 1..8, batch [3, n, n]", () => {
    for (let n = 1; n <= 8; n++) {
      const mats = [randomSpd(n), randomSpd(n), randomSpd(n)];
      const a = tf.tensor3d(mats);
      const l = cholesky(a);
      expect(l.shape).toEqual([3, n, n]);
      const back = flat(tf.matMul(l, l, false, true));
      expect(maxDiff(back, mats.flat(2)) / maxAbs(mats.flat(2))).toBeLessThan(1e-5);
      const want = mats.map(hostCholesky).flat(2);
      const got = flat(l);
      expect(maxDiff(got, want) / maxAbs(want)).toBeLessThan(2e-5);
      // exactly zero above the diagonal
      got.forEach((v, idx) => {
        const [i, j] = [Math.floor(idx / n) % n, idx % n];
        if (j > i) expect(v === 0).toBe(true);
      });
      a.dispose();
    }
  });

  it("works for extra leading dimensions and reads only the lower triangle", () => {
    const mats = [[randomSpd(4), randomSpd(4)], [randomSpd(4), randomSpd(4)]];
    const withJunk = mats.map((row) => row.map((m) => m.map((r, i) => r.map((v, j) => (j > i ? 99 : v)))));
    const l = cholesky(tf.tensor4d(withJunk));
    expect(l.shape).toEqual([2, 2, 4, 4]);
    const want = mats.flat().map(hostCholesky).flat(2);
    expect(maxDiff(flat(l), want) / maxAbs(want)).toBeLessThan(2e-5);
  });

  it("gives non-finite entries for a matrix that is not positive definite; choleskyOrThrow throws", () => {
    const bad = [[[1, 2], [2, 1]], [[4, 0], [0, 9]]];
    const v = flat(cholesky(tf.tensor3d(bad)));
    expect(v.slice(0, 4).some((x) => !Number.isFinite(x))).toBe(true);
    expect(v.slice(4)).toEqual([2, 0, 0, 3]);
    expect(() => choleskyOrThrow(tf.tensor3d(bad))).toThrow(NotPositiveDefiniteError);
    expect(() => choleskyOrThrow(tf.tensor3d(bad))).toThrow(/matrix 0 of the batch/);
    expect(flat(choleskyOrThrow(tf.tensor2d([[4, 0], [0, 9]])))).toEqual([2, 0, 0, 3]);
  });

  it("rejects non-square input with a clear error", () => {
    expect(() => cholesky(tf.zeros([2, 3]))).toThrow(/square matrix/);
  });

  it("gradient of Σ W⊙L matches float64 central differences (symmetric perturbations)", () => {
    for (const n of [1, 3, 5]) {
      const a = randomSpd(n);
      const w = randomMatrix(n, n);
      const f64 = (m: Matrix) => hostCholesky(m).reduce((s, r, i) => s + r.reduce((t, v, j) => t + v * w[i]![j]!, 0), 0);
      const g = flat(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(cholesky(x), tf.tensor2d(w))))(tf.tensor2d(a)));
      const fd: number[] = [];
      const h = 1e-6;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const bump = (s: number) => a.map((r, p) => r.map((v, q) => v + ((p === i && q === j) || (p === j && q === i) ? s : 0)));
          // a symmetric bump moves both A_ij and A_ji, so it measures Ā_ij + Ā_ji = 2Ā_ij off the diagonal
          fd.push((f64(bump(h)) - f64(bump(-h))) / (2 * h) / (i === j ? 1 : 2));
        }
      }
      expect(maxDiff(g, fd) / maxAbs(fd)).toBeLessThan(1e-4);
      // and the gradient is symmetric
      const gm = Array.from({ length: n }, (_, i) => g.slice(i * n, i * n + n));
      expect(maxDiff(gm.flat(), transposeHost(gm).flat())).toBeLessThan(1e-6 * maxAbs(g) + 1e-12);
    }
  });
});

describe("triangular solves", () => {
  it("residuals of L X = B, Lᵀ X = B, and upper-triangular U X = B are small; batches broadcast", () => {
    const n = 6;
    const ls = [0, 1, 2].map(() => hostCholesky(randomSpd(n)));
    const b = [0, 1, 2].map(() => randomMatrix(n, 2));
    const lt = tf.tensor3d(ls);
    const bt = tf.tensor3d(b);
    const check = (x: tf.Tensor, mats: Matrix[]) => {
      const xs = x.arraySync() as Matrix[];
      mats.forEach((m, i) => {
        const r = matmulHost(m, xs[i]!).flat().map((v, k) => v - b[i]!.flat()[k]!);
        expect(maxAbs(r)).toBeLessThan(1e-5 * maxAbs(b[i]!.flat()));
      });
      x.dispose();
    };
    check(triangularSolve(lt, bt), ls);
    check(triangularSolve(lt, bt, { transpose: true }), ls.map(transposeHost));
    const us = ls.map(transposeHost);
    check(triangularSolve(tf.tensor3d(us), bt, { lower: false }), us);
    check(triangularSolve(tf.tensor3d(us), bt, { lower: false, transpose: true }), ls);
    // one L for a batch of right-hand sides
    const x = triangularSolve(tf.tensor2d(ls[0]!), bt);
    expect(x.shape).toEqual([3, n, 2]);
    check(x, [ls[0]!, ls[0]!, ls[0]!]);
  });

  it("matches a float64 forward substitution", () => {
    const l = hostCholesky(randomSpd(5));
    const b = randomMatrix(5, 3);
    const want = hostLowerSolve(l, b).flat();
    expect(maxDiff(flat(triangularSolve(tf.tensor2d(l), tf.tensor2d(b))), want) / maxAbs(want)).toBeLessThan(1e-5);
  });

  it("gradients with respect to L and B match float64 central differences", () => {
    const n = 4;
    const l = hostCholesky(randomSpd(n));
    const b = randomMatrix(n, 2);
    const w = randomMatrix(n, 2);
    for (const transpose of [false, true]) {
      const solve64 = (lm: Matrix, bm: Matrix) => {
        if (!transpose) return hostLowerSolve(lm, bm);
        // Lᵀ X = B with Lᵀ upper: reverse rows and columns to make it lower
        const rev = <T,>(v: T[]): T[] => [...v].reverse();
        const m = rev(transposeHost(lm).map(rev));
        return rev(hostLowerSolve(m, rev(bm)));
      };
      const f64 = (lm: Matrix, bm: Matrix) =>
        solve64(lm, bm).reduce((s, r, i) => s + r.reduce((t, v, j) => t + v * w[i]![j]!, 0), 0);
      const [gl, gb] = tf.grads((lt: tf.Tensor, bt: tf.Tensor) =>
        tf.sum(tf.mul(triangularSolve(lt, bt, { transpose }), tf.tensor2d(w))),
      )([tf.tensor2d(l), tf.tensor2d(b)]);
      const h = 1e-6;
      const fdL = l.flatMap((r, i) => r.map((_, j) => {
        if (j > i) return 0; // only the lower triangle is read
        const bump = (s: number) => l.map((rr, p) => rr.map((v, q) => v + (p === i && q === j ? s : 0)));
        return (f64(bump(h), b) - f64(bump(-h), b)) / (2 * h);
      }));
      const fdB = b.flatMap((r, i) => r.map((_, j) => {
        const bump = (s: number) => b.map((rr, p) => rr.map((v, q) => v + (p === i && q === j ? s : 0)));
        return (f64(l, bump(h)) - f64(l, bump(-h))) / (2 * h);
      }));
      expect(maxDiff(flat(gl!), fdL) / maxAbs(fdL)).toBeLessThan(1e-4);
      expect(maxDiff(flat(gb!), fdB) / maxAbs(fdB)).toBeLessThan(1e-4);
    }
  });
});

describe("broadcast gradients", () => {
  it("the gradient for one L shared by a batch of B is the sum of the per-item gradients", () => {
    const l = hostCholesky(randomSpd(3));
    const bs = [randomMatrix(3, 2), randomMatrix(3, 2)];
    const loss = (lt: tf.Tensor, bt: tf.Tensor) => tf.sum(tf.square(triangularSolve(lt, bt, { transpose: true })));
    const [shared] = tf.grads(loss)([tf.tensor2d(l), tf.tensor3d(bs)]);
    expect(shared!.shape).toEqual([3, 3]);
    const each = bs.map((b) => flat(tf.grads(loss)([tf.tensor2d(l), tf.tensor2d(b)])[0]!));
    const sum = each[0]!.map((v, i) => v + each[1]![i]!);
    expect(maxDiff(flat(shared!), sum)).toBeLessThan(1e-4 * maxAbs(sum));
  });
});

describe("derived operations", () => {
  it("choleskySolve solves A X = B", () => {
    const a = randomSpd(5);
    const b = randomMatrix(5, 2);
    const x = choleskySolve(cholesky(tf.tensor2d(a)), tf.tensor2d(b)).arraySync() as Matrix;
    const r = matmulHost(a, x).flat().map((v, k) => v - b.flat()[k]!);
    expect(maxAbs(r)).toBeLessThan(1e-5 * maxAbs(b.flat()));
  });

  it("logDet matches 2 Σ log diag of a float64 Cholesky; its gradient is A⁻¹", () => {
    const mats = [randomSpd(3), randomSpd(3)];
    const want = mats.map((m) => 2 * hostCholesky(m).reduce((s, r, i) => s + Math.log(r[i]!), 0));
    const got = flat(logDet(tf.tensor3d(mats)));
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want[i]!))));
    // d log det A / dA = A⁻¹ (symmetric), with A⁻¹ = L⁻ᵀ L⁻¹ from the host solve
    const g = flat(tf.grad((x: tf.Tensor) => tf.sum(logDet(x)))(tf.tensor3d(mats)));
    const inv = mats.flatMap((m) => {
      const li = hostLowerSolve(hostCholesky(m), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
      return matmulHost(transposeHost(li), li).flat();
    });
    expect(maxDiff(g, inv) / maxAbs(inv)).toBeLessThan(1e-4);
    expect(flat(logDetFromCholesky(tf.tensor2d([[2, 0], [1, 3]])))[0]).toBeCloseTo(Math.log(36), 5);
  });

  it("mahalanobis equals x A⁻¹ xᵀ, broadcasting one factor over a batch of x", () => {
    const a = randomSpd(4);
    const xs = randomMatrix(3, 4);
    const l = hostCholesky(a);
    const want = xs.map((x) => hostLowerSolve(l, x.map((v) => [v])).reduce((s, [z]) => s + z! * z!, 0));
    const got = flat(mahalanobis(tf.tensor2d(l), tf.tensor2d(xs)));
    expect(maxDiff(got, want) / maxAbs(want)).toBeLessThan(1e-5);
  });

  it("diagPart, matrixFromDiag and lowerTriangle", () => {
    const a = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(flat(diagPart(a))).toEqual([1, 4, 5, 8]);
    expect(flat(matrixFromDiag(tf.tensor2d([[1, 2], [3, 4]])))).toEqual([1, 0, 0, 2, 3, 0, 0, 4]);
    expect(flat(lowerTriangle(a))).toEqual([1, 0, 3, 4, 5, 0, 7, 8]);
  });
});

describe("memory", () => {
  it("values and gradients leave no tensors behind", () => {
    const a = tf.tensor3d([randomSpd(4), randomSpd(4)]);
    const b = tf.tensor3d([randomMatrix(4, 2), randomMatrix(4, 2)]);
    const x = tf.tensor2d(randomMatrix(2, 4));
    const round = () => {
      tf.grad((m: tf.Tensor) => tf.sum(cholesky(m)))(a).dispose();
      tf.grad((m: tf.Tensor) => tf.sum(logDet(m)))(a).dispose();
      tf.grads((m: tf.Tensor, r: tf.Tensor) => tf.sum(choleskySolve(cholesky(m), r)))([a, b]).forEach((t) => t.dispose());
      tf.grad((v: tf.Tensor) => tf.sum(mahalanobis(cholesky(a), v)))(x).dispose();
      cholesky(a).dispose();
    };
    round();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) round();
    expect(tf.memory().numTensors).toBe(before);
    [a, b, x].forEach((t) => t.dispose());
  });
});
