/**
 * Bernoulli(p) / Bernoulli(logit = η) and Binomial(n, p) / Binomial(n, logit = η).
 * log p(k) = lchoose(n, k) + k·log p + (n − k)·log(1 − p); the logit forms use
 * log σ(η) and log σ(−η) so that extreme logits stay finite (inference.md 8.3).
 */
import { tf } from "../core/engine.js";
import { uniform } from "../core/random.js";
import { bernoulliLogitLogPmfSum } from "../core/fused-logpdf.js";
import { lchoose, logSigmoid, softplus, xlog1py, xlogy } from "../core/special.js";
import { boolean, integerInterval, nonNegativeInteger } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { binomialDraw } from "./host-samplers.js";
import { lgamma64 } from "../core/special-host.js";
import { asTensor, check, compare, hostDraws, makeDistribution, type DistributionOptions, type Param } from "./util.js";

type Form = { readonly p: tf.Tensor } | { readonly logit: tf.Tensor };

const probOf = (f: Form): tf.Tensor => ("p" in f ? f.p : tf.sigmoid(f.logit));
const paramOf = (f: Form): tf.Tensor => ("p" in f ? f.p : f.logit);

/** k·log p + m·log(1 − p) for success count k and failure count m. */
function logLik(f: Form, k: tf.Tensor, m: tf.Tensor): tf.Tensor {
  if ("p" in f) return tf.add(xlogy(k, f.p), xlog1py(m, tf.neg(f.p)));
  return tf.add(tf.mul(k, logSigmoid(f.logit)), tf.mul(m, logSigmoid(tf.neg(f.logit))));
}

/**
 * Bernoulli log-mass. Logit form: −softplus((1 − 2x)·η), which is log σ(η) at x = 1 and
 * log σ(−η) at x = 0 with one softplus (five kernels). Unlike x·η − softplus(η) it keeps
 * full relative accuracy where the mass is near 1 (x = 1, η = 20: −2.06e-9, not 0).
 */
function bernoulliLogMass(f: Form, x: tf.Tensor): tf.Tensor {
  if ("p" in f) return logLik(f, x, tf.sub(1, x));
  return tf.neg(softplus(tf.mul(tf.sub(1, tf.mul(2, x)), f.logit)));
}

function makeBernoulli(f: Form, options: DistributionOptions): Distribution {
  return makeDistribution({
    name: "Bernoulli",
    support: boolean,
    discrete: true,
    paramShapes: [paramOf(f).shape],
    options,
    logProb: (x) => bernoulliLogMass(f, x),
    ...("logit" in f ? { logProbSum: (x: tf.Tensor, keepAxis0: boolean) => bernoulliLogitLogPmfSum(x, f.logit, keepAxis0) } : {}),
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
  return makeBernoulli({ p: asTensor(p) }, options);
}

/** Bernoulli(logit = η): log p(x) = x·log σ(η) + (1 − x)·log σ(−η). */
export function bernoulliLogit(logit: Param, options: DistributionOptions = {}): Distribution {
  check("Bernoulli", "logit", logit, "finite", options.validate);
  return makeBernoulli({ logit: asTensor(logit) }, options);
}

function makeBinomial(n: Param, f: Form, options: DistributionOptions): Distribution {
  check("Binomial", "n", n, "count", options.validate);
  const nt = asTensor(n);
  return makeDistribution({
    name: "Binomial",
    // A tensor n cannot be read without a sync: the support says "≥ 0" and logProb masks k > n.
    support: typeof n === "number" ? integerInterval(0, n) : nonNegativeInteger,
    discrete: true,
    paramShapes: [nt.shape, paramOf(f).shape],
    options,
    logProb: (x) => {
      const lp = tf.add(lchoose(nt, tf.minimum(x, nt)), logLik(f, x, tf.sub(nt, x)));
      return tf.where(compare(tf.lessEqual, x, nt), lp, tf.scalar(-Infinity));
    },
    // A literal n makes lchoose(n, k) a function of k alone.
    valueSplit: typeof n === "number"
      ? { key: `Binomial/${n}`, term64: (k: number) => lgamma64(n + 1) - lgamma64(k + 1) - lgamma64(n - k + 1), rest: (x: tf.Tensor) => logLik(f, x, tf.sub(nt, x)) }
      : undefined,
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
  return makeBinomial(n, { p: asTensor(p) }, options);
}

/** Binomial(n, logit = η): lchoose(n, k) + k·log σ(η) + (n − k)·log σ(−η). */
export function binomialLogit(n: Param, logit: Param, options: DistributionOptions = {}): Distribution {
  check("Binomial", "logit", logit, "finite", options.validate);
  return makeBinomial(n, { logit: asTensor(logit) }, options);
}
