/**
 * Supports of distributions, as a closed union. Each continuous support maps to a bijector
 * (bijectors.ts) from unconstrained space; discrete supports have none and mark a latent that
 * gradient-based inference cannot handle.
 *
 * Bounds may be numbers or tensors (a bound can depend on data or on another parameter, as in
 * `Uniform(0, theta)`); tensor bounds broadcast against the value.
 */
import type { tf } from "../core/engine.js";

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
