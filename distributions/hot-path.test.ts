// Accuracy of the short (few-kernel) log densities that the interpreter's scorer runs on every
// evaluation: Bernoulli(logit = η) as −softplus((1 − 2x)·η) and Normal with host-folded
// constants, checked in both parameter forms (JS numbers and tensors) and through the masked
// (`logProb`) and unmasked (`logProbInSupport`) paths.
//
// References: mpmath at 50 digits, at inputs pre-rounded to float32 (np.float32):
//   log σ(η) = −log1p(exp(−η)), log σ(−η) = −log1p(exp(η)), d/dη log σ(η) = 1/(1 + e^η),
//   d/dη log σ(−η) = −1/(1 + e^{−η}); Normal: −z²/2 − log σ − log(2π)/2, z = (x − μ)/σ.
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { bernoulliLogit, dirichlet, lkjCholesky, normal, ordered } from "./index.js";

// [η, log σ(η) (x = 1), log σ(−η) (x = 0), d/dη at x = 1, d/dη at x = 0]
const BERNOULLI_LOGIT: readonly (readonly number[])[] = [
  [-100.0, -100.0, -3.720075976020836e-44, 1.0, -3.720075976020836e-44],
  [-30.0, -30.000000000000094, -9.3576229688397368e-14, 0.99999999999990642, -9.357622968839299e-14],
  [-10.0, -10.000045398899217, -4.5398899216864647e-5, 0.99995460213129757, -4.5397868702434395e-5],
  [-0.0010000000474974513, -0.6936473055837007, -0.69264730553620325, 0.50024999999104103, -0.49975000000895897],
  [0.0, -0.69314718055994531, -0.69314718055994531, 0.5, -0.5],
  [2.0, -0.1269280110429725, -2.1269280110429725, 0.11920292202211756, -0.88079707797788244],
  [20.0, -2.0611536203143807e-9, -20.000000002061154, 2.0611536181902036e-9, -0.99999999793884638],
  [40.0, -4.248354255291589e-18, -40.0, 4.248354255291589e-18, -1.0],
  [88.0, -6.0546018954011859e-39, -88.0, 6.0546018954011859e-39, -1.0],
];

// [μ, σ, x, log p]
const NORMAL: readonly (readonly number[])[] = [
  [0.0, 0.0010000000474974513, 0.0, 5.9888166982800141],
  [0.0, 0.0010000000474974513, 1.0, -499993.9636858538],
  [0.0, 2.5, 10000.0, -8000001.8352292651],
  [3.0, 2.5, -40.0, -149.75522926507883],
  [0.0, 1.0, -30.0, -450.91893853320467],
  [1000.0, 0.009999999776482582, 1000.0499877929688, -8.8076661128186474],
];

/** Relative error; absolute below 1e-30 (float32 kernels flush subnormals such as σ(−100) = 3.7e-44 to 0). */
const relErr = (got: number, want: number): number => Math.abs(got - want) / Math.max(Math.abs(want), 1e-30);

