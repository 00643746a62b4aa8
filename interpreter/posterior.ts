/**
 * Posteriors from `sample`: the instance, the sampler result, and the named outputs of every
 * draw (constrained latents and recorded quantities). `predict` runs the model again with
 * the latents fixed at the posterior draws (simulate.ts) for an instance with `missing` data.
 */
import { tf } from "../core/engine.js";
import { key as makeKey } from "../core/random.js";
import { sample as runSampler, type SampleResult } from "../inference/mcmc/index.js";
import { formatSummaryTable, summarize, warnings } from "../inference/diagnostics/index.js";
import type { Span } from "../grammar/ast.js";
import { DlmError } from "./errors.js";
import { outputNamesOf, outputsOf, posteriorModel, constrainedLatents, type ModelInstance } from "./instance.js";
import { disposeSimulated, mixtureMoments, simulate } from "./simulate.js";
import { num, tensor, type Value } from "./value.js";

export interface Posterior {
  readonly inst: ModelInstance;
  readonly result: SampleResult;
  readonly names: readonly string[];
  /** Per chain, per draw, the output scalars. */
  readonly outputs: readonly (readonly number[][])[];
}

export interface SampleSettings {
  readonly algorithm: "nuts" | "hmc";
  readonly draws: number;
  readonly chains: number;
  readonly warmup: number;
  readonly seed: number;
  readonly adaptDelta?: number;
  readonly maxDepth?: number;
  readonly stepSize?: number;
  readonly steps?: number;
}

/** Run NUTS/HMC on an instance. Point parameters (networks without priors) are refused. */
export async function samplePosterior(inst: ModelInstance, s: SampleSettings, span: Span): Promise<Posterior> {
  if (inst.points.size > 0) {
    const nets = [...inst.points.keys()].join(", ");
    throw new DlmError(`\`sample\` needs a prior on every parameter, but the network${inst.points.size > 1 ? "s" : ""} ${nets} ${inst.points.size > 1 ? "have" : "has"} parameters without one`, span,
      `add \`params(${[...inst.points.keys()][0]!}) ~ Normal(0, 1)\` in the model (or another prior), or fit point estimates with \`train\``);
  }
  const model = posteriorModel(inst);
  if (model.dim === 0) throw new DlmError("this model instance has no latent variables to sample", span, "give some arguments as `missing`, or add `~` statements for unknowns");
  const run = runSampler(model, {
    algorithm: s.algorithm,
    draws: s.draws,
    chains: s.chains,
    warmup: s.warmup,
    seed: s.seed,
    ...(s.adaptDelta !== undefined ? { adaptDelta: s.adaptDelta } : {}),
    ...(s.maxDepth !== undefined ? { maxDepth: s.maxDepth } : {}),
    ...(s.algorithm === "hmc" ? { hmc: { ...(s.stepSize !== undefined ? { stepSize: s.stepSize } : {}), ...(s.steps !== undefined ? { steps: s.steps } : {}) } } : {}),
  });
  let result: SampleResult;
  try {
    result = await run;
  } catch (e) {
    // The sampler's own messages (no finite initial point, bad settings) are the user's to read.
    if (e instanceof DlmError || !(e instanceof Error)) throw e;
    throw new DlmError(e.message, span);
  }
  const outputs = result.draws.map((d) =>
    tf.tidy(() => (result.nDraws === 0 ? [] : outputsOf(inst, tf.tensor2d(d, [result.nDraws, result.dim])))),
  );
  return { inst, result, names: outputNamesOf(inst), outputs };
}

/** The summary table and sampler warnings, as lines. */
export function summaryLines(p: Posterior): string[] {
  const chains = p.outputs.map((rows) => p.names.map((_, j) => Float64Array.from(rows, (r) => r[j]!)));
  const s = summarize({ names: p.names, chains, sampler: p.result.stats }, { maxDepth: 10 });
  return [...formatSummaryTable(s.rows).split("\n"), ...warnings(s)];
}

/** `predict(post, inst)`: per missing variable, exact mixture moments and the draws. */
export function predict(p: Posterior, inst: ModelInstance, seed: number): Value {
  const all = p.result.draws;
  const n = all.length * p.result.nDraws;
  if (n === 0) throw new DlmError("the posterior has no draws", undefined);
  const q = new Float32Array(n * p.result.dim);
  all.forEach((d, c) => q.set(d, c * d.length));
  const kept: Record<string, tf.Tensor> = tf.tidy(() => Object.fromEntries(constrainedLatents(p.inst, tf.tensor2d(q, [n, p.result.dim]))));
  const fixed = new Map(Object.entries(kept));
  const sims = simulate(inst, n, makeKey(seed), fixed, false);
  for (const t of fixed.values()) t.dispose();
  const fields = new Map<string, Value>();
  for (const [name, s] of sims) {
    const m = mixtureMoments(s);
    const f = new Map<string, Value>([
      ["mean", tensor(m.mean, false)],
      ["sd", tensor(tf.sqrt(m.variance), false)],
      ["draws", tensor(tf.clone(s.draws), false)],
      ["family", { kind: "str", v: s.family }],
      // Per-draw moments: the Normal predictive mixture is exact from them (loglik).
      ["__means", tensor(tf.clone(s.mean), false)],
      ["__variances", tensor(tf.clone(s.variance), false)],
    ]);
    m.variance.dispose();
    if (s.probs !== undefined) f.set("probs", tensor(tf.mean(s.probs, 0), false));
    f.set("ndraws", num(n));
    fields.set(name, { kind: "record", tag: "predictive distribution", fields: f });
  }
  disposeSimulated(sims);
  if (fields.size === 0) throw new DlmError("this instance has nothing to predict", undefined, "give the variable to predict as `missing`, e.g. `predict(post, model(xnew, missing))`");
  return { kind: "record", tag: "prediction", fields };
}
