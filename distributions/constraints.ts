/**
 * Supports of distributions, as a closed union. Each continuous support maps to a bijector
 * (bijectors.ts) from unconstrained space; discrete supports have none and mark a latent that
 * gradient-based inference cannot handle.
 *
 * Bounds may be numbers or tensors (a bound can depend on data or on another parameter, as in
 * `Uniform(0, theta)`); tensor bounds broadcast against the value.
 */
import { tf } from "../core/engine.js";

export type Bound = number | tf.Tensor;

export type Constraint =
  | { readonly kind: "real" }
  | { readonly kind: "positive" }
  | { readonly kind: "greaterThan"; readonly lower: Bound }
  | { readonly kind: "lessThan"; readonly upper: Bound }
  | { readonly kind: "interval"; readonly lower: Bound; readonly upper: Bound }
  | { readonly kind: "unitInterval" }
  /** Last axis sums to one, entries positive. */
  | { readonly kind: "simplex" }
  /** Last two axes: lower-triangular Cholesky factor of a correlation matrix. */
  | { readonly kind: "choleskyCorr" }
  /** Last axis strictly increasing. */
  | { readonly kind: "ordered" }
  /** Last axis strictly increasing and positive. */
  | { readonly kind: "positiveOrdered" }
  /** Integers in [lower, upper] (either end may be infinite). */
  | { readonly kind: "integer"; readonly lower: number; readonly upper: number }
  | { readonly kind: "boolean" };

export const real: Constraint = { kind: "real" };
export const positive: Constraint = { kind: "positive" };
export const unitInterval: Constraint = { kind: "unitInterval" };
export const simplex: Constraint = { kind: "simplex" };
export const choleskyCorr: Constraint = { kind: "choleskyCorr" };
export const ordered: Constraint = { kind: "ordered" };
export const positiveOrdered: Constraint = { kind: "positiveOrdered" };
export const boolean: Constraint = { kind: "boolean" };
export const nonNegativeInteger: Constraint = { kind: "integer", lower: 0, upper: Infinity };
export const greaterThan = (lower: Bound): Constraint => ({ kind: "greaterThan", lower });
export const lessThan = (upper: Bound): Constraint => ({ kind: "lessThan", upper });
export const interval = (lower: Bound, upper: Bound): Constraint => ({ kind: "interval", lower, upper });
export const integerInterval = (lower: number, upper: number): Constraint => ({ kind: "integer", lower, upper });

/** Whether values under this support are discrete (no bijector, no gradient). */
export function isDiscrete(c: Constraint): boolean {
  return c.kind === "integer" || c.kind === "boolean";
}

/** A short human description, for messages: "positive reals", "the simplex", ... */
export function describe(c: Constraint): string {
  switch (c.kind) {
    case "real": return "the real line";
    case "positive": return "positive reals";
    case "greaterThan": return `reals above ${typeof c.lower === "number" ? c.lower : "a bound"}`;
    case "lessThan": return `reals below ${typeof c.upper === "number" ? c.upper : "a bound"}`;
    case "interval": return typeof c.lower === "number" && typeof c.upper === "number" ? `the interval (${c.lower}, ${c.upper})` : "a bounded interval";
    case "unitInterval": return "the interval (0, 1)";
    case "simplex": return "the simplex";
    case "choleskyCorr": return "Cholesky factors of correlation matrices";
    case "ordered": return "increasing vectors";
    case "positiveOrdered": return "positive increasing vectors";
    case "integer": return c.upper === Infinity ? `integers ≥ ${c.lower}` : `integers in ${c.lower}..${c.upper}`;
    case "boolean": return "0 or 1";
  }
}

/**
 * Whether `x` lies in the support, as a bool tensor. Closed at finite bounds and for ordering (densities such as
 * Exponential are finite at 0), so boundary values are left to the density formula. Event
 * constraints reduce their event axes: simplex and the ordered kinds drop the last axis,
 * choleskyCorr the last two. Tolerances (simplex sum, unit row norms) are float32-sized: 1e-4.
 */
export function contains(c: Constraint, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // Comparisons are false at NaN already; only the kinds that need it build this mask.
    const notNan = (): tf.Tensor => tf.logicalNot(tf.isNaN(x));
    switch (c.kind) {
      case "real": return notNan();
      case "positive": return tf.greaterEqual(x, 0);
      case "greaterThan": return tf.greaterEqual(x, c.lower);
      case "lessThan": return tf.lessEqual(x, c.upper);
      case "interval": return tf.logicalAnd(tf.greaterEqual(x, c.lower), tf.lessEqual(x, c.upper));
      case "unitInterval": return tf.logicalAnd(tf.greaterEqual(x, 0), tf.lessEqual(x, 1));
      case "simplex": {
        const pos = tf.all(tf.greaterEqual(x, 0), -1);
        return tf.logicalAnd(pos, tf.lessEqual(tf.abs(tf.sub(tf.sum(x, -1), 1)), 1e-4));
      }
      case "choleskyCorr": {
        const n = x.shape[x.shape.length - 1]!;
        const lower = tf.linalg.bandPart(tf.ones([n, n]), -1, 0);
        const upperZero = tf.all(tf.all(tf.equal(tf.mul(x, tf.sub(1, lower)), 0), -1), -1);
        const unitRows = tf.all(tf.lessEqual(tf.abs(tf.sub(tf.sum(tf.square(x), -1), 1)), 1e-4), -1);
        const diagPos = tf.all(tf.greaterEqual(tf.sum(tf.mul(x, tf.eye(n)), -1), 0), -1);
        return tf.logicalAnd(upperZero, tf.logicalAnd(unitRows, diagPos));
      }
      case "ordered":
      case "positiveOrdered": {
        const n = x.shape[x.shape.length - 1]!;
        const rank = x.shape.length;
        const begin = new Array<number>(rank).fill(0);
        const size = [...x.shape.slice(0, -1), n - 1];
        const inc = n < 2 ? tf.ones(x.shape.slice(0, -1), "bool") : tf.all(tf.greaterEqual(tf.slice(x, [...begin.slice(0, -1), 1], size), tf.slice(x, begin, size)), -1);
        return c.kind === "ordered" ? tf.logicalAnd(inc, tf.all(notNan(), -1)) : tf.logicalAnd(inc, tf.all(tf.greaterEqual(x, 0), -1));
      }
      case "integer": {
        const isInt = tf.equal(x, tf.round(x));
        return tf.logicalAnd(isInt, tf.logicalAnd(tf.greaterEqual(x, c.lower), tf.lessEqual(x, c.upper)));
      }
      case "boolean": return tf.logicalOr(tf.equal(x, 0), tf.equal(x, 1));
    }
  });
}
