/**
 * Handlers give the one model program its meaning (NumPyro handlers, DynamicPPL contexts):
 * the evaluator walks the AST and calls the handler at every `~`, `factor`, network
 * creation and top-level assignment. The tracer discovers latents, the scorer adds log
 * densities, the simulator draws (handlers.ts).
 */
import type { Span, TildeStmt } from "../grammar/ast.js";
import type { Key } from "../core/random.js";
import type { GaussianWeights, Layer, StateStore } from "../nn/layer.js";
import type { ParamTree } from "../nn/tree.js";
import type { DistValue, TensorValue, Value } from "./value.js";

/** A `~` on a latent: the handler returns its value (batched, `[C, ...shape]`). */
export interface LatentSite {
  /** Stan-style name: `alpha`, `net[1].weight`. */
  readonly name: string;
  readonly dist: DistValue;
  /** Shape forced by the site (network parameters), else that of the distribution. */
  readonly shape?: readonly number[];
  readonly stmt: TildeStmt;
}

/** A `~` on data: `value` is the observed array (possibly an element `y[i]`). */
export interface ObservedSite {
  readonly name: string;
  readonly dist: DistValue;
  readonly value: TensorValue;
  /** Name of the data argument observed (`y` for `y[i]`). */
  readonly argument: string;
  readonly stmt: TildeStmt;
  /** Nesting (loops, branches, calls) at the statement: > 0 means it may run many times. */
  readonly depth: number;
}

export interface Handler {
  latent(site: LatentSite): TensorValue;
  /**
   * Several latents with one iid prior (`params(net) ~ D`); optional: a handler may score
   * them together. Without it the evaluator calls `latent` for each.
   */
  latentGroup?(sites: readonly LatentSite[]): TensorValue[];
  observe(site: ObservedSite): void;
  factor(logProb: TensorValue, span: Span): void;
  /** Parameters for a network created in the model and bound to `name`, and the mode it runs in. */
  network(name: string, layer: Layer, span: Span): NetSlot;
  /** A value assigned at the model's top level (generated quantities). */
  record(name: string, value: Value, span: Span): void;
}

/**
 * How a network runs: `training` turns Dropout on and makes BatchNorm use batch statistics
 * (updating the running ones in `state`); `key` draws the dropout masks. Absent: evaluation
 * mode without running statistics (BatchNorm then normalises by the batch's).
 */
export interface NetMode {
  readonly training: boolean;
  /** MC dropout: Dropout on in evaluation mode, with this many masks (one per predictive draw). */
  readonly dropout?: number;
  readonly key?: Key;
  readonly state?: StateStore;
  /** Bayes by Backprop: the variational Gaussian of the network's parameters, by path from the network's root (nn/weight-noise.ts). */
  readonly gaussian?: GaussianWeights;
}

/** A network's parameters (with a chain axis when `batched`) and its mode. */
export interface NetSlot {
  params: ParamTree;
  batched: boolean;
  readonly mode?: NetMode;
}
