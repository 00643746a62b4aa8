/**
 * truncated(D, lo, hi): a univariate continuous D restricted to [lo, hi] (either bound may be
 * omitted or infinite).
 *   log p(x) = log p_D(x) − log Z on [lo, hi], −∞ outside, with
 *   Z = F(hi) − F(lo), computed as S(lo) − S(hi) when lo lies in D's upper half (so that upper
 *   tails keep their precision); Z = S(lo) or F(hi) for one-sided truncation.
 * Needs D's logCdf/logSf; distributions without them (StudentT, Gamma, Beta, ...) are refused.
 * Sampling: inverse CDF when D has a quantile (u uniform on (F(lo), F(hi)), clamped to the
 * bounds; precision degrades for truncation points deep in a float32 tail), else rejection
 * from D with at most 200 rounds. Mean and variance: quadrature (quadrature.ts).
 */
import { tf } from "../core/engine.js";
import { split, uniform as standardUniform } from "../core/random.js";
import { logDiffExp } from "../core/special.js";
import { greaterThan, interval, lessThan, real, type Bound, type Constraint } from "./constraints.js";
import { DistributionError, type Distribution } from "./distribution.js";
import { quadratureMoments, type Range } from "./quadrature.js";
import { asTensor, broadcastShapes, compare, constMask, makeDistribution, type DistributionOptions, type Param } from "./util.js";

/** The bounds implied by a univariate support: [lower, upper] as Bound (±Infinity when none). */
function supportBounds(c: Constraint): [Bound, Bound] {
  switch (c.kind) {
    case "real": return [-Infinity, Infinity];
    case "positive": return [0, Infinity];
    case "unitInterval": return [0, 1];
    case "greaterThan": return [c.lower, Infinity];
    case "lessThan": return [-Infinity, c.upper];
    case "interval": return [c.lower, c.upper];
    default: throw new DistributionError(`truncated: cannot truncate a distribution on ${c.kind}`);
  }
}

const isNone = (b: Param | undefined, sign: 1 | -1): b is undefined => b === undefined || (typeof b === "number" && b === sign * Infinity);

function tighter(a: Bound, b: Bound, pick: "max" | "min"): Bound {
  if (typeof a === "number" && typeof b === "number") return pick === "max" ? Math.max(a, b) : Math.min(a, b);
  if (typeof a === "number" && !Number.isFinite(a)) return b;
  if (typeof b === "number" && !Number.isFinite(b)) return a;
  return pick === "max" ? tf.maximum(a, b) : tf.minimum(a, b);
}

/** The support [lo, hi] with ±Infinity for a missing bound (a half line, or the reals). */
export function boundsConstraint(lo: Bound, hi: Bound): Constraint {
  const noLo = typeof lo === "number" && lo === -Infinity;
  const noHi = typeof hi === "number" && hi === Infinity;
  if (noLo && noHi) return real;
  if (noHi) return lo === 0 ? { kind: "positive" } : greaterThan(lo);
  if (noLo) return lessThan(hi);
  return interval(lo, hi);
}

