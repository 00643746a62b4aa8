/**
 * Literal and tensor parameters, and value-only terms (the log density's hot path).
 *
 * - A literal parameter is a number attribute of the family kernel, a tensor one an input
 *   (StudentT, HalfStudentT, Gamma, InverseGamma, Beta, Uniform): both paths and scipy agree.
 * - valueTerms: logProbSum without the value-only terms plus Σ term64(x) equals Σ logProb(x)
 *   and scipy's log-density.
 * References: scipy.stats 1.x logpdf/logpmf and mpmath (30 digits), computed offline with the
 * calls quoted next to each table.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import type { Distribution } from "./distribution.js";
import { binomial } from "./bernoulli.js";
import { gamma, inverseGamma } from "./gamma.js";
import { logNormal } from "./normal.js";
import { negativeBinomial, poisson, poissonLogRate } from "./poisson.js";
import { halfStudentT, studentT } from "./student-t.js";
import { uniform } from "./uniform.js";

const lp = (d: Distribution, x: number[]): number[] => tf.tidy(() => Array.from(d.logProb(tf.tensor1d(x)).dataSync()));
const s = (v: number): tf.Tensor => tf.scalar(v);

function expectClose(got: readonly number[], want: readonly number[], digits: number): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, digits));
}

describe("literal and tensor parameters", () => {
  it("StudentT(3, 8, 10): literal and tensor parameters agree with scipy", () => {
    // scipy.stats.t.logpdf([-25, 0, 8, 31.5], 3, loc=8, scale=10)
    const x = [-25, 0, 8, 31.5];
    const want = [-6.3685876788138405, -3.690216728578635, -3.303473942617556, -5.391668815341179];
    expectClose(lp(studentT(3, 8, 10), x), want, 5);
    expectClose(lp(studentT(3, s(8), s(10)), x), want, 5);
    expectClose(lp(studentT(s(3), s(8), s(10)), x), want, 4);
  });

  it("StudentT(250, 0.5, 2): large ν stays accurate on the host path", () => {
    // scipy.stats.t.logpdf([-3, 0.5, 4], 250, loc=0.5, scale=2)
    expectClose(lp(studentT(250, 0.5, 2), [-3, 0.5, 4]), [-3.1411204903298064, -1.613085711098058, -3.1411204903298064], 5);
  });

  it("HalfStudentT(3, 10): literal and tensor σ agree with scipy", () => {
    // log(2) + scipy.stats.t.logpdf([0, 0.5, 10, 120], 3, loc=0, scale=10)
    const x = [0, 0.5, 10, 120];
    const want = [-2.6103267620576105, -2.611992734665394, -3.185690906961172, -10.393967358278863];
    expectClose(lp(halfStudentT(3, 10), x), want, 5);
    expectClose(lp(halfStudentT(3, s(10)), x), want, 5);
  });

  it("Gamma and InverseGamma with a literal shape and a tensor rate/scale", () => {
    const x = [0.2, 1, 3];
    // scipy.stats.gamma.logpdf(x, 3.5, scale=1/2)
    const g = [-3.198553251472516, -0.7749584703872657, -2.0284277487169917];
    expectClose(lp(gamma(3.5, 2), x), g, 5);
    expectClose(lp(gamma(3.5, s(2)), x), g, 5);
    // scipy.stats.invgamma.logpdf(x, 4, scale=3)
    const ig = [-4.350120752385114, -0.3973103145556156, -3.8903717578961645];
    expectClose(lp(inverseGamma(4, 3), x), ig, 5);
    expectClose(lp(inverseGamma(4, s(3)), x), ig, 5);
  });

  it("Uniform(-20, 20): −log 40 inside, −∞ outside; the same as tensor bounds", () => {
    // scipy.stats.uniform.logpdf(0.3, -20, 40)
    expectClose(lp(uniform(-20, 20), [0.3, -19.5]), [-3.6888794541139363, -3.6888794541139363], 6);
    expect(lp(uniform(-20, 20), [25])[0]).toBe(-Infinity);
    expectClose(lp(uniform(s(-20), s(20)), [0.3]), [-3.6888794541139363], 6);
  });
});

describe("valueTerms: the sum without them + Σ term64 = Σ logProb", () => {
  const split = (d: Distribution, x: number[]): number =>
    tf.tidy(() => {
      const terms = d.valueTerms;
      if (terms === undefined) throw new Error(`${d.name} has no valueTerms`);
      const rest = d.logProbSum!(tf.tensor1d(x), false, { withoutValueTerms: true }).dataSync()[0]!;
      return rest + x.reduce((a, v) => a + terms.term64(v), 0);
    });
  const total = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  const k = [0, 1, 3, 7, 20];

  const cases: { name: string; d: () => Distribution; x: number[]; want: number[] }[] = [
    // scipy.stats.poisson.logpmf([0, 1, 3, 7, 20], 3.2)
    { name: "Poisson(3.2)", d: () => poisson(3.2), x: k, want: [-3.2, -2.036849190194319, -1.5023070398110128, -3.583105692425648, -22.272600264639866] },
    // scipy.stats.poisson.logpmf(k, exp(1.1))
    { name: "Poisson(log_rate = 1.1)", d: () => poissonLogRate(1.1), x: k, want: [-3.0041660239464334, -1.9041660239464333, -1.495925493174488, -3.829327385011847, -23.339782484699917] },
    // scipy.stats.nbinom.logpmf(k, 2.5, 2.5 / (4 + 2.5))
    { name: "NegativeBinomial(4, 2.5)", d: () => negativeBinomial(s(4), 2.5), x: k, want: [-2.388778612568591, -1.9579956964761365, -1.9639304319959507, -2.9078441337815613, -7.79925546362023] },
    // scipy.stats.binom.logpmf([0, 1, 5, 12], 12, 0.35)
    { name: "Binomial(12, 0.35)", d: () => binomial(12, s(0.35)), x: [0, 1, 5, 12], want: [-5.169394993109451, -3.303527551727676, -1.5900296433261438, -12.597865493984134] },
    // scipy.stats.nbinom.logpmf(k, 2.5, 2.5 / (4 + 2.5)), with φ a tensor: −lgamma(k + 1) reads k alone
    { name: "NegativeBinomial(4, tensor 2.5)", d: () => negativeBinomial(4, s(2.5)), x: k, want: [-2.388778612568591, -1.9579956964761365, -1.9639304319959507, -2.9078441337815613, -7.79925546362023] },
  ];
  for (const c of cases) {
    it(`${c.name}: the parts sum to Σ logProb and to scipy`, () => {
      const d = c.d();
      const parts = split(d, c.x);
      expect(parts).toBeCloseTo(total(lp(d, c.x)), 4);
      expect(parts).toBeCloseTo(total(c.want), 4);
    });
  }

  it("Poisson's value-only term is −lgamma(k + 1) (scipy.special.gammaln)", () => {
    const term = poisson(1).valueTerms!.term64;
    expectClose(k.map(term), [-0, -0, -1.791759469228055, -8.525161361065415, -42.335616460753485], 10);
  });

  it("none where the term would read a tensor parameter (Binomial's n), and none for a family without them", () => {
    expect(binomial(s(12), 0.35).valueTerms).toBeUndefined();
    expect(logNormal(0.3, 0.5).valueTerms).toBeUndefined();
  });

  it("a per-chain sum against a batch of rates: logProbSum without the terms plus their sum per row", () => {
    tf.tidy(() => {
      const d = poisson(tf.tensor2d([[1], [2], [3]]));
      const x = tf.tensor1d([0, 1, 2, 3]);
      const rest = d.logProbSum!(x, true, { withoutValueTerms: true }).dataSync();
      const terms = [0, 1, 2, 3].reduce((a, v) => a + d.valueTerms!.term64(v), 0);
      const want = tf.sum(d.logProb(x), 1).dataSync();
      Array.from(rest).forEach((r, i) => expect(r + terms).toBeCloseTo(want[i]!, 4));
    });
  });
});