function read(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

describe("Bernoulli(logit = η) log-mass at extreme logits", () => {
  const eta = tf.tensor1d(BERNOULLI_LOGIT.map((r) => r[0]!));
  for (const x of [1, 0]) {
    it(`x = ${x}: relative error ≤ 1e-6 (−2.06e-9 at η = 20, not 0), masked and unmasked paths agree`, () => {
      const d = bernoulliLogit(eta);
      const xs = tf.fill([BERNOULLI_LOGIT.length], x);
      const masked = read(d.logProb(xs));
      const unmasked = read(d.logProbInSupport!(xs));
      BERNOULLI_LOGIT.forEach((r, i) => {
        expect(relErr(masked[i]!, r[x === 1 ? 1 : 2]!)).toBeLessThan(1e-6);
        expect(unmasked[i]).toBe(masked[i]);
      });
      xs.dispose();
    });
    it(`x = ${x}: gradient in η to relative 1e-6`, () => {
      const xs = tf.fill([BERNOULLI_LOGIT.length], x);
      const g = read(tf.grad((e: tf.Tensor) => tf.sum(bernoulliLogit(e).logProbInSupport!(xs)))(eta));
      BERNOULLI_LOGIT.forEach((r, i) => expect(relErr(g[i]!, r[x === 1 ? 3 : 4]!)).toBeLessThan(1e-6));
      xs.dispose();
    });
  }
  it("a scalar logit with literal η and values outside {0, 1} masked to −∞ by logProb", () => {
    expect(relErr(read(bernoulliLogit(20).logProb(tf.scalar(1)))[0]!, -2.0611536203143807e-9)).toBeLessThan(1e-6);
    expect(read(bernoulliLogit(0.5).logProb(tf.tensor1d([0.5, 2, -1, NaN])))).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
  });
});

describe("Normal log density, literal and tensor parameters", () => {
  it("relative error ≤ 1e-6 at large z and small σ, both parameter forms, both paths", () => {
    for (const r of NORMAL) {
      const [mu, sigma, x, want] = [r[0]!, r[1]!, r[2]!, r[3]!];
      const xs = tf.scalar(x);
      for (const d of [normal(mu, sigma), normal(tf.scalar(mu), tf.scalar(sigma))]) {
        expect(relErr(read(d.logProb(xs))[0]!, want)).toBeLessThan(1e-6);
        expect(relErr(read(d.logProbInSupport!(xs))[0]!, want)).toBeLessThan(1e-6);
      }
      xs.dispose();
    }
  });
  it("batched σ [C, 1] against values [C, K]: shape and values", () => {
    const sigma = tf.tensor2d([[0.0010000000474974513], [2.5]]);
    const x = tf.tensor2d([[0, 1], [10000, 0]]);
    const lp = normal(0, sigma).logProbInSupport!(x);
    expect(lp.shape).toEqual([2, 2]);
    const got = read(lp);
    // row 2, column 2: −log 2.5 − ½ log 2π (mpmath: −1.8352292650922)
    [5.9888166982800141, -499993.9636858538, -8000001.8352292651, -1.8352292650922].forEach((w, i) => expect(relErr(got[i]!, w)).toBeLessThan(1e-6));
    tf.dispose([sigma, x]);
  });
});

// The multivariate families mask their own support in `logProb`; `logProbInSupport` is the same
// formula without the mask. Inside the support the two must agree exactly; outside it (a
// decreasing "ordered" vector) only the masked one is −∞: the unmasked one skips the check.
describe("ordered, Dirichlet and LKJCholesky: unmasked formula for values in the support", () => {
  it("agree with logProb inside the support", () => {
    tf.tidy(() => {
      const cases: [ReturnType<typeof normal>, tf.Tensor][] = [
        [ordered(normal(0, 2, { size: [3] })), tf.tensor2d([[-1, 0.5, 2], [0.1, 0.2, 7]])],
        [dirichlet(tf.tensor1d([2, 3, 0.5])), tf.tensor2d([[0.2, 0.3, 0.5], [0.7, 0.25, 0.05]])],
        [lkjCholesky(3, 2), tf.tensor2d([[1, 0, 0], [0.6, 0.8, 0], [0, 0.6, 0.8]]).reshape([1, 3, 3])],
      ];
      for (const [d, x] of cases) {
        const masked = d.logProb(x).dataSync();
        const unmasked = d.logProbInSupport!(x).dataSync();
        expect(Array.from(masked).every(Number.isFinite)).toBe(true);
        expect(Array.from(unmasked)).toEqual(Array.from(masked));
      }
    });
  });

  it("a decreasing vector under ordered(Normal): −∞ by logProb, the plain sum of Normal terms unmasked", () => {
    tf.tidy(() => {
      const d = ordered(normal(0, 2, { size: [2] }));
      const x = tf.tensor2d([[0.5, -0.5]]);
      expect(d.logProb(x).dataSync()[0]).toBe(-Infinity);
      const want = 2 * (-0.5 * (0.25 / 4) - Math.log(2) - 0.5 * Math.log(2 * Math.PI));
      expect(relErr(d.logProbInSupport!(x).dataSync()[0]!, want)).toBeLessThan(1e-6);
    });
  });
});