export function truncated(base: Distribution, lower?: Param, upper?: Param, options: DistributionOptions = {}): Distribution {
  if (base.eventShape.length > 0 || base.discrete) {
    throw new DistributionError(`truncated: the distribution must be univariate and continuous, got ${base.name}`);
  }
  const hasLo = !isNone(lower, -1);
  const hasHi = !isNone(upper, 1);
  if ((hasLo || hasHi) && (!base.logCdf || !base.logSf)) {
    throw new DistributionError(`truncated(...) does not support ${base.name} yet (it has no log-CDF)`);
  }
  if (typeof lower === "number" && typeof upper === "number" && !(lower < upper)) {
    throw new DistributionError(`truncated: lower bound must be below upper bound, got ${lower} and ${upper}`);
  }
  const lo = hasLo ? asTensor(lower!) : undefined;
  const hi = hasHi ? asTensor(upper!) : undefined;
  const [bLo, bHi] = supportBounds(base.support);
  const support = boundsConstraint(lo ? tighter(bLo, typeof lower === "number" ? lower : lo, "max") : bLo, hi ? tighter(bHi, typeof upper === "number" ? upper : hi, "min") : bHi);
  const logCdf = base.logCdf!;
  const logSf = base.logSf!;
  const logZ = (): tf.Tensor => {
    if (lo && hi) {
      const sfLo = logSf(lo);
      const upperHalf = compare(tf.less, sfLo, Math.log(0.5));
      return tf.where(upperHalf, logDiffExp(sfLo, logSf(hi)), logDiffExp(logCdf(hi), logCdf(lo)));
    }
    if (lo) return logSf(lo);
    if (hi) return logCdf(hi);
    return tf.scalar(0);
  };
  const logProb = (x: tf.Tensor): tf.Tensor => {
    const inside = constMask(x, (v) => {
      let ok: tf.Tensor = tf.onesLike(v).asType("bool");
      if (lo) ok = tf.logicalAnd(ok, tf.greaterEqual(v, lo));
      if (hi) ok = tf.logicalAnd(ok, tf.lessEqual(v, hi));
      return ok;
    });
    return tf.where(inside, tf.sub(base.logProb(x), logZ()), tf.scalar(-Infinity));
  };
  const batchShape = broadcastShapes(base.batchShape, lo?.shape ?? [], hi?.shape ?? []);
  const clamp = (x: tf.Tensor): tf.Tensor => {
    let y = x;
    if (lo) y = tf.maximum(y, lo);
    if (hi) y = tf.minimum(y, hi);
    return y;
  };
  const moments = (): { mean: tf.Tensor; variance: tf.Tensor } => {
    const rank = batchShape.length;
    const sd = tf.sqrt(base.variance());
    const scale = tf.where(constMask(sd, tf.isFinite), sd, tf.onesLike(sd));
    const range: Range = lo && hi ? { kind: "finite", lo, hi } : lo ? { kind: "lower", lo, scale } : hi ? { kind: "upper", hi, scale } : { kind: "real", center: base.mean(), scale };
    return quadratureMoments(logProb, range, rank);
  };
  return makeDistribution({
    name: "truncated",
    support,
    paramShapes: [batchShape],
    options,
    logProb,
    sample: (key, sampleShape, fullBatch) => {
      const shape = [...sampleShape, ...fullBatch];
      const quantile = base.quantile;
      if (quantile) {
        const u = standardUniform(key, shape);
        const pLo = lo ? tf.exp(logCdf(lo)) : tf.scalar(0);
        const pHi = hi ? tf.exp(logCdf(hi)) : tf.scalar(1);
        const fromCdf = clamp(quantile(tf.add(pLo, tf.mul(tf.sub(pHi, pLo), u))));
        const quantileSf = base.quantileSf;
        if (!lo || !quantileSf) return fromCdf;
        // In D's upper tail F(lo) rounds towards 1 in float32; invert the survival function there.
        const sLo = tf.exp(logSf(lo));
        const sHi = hi ? tf.exp(logSf(hi)) : tf.scalar(0);
        const fromSf = clamp(quantileSf(tf.sub(sLo, tf.mul(tf.sub(sLo, sHi), u))));
        return tf.where(tf.less(sLo, 0.5), fromSf, fromCdf);
      }
      return rejection(base, key, shape, logProb);
    },
    mean: () => moments().mean,
    variance: () => moments().variance,
    logCdf: (x) => {
      const lz = logZ();
      const below = lo ? logDiffExp(logCdf(clamp(x)), logCdf(lo)) : logCdf(clamp(x));
      return tf.sub(below, lz);
    },
    logSf: (x) => {
      const lz = logZ();
      const above = hi ? logDiffExp(logSf(clamp(x)), logSf(hi)) : logSf(clamp(x));
      return tf.sub(above, lz);
    },
  });
}

/** Rejection sampling from `base` until every position holds a draw inside the truncation. */
function rejection(base: Distribution, key: readonly [number, number], shape: readonly number[], logProb: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const keys = split(key, 200);
  let out: tf.Tensor | undefined;
  let filled: tf.Tensor | undefined;
  for (const k of keys) {
    const draw = tf.broadcastTo(base.sample(k, shape.slice(0, shape.length - base.batchShape.length)), [...shape]);
    const ok = tf.isFinite(logProb(draw));
    if (!out || !filled) {
      out = draw;
      filled = ok;
    } else {
      out = tf.where(filled, out, draw);
      filled = tf.logicalOr(filled, ok);
    }
    if (tf.all(filled).dataSync()[0]) return out;
  }
  throw new DistributionError(`truncated: could not draw from ${base.name} inside the bounds after 200 rounds of rejection sampling`);
}
