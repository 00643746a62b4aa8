import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { fold, key, stream } from "../../core/random.js";
import { logDensityModel } from "../../core/model.js";
import { evaluate, hostGradient } from "./gradient.js";
import { unitMetric } from "./metric.js";
import { initStepSize, StepSizeError } from "./stepsize.js";

const gaussian = (sd: number) =>
  logDensityModel(2, (q) => tf.tidy(() => tf.mul(-0.5 / (sd * sd), tf.sum(tf.square(q), 1)) as tf.Tensor1D));

function stateAt(model: ReturnType<typeof gaussian>, rows: number[][]) {
  const q = Float64Array.from(rows.flat(), Math.fround);
  return { q, ...evaluate(model, q) };
}

describe("initial step-size heuristic", () => {
  it("scales with the target: a Gaussian 64 times wider gets a 64 times larger ε from the same momenta", () => {
    // In coordinates q/σ the leapfrog with ε/σ is the same map, so starting from ε = σ every accept decision and
    // hence the number of doublings/halvings is the same (64 = 2^6 keeps float32 rounding exact).
    const C = 6;
    const k = key(9);
    const rows = Array.from({ length: C }, (_, c) => [0.3 * c - 0.8, 1 - 0.25 * c]);
    const eps: number[][] = [];
    for (const sd of [1, 64]) {
      const model = gaussian(sd);
      const metric = unitMetric("diag", C, 2);
      const state = stateAt(model, rows.map((r) => r.map((x) => x * sd)));
      eps.push(initStepSize(hostGradient(model, C), metric, state, new Array(C).fill(sd), Array.from({ length: C }, (_, c) => stream(fold(k, c)))));
    }
    eps[0]!.forEach((e, c) => {
      expect(eps[1]![c]).toBe(64 * e);
      // a one-step acceptance of 0.8 on a standard normal needs ε of order 1
      expect(e).toBeGreaterThanOrEqual(0.125);
      expect(e).toBeLessThanOrEqual(4);
    });
    // the chains' momenta differ, so the heuristic does not return one value for all
    expect(new Set(eps[0]).size).toBeGreaterThan(1);
  });

  it("raises 'posterior is improper' for a flat density", () => {
    const flat = logDensityModel(3, (q) => tf.tidy(() => tf.mul(0, tf.sum(q, 1)) as tf.Tensor1D));
    const metric = unitMetric("diag", 2, 3);
    const q = new Float64Array(2 * 3);
    const state = { q, ...evaluate(flat, q) };
    const before = tf.memory().numTensors;
    expect(() => initStepSize(hostGradient(flat, 2), metric, state, [1, 1], [stream(key(1)), stream(key(2))])).toThrow(StepSizeError);
    expect(() => initStepSize(hostGradient(flat, 2), metric, state, [1, 1], [stream(key(1)), stream(key(2))])).toThrow(/posterior is improper/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
