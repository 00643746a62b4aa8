/**
 * Bernoulli(p) / Bernoulli(logit = η) and Binomial(n, p) / Binomial(n, logit = η).
 * log p(k) = lchoose(n, k) + k·log p + (n − k)·log(1 − p); the logit forms use
 * log σ(η) and log σ(−η) so that extreme logits stay finite (inference.md 8.3).
 */
import { tf } from "../core/engine.js";
import { uniform } from "../core/random.js";
import { familyLogPdf } from "../core/fused-family.js";
import { boolean, integerInterval, nonNegativeInteger } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { binomialDraw } from "./host-samplers.js";
import { asTensor, check, compare, familyArg, hostDraws, makeDistribution, type DistributionOptions, type FamilyParts, type Param } from "./util.js";

type Form = { readonly p: tf.Tensor; readonly given: Param } | { readonly logit: tf.Tensor; readonly given: Param };

const probOf = (f: Form): tf.Tensor => ("p" in f ? f.p : tf.sigmoid(f.logit));
const paramOf = (f: Form): tf.Tensor => ("p" in f ? f.p : f.logit);

function makeBernoulli(f: Form, options: DistributionOptions): Distribution {
  return makeDistribution({
    name: "Bernoulli",
    support: boolean,
    discrete: true,
    paramShapes: [paramOf(f).shape],
    options,
    family: "p" in f ? { name: "bernoulli", args: [familyArg(f.given, f.p)] } : { name: "bernoulliLogit", args: [familyArg(f.given, f.logit)] },
    sample: (key, sampleShape, batchShape) => tf.cast(tf.less(uniform(key, [...sampleShape, ...batchShape]), probOf(f)), "float32"),
    mean: () => probOf(f),
    variance: () => {
      const p = probOf(f);
      return tf.mul(p, tf.sub(1, p));
    },
  });
}

/** Bernoulli(p) on {0, 1}: log p(x) = x·log p + (1 − x)·log(1 − p). */
export function bernoulli(p: Param, options: DistributionOptions = {}): Distribution {
  check("Bernoulli", "p", p, "probability", options.validate);
  return makeBernoulli({ p: asTensor(p), given: p }, options);
}

/** Bernoulli(logit = η): log p(x) = x·log σ(η) + (1 − x)·log σ(−η). */
export function bernoulliLogit(logit: Param, options: DistributionOptions = {}): Distribution {
  check("Bernoulli", "logit", logit, "finite", options.validate);
  return makeBernoulli({ logit: asTensor(logit), given: logit }, options);
}

function makeBinomial(n: Param, f: Form, options: DistributionOptions): Distribution {
  check("Binomial", "n", n, "count", options.validate);
  const nt = asTensor(n);
  const family: FamilyParts = "p" in f ? { name: "binomial", args: [familyArg(n, nt), familyArg(f.given, f.p)] } : { name: "binomialLogit", args: [familyArg(n, nt), familyArg(f.given, f.logit)] };
  return makeDistribution({
    name: "Binomial",
    // A tensor n cannot be read without a sync: the support says "≥ 0" and logProb masks k > n.
    support: typeof n === "number" ? integerInterval(0, n) : nonNegativeInteger,
    discrete: true,
    paramShapes: [nt.shape, paramOf(f).shape],
    options,
    family,
    // a tensor n: k > n is masked here (the support cannot say it without reading n)
    ...(typeof n === "number" ? {} : { logProb: (x: tf.Tensor) => tf.where(compare(tf.lessEqual, x, nt), familyLogPdf(family.name, [x, ...family.args], "each"), tf.scalar(-Infinity)) }),
    sample: (key, sampleShape, batchShape) =>
      hostDraws(key, sampleShape, batchShape, [nt, probOf(f)], (s, [trials, p]) => binomialDraw(s, trials!, p!)),
    mean: () => tf.mul(nt, probOf(f)),
    variance: () => {
      const p = probOf(f);
      return tf.mul(tf.mul(nt, p), tf.sub(1, p));
    },
  });
}

/** Binomial(n, p) on 0..n: lchoose(n, k) + k·log p + (n − k)·log(1 − p). */
export function binomial(n: Param, p: Param, options: DistributionOptions = {}): Distribution {
  check("Binomial", "p", p, "probability", options.validate);
  return makeBinomial(n, { p: asTensor(p), given: p }, options);
}

/** Binomial(n, logit = η): lchoose(n, k) + k·log σ(η) + (n − k)·log σ(−η). */
export function binomialLogit(n: Param, logit: Param, options: DistributionOptions = {}): Distribution {
  check("Binomial", "logit", logit, "finite", options.validate);
  return makeBinomial(n, { logit: asTensor(logit), given: logit }, options);
}
