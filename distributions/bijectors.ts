/**
 * Bijectors from unconstrained space to each continuous support, with log|det J|, following
 * Stan's constraint transforms (Stan Reference Manual, "Constraint transforms"; design notes
 * inference.md section 7).
 *
 * Conventions: `x = forward(y)` maps unconstrained `y` to the support; `inverse` is Stan's
 * "free". `y` may carry any leading batch dims (chains, sample dims). `eventRank` says how many
 * trailing axes of `y` form one event: elementwise bijectors (eventRank 0) return log|J| with
 * the shape of `y`; vector bijectors (eventRank 1) sum over the last axis of `y`, so the result
 * has the batch shape. Every method runs in `tf.tidy` and returns a tensor the caller owns.
 */
import { tf } from "../core/engine.js";
import { DistributionError, type Shape } from "./distribution.js";
import { describe, type Bound, type Constraint } from "./constraints.js";
import { softplus } from "../core/special.js";
import { intervalTransform } from "../core/fused-interval.js";
import { broadcastTo, compare } from "./util.js";

export interface Bijector {
  readonly constraint: Constraint;
  /** Trailing axes of `y` that form one event: 0 (elementwise) or 1. */
  readonly eventRank: 0 | 1;
  /** Unconstrained `y` → constrained `x`. */
  forward(y: tf.Tensor): tf.Tensor;
  /** Constrained `x` → unconstrained `y`. */
  inverse(x: tf.Tensor): tf.Tensor;
  /** log|det ∂x/∂y| in the free coordinates, event axes summed. */
  logDetJacobian(y: tf.Tensor): tf.Tensor;
  /**
   * `logDetJacobian` where it is `y` itself (exp-based bounds): hands back `y`, no copy. The
   * caller must not dispose the result. A scorer adds it straight into the log density, so
   * the clone `logDetJacobian` makes (a kernel and a tape entry) is saved.
   */
  readonly logDetJacobianView?: (y: tf.Tensor) => tf.Tensor;
  /**
   * `forward(y)` with log|J| summed over every axis but the first (shape `[C]`, the per-chain
   * sum a scorer adds), for `y` of rank ≥ 1, by one fused kernel: where the bijector has one
   * and the backend runs it (literal interval bounds on cpu and wasm, core/fused-interval.ts);
   * otherwise undefined, and the caller uses `forward` and `logDetJacobian`. The caller owns
   * both tensors.
   */
  readonly forwardWithLogDetSum?: (y: tf.Tensor) => { x: tf.Tensor; logDetSum: tf.Tensor } | undefined;
  /** Shape of `y` for a constrained value of the given shape. */
  unconstrainedShape(constrainedShape: Shape): Shape;
  /** Shape of `x` for an unconstrained value of the given shape. */
  constrainedShape(unconstrainedShape: Shape): Shape;
}

const same = (s: Shape): Shape => s;

function elementwise(
  constraint: Constraint,
  forward: (y: tf.Tensor) => tf.Tensor,
  inverse: (x: tf.Tensor) => tf.Tensor,
  logDetJacobian: (y: tf.Tensor) => tf.Tensor,
  logDetJacobianIsY = false,
): Bijector {
  return {
    constraint,
    eventRank: 0,
    forward: (y) => tf.tidy(() => forward(y)),
    inverse: (x) => tf.tidy(() => inverse(x)),
    logDetJacobian: (y) => tf.tidy(() => logDetJacobian(y)),
    ...(logDetJacobianIsY ? { logDetJacobianView: (y: tf.Tensor) => y } : {}),
    unconstrainedShape: same,
    constrainedShape: same,
  };
}

const isInfinite = (b: Bound, sign: 1 | -1): boolean => typeof b === "number" && b === sign * Infinity;

function identity(c: Constraint): Bijector {
  return elementwise(c, (y) => tf.clone(y), (x) => tf.clone(x), (y) => tf.zerosLike(y));
}

/** x = lower + exp(y); log|J| = y. */
function lowerBound(c: Constraint, lower: Bound): Bijector {
  // No `0 + eʸ` kernel for the common literal lower bound 0 (positive supports).
  const zero = typeof lower === "number" && lower === 0;
  return elementwise(c, (y) => (zero ? tf.exp(y) : tf.add(lower, tf.exp(y))), (x) => (zero ? tf.log(x) : tf.log(tf.sub(x, lower))), (y) => tf.clone(y), true);
}

