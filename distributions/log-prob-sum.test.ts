/**
 * Distribution.logProbSum (the fused per-chain sums the scorer takes) against the sum of the
 * family's own elementwise logProb, for values and gradients, over the layouts the scorer
 * produces: a latent [C] scalar, a latent block [C, K] with a per-chain scale [C, 1], data [N]
 * against batched parameters [C, N], literal parameters, and a `size`-widened batch (which must
 * fall back to the elementwise sum). The elementwise formulas are themselves checked against
 * scipy in distributions.test.ts.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import type { Distribution } from "./distribution.js";
import { bernoulliLogit } from "./bernoulli.js";
import { halfNormal, logNormal, normal } from "./normal.js";
import { cauchy, halfCauchy } from "./cauchy.js";
import { halfStudentT, studentT } from "./student-t.js";
import { beta, gamma, inverseGamma } from "./gamma.js";
import { uniform } from "./uniform.js";

const rowSum = (t: tf.Tensor, keep: boolean): tf.Tensor => (keep ? (t.rank <= 1 ? t : tf.sum(t, Array.from({ length: t.rank - 1 }, (_, i) => i + 1))) : tf.sum(t));

/** Values and gradients (w.r.t. every tensor in `wrt`) of Σ logProb and of logProbSum. */
function compare(make: (...p: tf.Tensor[]) => Distribution, x: tf.Tensor, wrt: tf.Tensor[], keep: boolean, useX = false): void {
  const both = (fused: boolean) => {
    const f = (...args: tf.Tensor[]): tf.Scalar => {
      const xx = useX ? args[args.length - 1]! : x;
      const d = make(...args.slice(0, useX ? -1 : undefined));
      expect(d.logProbSum).toBeDefined();
      const s = fused ? d.logProbSum!(xx, keep) : rowSum(d.logProb(xx), keep);
      return tf.sum(tf.mul(s, tf.range(1, s.size + 1).reshape(s.shape))) as tf.Scalar;
    };
    const inputs = useX ? [...wrt, x] : wrt;
    const g = tf.grads(f)(inputs);
    return { value: f(...inputs).dataSync()[0]!, grads: g.map((t) => Array.from(t.dataSync())) };
  };
  tf.tidy(() => {
    const a = both(true);
    const b = both(false);
    expect(a.value).toBeCloseTo(b.value, 2);
    expect(Math.abs(a.value - b.value)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b.value)));
    a.grads.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - b.grads[i]![j]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(b.grads[i]![j]!)))));
  });
}

const t = (v: number[], shape: number[]): tf.Tensor => tf.tensor(v, shape);

