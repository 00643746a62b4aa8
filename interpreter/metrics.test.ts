/**
 * Predictive summaries and metrics from fixed posterior draws (no sampling), against
 * closed forms worked out in the comments.
 */
import { describe, expect, it } from "vitest";
import { builtinValues } from "./builtins.js";
import { predictiveBuiltins } from "./metrics.js";
import { predict, type Posterior } from "./posterior.js";
import { compile, modelInstance } from "./program.js";
import type { SampleResult } from "../inference/mcmc/index.js";
import { num, tensor, type Value } from "./value.js";
import { tf } from "../core/engine.js";

const SPAN = { start: 0, end: 0 };
const fns = new Map(predictiveBuiltins(builtinValues()).map((b) => [b.name, b]));
const call = (name: string, ...args: Value[]): Value => fns.get(name)!.call(args, new Map(), SPAN);
function fieldOf(v: Value, k: string): Value {
  if (v.kind !== "record") throw new Error(`not a record: ${v.kind}`);
  return v.fields.get(k)!;
}

/** A posterior with the given unconstrained draws (one chain). */
function fakePosterior(src: string, name: string, data: Record<string, number[]>, draws: number[][]): Posterior {
  const inst = modelInstance(compile(src), name, data);
  const result = { draws: [Float32Array.from(draws.flat())], nDraws: draws.length, dim: draws[0]!.length } as unknown as SampleResult;
  return { inst, result, names: [], outputs: [] };
}

describe("predictive metrics", () => {
  it("classifier: mixture probabilities, loglik and accuracy", () => {
    const src = "model c(x, y) {\n  b ~ Normal(0, 1)\n  y ~ Bernoulli(logit = b * x)\n}";
    const post = fakePosterior(src, "c", { x: [1, -1], y: [1, 0] }, [[0], [1]]);
    const pred = predict(post, modelInstance(compile(src), "c", { x: [1, -1] }), 1);
    const y = fieldOf(pred, "y");
    // P(y = 1) per draw: b = 0 → (0.5, 0.5); b = 1 → (σ(1), σ(−1)); mixture p1 = (0.61553, 0.38447).
    const p1 = 0.5 * (0.5 + 1 / (1 + Math.exp(-1)));
    const probs = (call("probs", y) as { t: tf.Tensor }).t.arraySync() as number[][];
    expect(probs[0]![1]).toBeCloseTo(p1, 5);
    expect(probs[1]![1]).toBeCloseTo(1 - p1, 5);
    expect((call("loglik", y, tensor(tf.tensor1d([1, 0]), false)) as { v: number }).v).toBeCloseTo(Math.log(p1), 5);
    expect((call("mean", y) as { t: tf.Tensor }).t.arraySync()).toEqual([expect.closeTo(p1, 5), expect.closeTo(1 - p1, 5)]);
  });

  it("Normal: loglik is the log of the mixture density over draws", () => {
    const src = "model m(y) {\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 2)\n}";
    const post = fakePosterior(src, "m", { y: [0.5] }, [[0], [1], [2], [3]]);
    const pred = predict(post, modelInstance(compile(src), "m", {}), 1);
    const y = fieldOf(pred, "y");
    const dens = [0, 1, 2, 3].map((mu) => Math.exp(-0.5 * ((1 - mu) / 2) ** 2) / (2 * Math.sqrt(2 * Math.PI)));
    const expected = Math.log(dens.reduce((a, b) => a + b, 0) / 4);
    expect((call("loglik", y, num(1)) as { v: number }).v).toBeCloseTo(expected, 5);
    // sd of the mixture: sqrt(4 + var_pop(0..3)) = sqrt(5.25)
    expect((call("sd", y) as { t: tf.Tensor }).t.dataSync()[0]).toBeCloseTo(Math.sqrt(5.25), 5);
    // quantile(_, 0) and quantile(_, 1) are the smallest and largest predictive draws.
    const draws = Array.from((fieldOf(y, "draws") as { t: tf.Tensor }).t.dataSync());
    expect((call("quantile", y, num(0)) as { t: tf.Tensor }).t.dataSync()[0]).toBeCloseTo(Math.min(...draws), 6);
    expect((call("quantile", y, num(1)) as { t: tf.Tensor }).t.dataSync()[0]).toBeCloseTo(Math.max(...draws), 6);
  });
});