/** x = upper − exp(y); log|J| = y. */
function upperBound(c: Constraint, upper: Bound): Bijector {
  return elementwise(c, (y) => tf.sub(upper, tf.exp(y)), (x) => tf.log(tf.sub(upper, x)), (y) => tf.clone(y), true);
}

/**
 * x = a + (b − a)·σ(y), computed as b − (b − a)·σ(−y) for y > 0 so that float32 keeps
 * resolution near the upper bound. log|J| = log(b − a) − |y| − 2·log1p(e^{−|y|}).
 */
function lowerUpper(c: Constraint, lower: Bound, upper: Bound): Bijector {
  const literal = typeof lower === "number" && typeof upper === "number" && Number.isFinite(lower) && Number.isFinite(upper);
  const bijector = elementwise(
    c,
    (y) => {
      // Literal bounds: the width on the host (one kernel fewer per evaluation).
      const w = typeof upper === "number" && typeof lower === "number" ? upper - lower : tf.sub(upper, lower);
      const fromLower = tf.add(lower, tf.mul(w, tf.sigmoid(y)));
      const fromUpper = tf.sub(upper, tf.mul(w, tf.sigmoid(tf.neg(y))));
      const pos = compare(tf.greater, y, 0);
      const shape = fromLower.shape;
      // Clamp guards the last ulp: a + w·σ(y) may round just outside [a, b]. Broadcasts only
      // where a bound is wider than y (a copy kernel each otherwise).
      const x = tf.where(broadcastTo(pos, shape), broadcastTo(fromUpper, shape), fromLower);
      return tf.minimum(tf.maximum(x, lower), upper);
    },
    (x) => tf.sub(tf.log(tf.sub(x, lower)), tf.log(tf.sub(upper, x))),
    (y) => {
      const a = tf.abs(y);
      const logWidth = typeof upper === "number" && typeof lower === "number" ? Math.log(upper - lower) : tf.log(tf.sub(upper, lower));
      return tf.sub(tf.sub(logWidth, a), tf.mul(2, softplus(tf.neg(a))));
    },
  );
  return literal ? { ...bijector, forwardWithLogDetSum: (y) => intervalTransform(y, lower, upper, true) } : bijector;
}

/** Orthonormal Helmert-type basis rows v_i = (1,…,1, −i, 0,…)/sqrt(i(i+1)), i = 1..K−1: [K−1, K]. */
function helmert(k: number): tf.Tensor2D {
  const v = new Float32Array((k - 1) * k);
  for (let i = 1; i < k; i++) {
    const s = 1 / Math.sqrt(i * (i + 1));
    for (let j = 0; j < i; j++) v[(i - 1) * k + j] = s;
    v[(i - 1) * k + i] = -i * s;
  }
  return tf.tensor2d(v, [k - 1, k]);
}

/** Apply a [m, n] matrix to the last axis of x ([..., m] → [..., n]). */
function lastAxisMatMul(x: tf.Tensor, m: tf.Tensor2D): tf.Tensor {
  const lead = x.shape.slice(0, -1);
  const flat = tf.reshape(x, [-1, m.shape[0]]);
  return tf.reshape(tf.matMul(flat, m), [...lead, m.shape[1]]);
}

/**
 * Simplex via Stan's isometric log-ratio transform (Stan ≥ 2.37, stan-dev/math PR #3171):
 * z = sum_to_zero(y) (K values, Σz = 0), x = softmax(z),
 * log|J| = Σ_k log x_k + ½·log K (in the coordinates x_1..x_{K−1}). Free: z = log x − mean(log x), y = V z.
 */