describe("Distribution.logProbSum", () => {
  it("Normal: a latent block [C, K] under Normal(0, s) with s [C, 1]", () => {
    const w = t([0.3, -1.2, 2.0, 0.1, -0.4, 0.7], [2, 3]);
    const scale = t([0.5, 2.5], [2, 1]);
    compare((sc) => normal(0, sc!), w, [scale], true);
    compare((sc) => normal(0, sc!), w, [scale], true, true);
  });

  it("Normal: data [N] against batched means [C, N] and a literal or batched scale", () => {
    const y = t([1.5, -0.3, 0.8, 2.2], [4]);
    const mu = t([1, 0, 0.5, 2, -1, 0.2, 0.4, 3], [2, 4]);
    compare((m) => normal(m!, 0.7), y, [mu], true);
    compare((m, sc) => normal(m!, sc!), y, [mu, t([0.9, 1.9], [2, 1])], true);
    compare((m) => normal(m!, 0.7), y, [t([0.1, 0.2, 0.3, 0.4], [4])], false);
  });

  it("Normal: a scalar latent [C] and a size-widened batch (elementwise fallback)", () => {
    compare((m) => normal(m!, 5), t([0.2, -3], [2]), [t([0, 1], [2])], true, true);
    // size = 3 widens the batch to [2, 3] against x [2, 1]: each x counted three times
    const d = normal(0, 1, { size: [2, 3] });
    const x = t([0.5, -1], [2, 1]);
    tf.tidy(() => {
      const want = rowSum(d.logProb(x), true).dataSync();
      const got = d.logProbSum!(x, true).dataSync();
      Array.from(got).forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 4));
    });
  });

  it("HalfNormal: the log 2 of every summed term is included", () => {
    compare((sc) => halfNormal(sc!), t([0.3, 1.2, 2.0, 0.1], [2, 2]), [t([0.5, 2.5], [2, 1])], true, true);
    compare(() => halfNormal(1), t([0.3, 1.7], [2]), [], true, true);
  });

  it("Bernoulli(logit): data labels against batched logits [C, N]", () => {
    const y = t([1, 0, 0, 1, 1], [5]);
    const eta = t([2, -1, 0.5, -3, 20, -20, 0, 1.5, 0.1, -0.7], [2, 5]);
    compare((e) => bernoulliLogit(e!), y, [eta], true);
    compare((e) => bernoulliLogit(e!), y, [t([2, -1, 0.5, -3, 20], [5])], false);
  });

  it("StudentT (literal ν): latent blocks, data against batched locations, literal or batched scales", () => {
    const w = t([0.3, -1.2, 2.0, 0.1, -0.4, 7.5], [2, 3]);
    compare((sc) => studentT(3, 0, sc!), w, [t([0.5, 2.5], [2, 1])], true, true);
    compare((m) => studentT(4.5, m!, 1.3), t([1.5, -0.3, 0.8, 2.2], [4]), [t([1, 0, 0.5, 2, -1, 0.2, 0.4, 3], [2, 4])], true);
    compare((m, sc) => studentT(1, m!, sc!), t([0.2, -3], [2]), [t([0, 1], [2]), t([2, 0.5], [2])], true, true);
    compare(() => studentT(3, -13, 36), t([-10, 40], [2]), [], true, true);
  });

  it("HalfStudentT (literal ν): the log 2 of every summed term is included", () => {
    compare((sc) => halfStudentT(3, sc!), t([0.3, 1.2, 2.0, 0.1], [2, 2]), [t([0.5, 2.5], [2, 1])], true, true);
    compare(() => halfStudentT(3, 36), t([5, 80], [2]), [], true, true);
  });

  it("Gamma and InverseGamma (literal shape): literal or batched rate/scale", () => {
    const x = t([0.3, 1.2, 2.0, 0.1, 4.5, 0.7], [2, 3]);
    compare((r) => gamma(2.5, r!), x, [t([0.5, 2.5], [2, 1])], true, true);
    compare(() => gamma(1, 2), x, [], true, true);
    compare(() => gamma(0.6, 1.5), t([0.3, 2.2, 0.05], [3]), [], false, true);
    compare((b) => inverseGamma(1.124909, b!), x, [t([0.0177, 3], [2, 1])], true, true);
    compare(() => inverseGamma(3, 0.5), t([0.3, 2.2, 0.05], [3]), [], false, true);
  });

  it("Cauchy and HalfCauchy (StudentT with ν = 1): latent blocks, data against batched locations, literal or batched scales", () => {
    compare((sc) => cauchy(0, sc!), t([0.3, -1.2, 2.0, 0.1, -0.4, 75], [2, 3]), [t([0.5, 2.5], [2, 1])], true, true);
    compare((m) => cauchy(m!, 1.3), t([1.5, -0.3, 0.8, 2.2], [4]), [t([1, 0, 0.5, 2, -1, 0.2, 0.4, 3], [2, 4])], true);
    compare(() => cauchy(-2, 5), t([-10, 40], [2]), [], false, true);
    compare((sc) => halfCauchy(sc!), t([0.3, 1.2, 2.0, 0.1], [2, 2]), [t([0.5, 2.5], [2, 1])], true, true);
    compare(() => halfCauchy(2), t([0.3, 17], [2]), [], true, true);
  });

  it("LogNormal: latent blocks with a batched scale, data against batched locations (log x counted per broadcast term)", () => {
    compare((sc) => logNormal(0, sc!), t([0.3, 1.2, 2.0, 0.1, 4.5, 0.7], [2, 3]), [t([0.5, 2.5], [2, 1])], true, true);
    compare((m) => logNormal(m!, 0.8), t([1.5, 0.3, 0.8, 2.2], [4]), [t([1, 0, 0.5, 2, -1, 0.2, 0.4, 3], [2, 4])], true);
    compare((m, sc) => logNormal(m!, sc!), t([0.5, 3], [2, 1]), [t([0.1, 0.2, 0.3], [3]), t([0.9], [1])], true, true);
    compare(() => logNormal(0.2, 1.5), t([0.3, 2.2, 0.05], [3]), [], false, true);
  });

  it("Beta: latent blocks and scalars, per chain or in total, literal or tensor parameters", () => {
    compare(() => beta(5, 5), t([0.3, 0.92, 0.5, 0.01, 0.64, 0.2], [2, 3]), [], true, true);
    compare(() => beta(0.5, 2.5), t([0.3, 0.004], [2]), [], true, true);
    compare(() => beta(1, 3), t([0.3, 0.7, 0.05], [3]), [], false, true);
    compare((a) => beta(a!, 3), t([0.3, 0.7, 0.05], [3]), [t([2], [])], false, true);
  });

  it("Uniform: the constant −n·log(hi − lo) per chain or in total, literal or tensor bounds", () => {
    tf.tidy(() => {
      for (const [x, keep] of [[t([0.3, -1.2, 2.0, 0.1, -0.4, 7.5], [2, 3]), true], [t([0.3, -1.2], [2]), true], [t([0.3, 1.2, 2.5], [3]), false]] as const) {
        const d = uniform(-1.5, 8);
        const want = rowSum(d.logProb(x), keep).dataSync();
        const got = d.logProbSum!(x, keep);
        expect(got.shape).toEqual(keep ? [x.shape[0]] : []);
        Array.from(got.dataSync()).forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(want[i]!)));
      }
      const x = t([0.3, 0.2], [2]);
      const d = uniform(tf.scalar(0), 1.5);
      expect(d.logProbSum!(x, false).dataSync()[0]).toBeCloseTo(-2 * Math.log(1.5), 6);
    });
  });

  it("StudentT and the gamma families with a tensor shape parameter: the sum and its gradient", () => {
    compare((n) => studentT(n!, 0.5, 2), t([0.3, -4.2, 1.1, 9], [2, 2]), [t([3], [])], true, true);
    compare((a) => gamma(a!, 1.5), t([0.3, 4.2, 1.1], [3]), [t([2.5], [])], false, true);
    compare((a) => inverseGamma(a!, 1.5), t([0.3, 4.2, 1.1], [3]), [t([2.5], [])], false, true);
  });
});
