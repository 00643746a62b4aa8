/**
 * Minibatching: an instance evaluated on a subset of observation rows, with the likelihood
 * scaled by N / batch so that its log density is an unbiased estimate of the full one
 * (for training and VI).
 *
 * Which arguments are observation-indexed: N is the length of the first axis of the observed
 * data arguments (every observed argument must agree); every data argument whose first axis
 * has length N is sliced by the same rows (x [N, K] and y [N] alike); other arguments
 * (sizes, group-level data) are kept whole. Only observed sites on observation-indexed
 * arguments are scaled; priors and `factor` terms are not. Latents must not have one value
 * per observation (a local latent `z ~ Normal(0, 1, size = N)` cannot be minibatched).
 */
import { tf } from "../core/engine.js";
import { fold, key as makeKey, uniformArray } from "../core/random.js";
import type { Span } from "../grammar/ast.js";
import { DlmError } from "./errors.js";
import type { ModelInstance } from "./instance.js";
import { tracer } from "./handlers.js";
import { runModel } from "./instance.js";
import { shapeOf, tensor, type Value } from "./value.js";

/** The number of observations N of an instance, from its observed data arguments. */
export function observationCount(inst: ModelInstance): number {
  const sizes = new Map<string, number>();
  for (const o of inst.observed) {
    const v = inst.bindings.get(o.argument);
    if (v?.kind === "tensor" && shapeOf(v).length > 0) sizes.set(o.argument, shapeOf(v)[0]!);
  }
  const distinct = [...new Set(sizes.values())];
  if (distinct.length === 0) throw new DlmError("this instance has no observed array to minibatch over", undefined);
  if (distinct.length > 1) {
    throw new DlmError(`observed arguments disagree on the number of observations: ${[...sizes].map(([k, n]) => `${k} has ${n}`).join(", ")}`, undefined);
  }
  return distinct[0]!;
}

/**
 * `inst` restricted to observation rows `rows` (0-based), likelihood scaled by `scale`
 * (default N / rows.length). `check` (default true) traces the result once to make sure the
 * latents do not depend on the rows; a training loop checks its first batch only.
 */
export function minibatchInstance(inst: ModelInstance, rows: ArrayLike<number>, options: { readonly scale?: number; readonly check?: boolean } = {}): ModelInstance {
  const n = observationCount(inst);
  const idx = Array.from(rows);
  if (idx.length === 0 || idx.some((i) => !Number.isInteger(i) || i < 0 || i >= n)) {
    throw new DlmError(`minibatch rows must be integers in 0..${n - 1}`, undefined);
  }
  const indices = tf.tensor1d(idx, "int32");
  const bindings = new Map<string, Value>();
  const sliced = new Set<string>();
  for (const [k, v] of inst.bindings) {
    if (inst.data.has(k) && v.kind === "tensor" && !v.batched && v.t.rank > 0 && v.t.shape[0] === n) {
      bindings.set(k, tensor(tf.gather(v.t, indices), false));
      sliced.add(k);
    } else bindings.set(k, v);
  }
  indices.dispose();
  const out: ModelInstance = { ...inst, bindings, minibatch: { scale: options.scale ?? n / idx.length, arguments: sliced } };
  if (options.check === false) return out;
  // The latent layout must not change with the rows.
  const tr = tracer();
  tf.tidy(() => runModel(out, tr));
  tr.result.latents.forEach((l, i) => {
    const full = inst.latents[i];
    if (full === undefined || full.name !== l.name || full.shape.join() !== l.shape.join()) {
      throw new DlmError(`the latent \`${l.name}\` has one value per observation, so this model cannot be minibatched`, l.stmt.span,
        "minibatching needs global latents only (parameters shared by every observation)");
    }
  });
  return out;
}

/**
 * The instance on a batch of its rows for each step of a run (training, ADVI, Bayes by
 * Backprop): every row when `rows` is undefined, else those rows with the likelihood scaled by
 * N / batch. Only the first batch is traced to check that the latents do not depend on the rows.
 */
export function batchInstances(inst: ModelInstance): (rows: ArrayLike<number> | undefined) => ModelInstance {
  let n: number | undefined;
  let checked = false;
  return (rows) => {
    if (rows === undefined) return inst;
    n ??= observationCount(inst);
    const out = minibatchInstance(inst, rows, { scale: n / rows.length, check: !checked });
    checked = true;
    return out;
  };
}

/** The rows 0..n−1 split into training and validation rows (a seeded shuffle), `fraction` of them held out. */
export function holdOut(n: number, fraction: number, seed: number, span: Span | undefined): { train: Int32Array; validation: Int32Array } {
  if (!(fraction > 0 && fraction < 1)) throw new DlmError(`validation as a fraction must lie strictly between 0 and 1, got ${fraction}`, span);
  const nVal = Math.round(n * fraction);
  if (nVal < 1 || nVal >= n) throw new DlmError(`validation = ${fraction} of ${n} rows leaves ${nVal === 0 ? "no validation rows" : "no training rows"}`, span);
  const order = Array.from({ length: n }, (_, i) => i);
  const u = uniformArray(fold(makeKey(seed), 3), n, 0, 1);
  order.sort((a, b) => u[a]! - u[b]!);
  return { train: Int32Array.from(order.slice(nVal)), validation: Int32Array.from(order.slice(0, nVal)) };
}