const simplexBijector: Bijector = {
  constraint: { kind: "simplex" },
  eventRank: 1,
  forward: (y) => tf.tidy(() => tf.softmax(lastAxisMatMul(y, helmert(y.shape[y.shape.length - 1]! + 1)))),
  inverse: (x) =>
    tf.tidy(() => {
      const lx = tf.log(x);
      const z = tf.sub(lx, tf.mean(lx, -1, true));
      return lastAxisMatMul(z, tf.transpose(helmert(x.shape[x.shape.length - 1]!)) as tf.Tensor2D);
    }),
  logDetJacobian: (y) =>
    tf.tidy(() => {
      const k = y.shape[y.shape.length - 1]! + 1;
      return tf.add(tf.sum(tf.logSoftmax(lastAxisMatMul(y, helmert(k))), -1), 0.5 * Math.log(k));
    }),
  unconstrainedShape: (s) => [...s.slice(0, -1), s[s.length - 1]! - 1],
  constrainedShape: (s) => [...s.slice(0, -1), s[s.length - 1]! + 1],
};

/** log(1 − tanh(y)²), stable for large |y|: 2·(log 2 − |y| − log1p(e^{−2|y|})). */
function log1mTanhSq(y: tf.Tensor): tf.Tensor {
  const a = tf.abs(y);
  return tf.mul(2, tf.sub(tf.sub(Math.LN2, a), softplus(tf.mul(-2, a))));
}

function corrDim(m: number): number {
  const k = (1 + Math.sqrt(1 + 8 * m)) / 2;
  if (!Number.isInteger(k)) throw new DistributionError(`choleskyCorr: ${m} free values is not K(K−1)/2 for any K`);
  return k;
}

/**
 * Build L (and log|J|) from y [..., K(K−1)/2] (strict lower triangle, row by row):
 * c = tanh(y); L_i1 = c_i1; L_ij = c_ij·sqrt(1 − Σ_{j'<j} L_ij'²); L_ii = sqrt(1 − Σ_{j<i} L_ij²).
 * log|J| = Σ log(1 − c²) + Σ_{j ≥ 2} ½·log(1 − Σ_{j'<j} L_ij'²)   (inference.md 7.3).
 * The remaining squared norm is carried as a log product Π(1 − c²), which stays exact when
 * c rounds to ±1.
 */
function choleskyCorrBuild(y: tf.Tensor): { L: tf.Tensor; logJ: tf.Tensor } {
  const m = y.shape[y.shape.length - 1]!;
  const k = corrDim(m);
  const lead = y.shape.slice(0, -1);
  const ys = m > 0 ? tf.unstack(tf.reshape(y, [-1, m]), 1) : [];
  const rows = lead.reduce((a, b) => a * b, 1);
  const zero = tf.zeros([rows]);
  const one = tf.ones([rows]);
  const entries: tf.Tensor[] = [];
  let logJ: tf.Tensor = tf.zeros([rows]);
  let idx = 0;
  for (let i = 0; i < k; i++) {
    let logRem: tf.Tensor = tf.zeros([rows]);
    for (let j = 0; j < k; j++) {
      if (j < i) {
        const yij = ys[idx++]!;
        const c = tf.tanh(yij);
        const l1m = log1mTanhSq(yij);
        if (j > 0) logJ = tf.add(logJ, tf.mul(0.5, logRem));
        logJ = tf.add(logJ, l1m);
        entries.push(j === 0 ? c : tf.mul(c, tf.exp(tf.mul(0.5, logRem))));
        logRem = tf.add(logRem, l1m);
      } else if (j === i) {
        entries.push(i === 0 ? one : tf.exp(tf.mul(0.5, logRem)));
      } else {
        entries.push(zero);
      }
    }
  }
  const L = tf.reshape(tf.stack(entries, 1), [...lead, k, k]);
  return { L, logJ: tf.reshape(logJ, lead) };
}

const choleskyCorrBijector: Bijector = {
  constraint: { kind: "choleskyCorr" },
  eventRank: 1,
  forward: (y) => tf.tidy(() => choleskyCorrBuild(y).L),
  inverse: (x) =>
    tf.tidy(() => {
      const k = x.shape[x.shape.length - 1]!;
      const lead = x.shape.slice(0, -2);
      const flat = tf.reshape(x, [-1, k * k]);
      const cols = tf.unstack(flat, 1);
      const out: tf.Tensor[] = [];
      for (let i = 1; i < k; i++) {
        let rem: tf.Tensor = tf.onesLike(cols[0]!);
        for (let j = 0; j < i; j++) {
          const lij = cols[i * k + j]!;
          out.push(tf.atanh(tf.div(lij, tf.sqrt(rem))));
          rem = tf.sub(rem, tf.square(lij));
        }
      }
      const m = (k * (k - 1)) / 2;
      return m === 0 ? tf.zeros([...lead, 0]) : tf.reshape(tf.stack(out, 1), [...lead, m]);
    }),
  logDetJacobian: (y) => tf.tidy(() => choleskyCorrBuild(y).logJ),
  unconstrainedShape: (s) => {
    const k = s[s.length - 1]!;
    return [...s.slice(0, -2), (k * (k - 1)) / 2];
  },
  constrainedShape: (s) => {
    const k = corrDim(s[s.length - 1]!);
    return [...s.slice(0, -1), k, k];
  },
};

function splitFirst(v: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const n = v.shape[v.shape.length - 1]!;
  const r = v.shape.length;
  const begin = new Array<number>(r).fill(0);
  const first = tf.slice(v, begin, [...v.shape.slice(0, -1), 1]);
  const rest = tf.slice(v, [...begin.slice(0, -1), 1], [...v.shape.slice(0, -1), n - 1]);
  return [first, rest];
}

/** Successive differences along the last axis, with x_0 taken as `start` (or the first entry kept). */
function diffs(x: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const n = x.shape[x.shape.length - 1]!;
  const [first, rest] = splitFirst(x);
  const prev = tf.slice(x, new Array<number>(x.shape.length).fill(0), [...x.shape.slice(0, -1), n - 1]);
  return [first, tf.sub(rest, prev)];
}

/** Ordered: x_1 = y_1, x_k = x_{k−1} + e^{y_k}; log|J| = Σ_{k≥2} y_k. */
const orderedBijector: Bijector = {
  constraint: { kind: "ordered" },
  eventRank: 1,
  forward: (y) =>
    tf.tidy(() => {
      const [first, rest] = splitFirst(y);
      return tf.cumsum(tf.concat([first, tf.exp(rest)], -1), y.shape.length - 1);
    }),
  inverse: (x) =>
    tf.tidy(() => {
      const [first, d] = diffs(x);
      return tf.concat([first, tf.log(d)], -1);
    }),
  logDetJacobian: (y) => tf.tidy(() => tf.sum(splitFirst(y)[1], -1)),
  unconstrainedShape: same,
  constrainedShape: same,
};

/** Positive ordered: x_1 = e^{y_1}, x_k = x_{k−1} + e^{y_k}; log|J| = Σ_k y_k. */
const positiveOrderedBijector: Bijector = {
  constraint: { kind: "positiveOrdered" },
  eventRank: 1,
  forward: (y) => tf.tidy(() => tf.cumsum(tf.exp(y), y.shape.length - 1)),
  inverse: (x) =>
    tf.tidy(() => {
      const [first, d] = diffs(x);
      return tf.log(tf.concat([first, d], -1));
    }),
  logDetJacobian: (y) => tf.tidy(() => tf.sum(y, -1)),
  unconstrainedShape: same,
  constrainedShape: same,
};

/**
 * The bijector onto a support. Infinite numeric bounds fall back to lower-only, upper-only or
 * identity. Throws DistributionError for discrete supports (no bijector exists).
 */
export function bijectorFor(c: Constraint): Bijector {
  switch (c.kind) {
    case "real": return identity(c);
    case "positive": return lowerBound(c, 0);
    case "greaterThan": return isInfinite(c.lower, -1) ? identity(c) : lowerBound(c, c.lower);
    case "lessThan": return isInfinite(c.upper, 1) ? identity(c) : upperBound(c, c.upper);
    case "interval": {
      const noLower = isInfinite(c.lower, -1);
      const noUpper = isInfinite(c.upper, 1);
      if (noLower && noUpper) return identity(c);
      if (noLower) return upperBound(c, c.upper);
      if (noUpper) return lowerBound(c, c.lower);
      return lowerUpper(c, c.lower, c.upper);
    }
    case "unitInterval": return lowerUpper(c, 0, 1);
    case "simplex": return simplexBijector;
    case "choleskyCorr": return choleskyCorrBijector;
    case "ordered": return orderedBijector;
    case "positiveOrdered": return positiveOrderedBijector;
    case "integer":
    case "boolean":
      throw new DistributionError(`no bijector onto ${describe(c)}: discrete parameters cannot be sampled with gradient-based inference`);
  }
}
