/**
 * Gradient clipping by value (`clipValue`, the language's `clip_value`), alone and with
 * `clipNorm` and weight decay in the order the optimisers' module comment gives:
 * value, then norm, then decay. Expected values are worked out by hand in the comments.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { callArgs } from "./args.js";
import { disposeOptimiserState, sgd, type Optimiser } from "./optimisers.js";
import { OPTIMISERS } from "./registry.js";
import { disposeParams, walkParams, type ParamTree } from "./tree.js";

/** One step of `opt` from θ with gradient g (plain vectors); the new θ. */
function step(opt: Optimiser, theta: number[], g: number[]): number[] {
  const p = tf.tensor1d(theta);
  const gt = tf.tensor1d(g);
  const state = opt.init(p);
  const next = opt.step(state, p, gt);
  const out = Array.from(next.params.dataSync());
  tf.dispose([p, gt, next.params]);
  disposeOptimiserState(state);
  disposeOptimiserState(next.state);
  return out;
}

const expectClose = (got: number[], want: number[]): void => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-6));
};

const make = (name: string, positional: unknown[] = [], keywords: Record<string, unknown> = {}): Optimiser => OPTIMISERS[name]!.make(callArgs(positional, keywords));

describe("clipping by value", () => {
  it("one SGD step clamps each element into [-c, c] and leaves small ones alone", () => {
    // g = (0.5, −3, 2) clamped to [−1, 1] → (0.5, −1, 1); θ − 0.5·g = (1 − 0.25, −2 + 0.5, 3 − 0.5)
    expectClose(step(sgd(0.5, { clipValue: 1 }), [1, -2, 3], [0.5, -3, 2]), [0.75, -1.5, 2.5]);
    // the same step built from the language's keyword
    expectClose(step(make("SGD", [0.5], { clip_value: 1 }), [1, -2, 3], [0.5, -3, 2]), [0.75, -1.5, 2.5]);
    // every element already inside: a plain step
    expectClose(step(sgd(0.5, { clipValue: 10 }), [1, -2, 3], [0.5, -3, 2]), [0.75, -0.5, 2]);
  });

  it("clamps every leaf of a parameter tree", () => {
    const params: ParamTree = { w: tf.tensor2d([[0, 0], [0, 0]]), layer: { b: tf.tensor1d([0, 0]) } };
    const grads: ParamTree = { w: tf.tensor2d([[4, -0.25], [-7, 1]]), layer: { b: tf.tensor1d([0.5, -2]) } };
    const opt = sgd(1, { clipValue: 0.5 });
    const state = opt.init(params);
    const next = opt.step(state, params, grads);
    // θ = 0 − clamp(g, ±0.5)
    const values = walkParams(next.params).map((e) => Array.from(e.tensor.dataSync()));
    expectClose(values.flat(), [-0.5, 0.25, 0.5, -0.5, -0.5, 0.5]);
    [params, grads, next.params].forEach((t) => disposeParams(t));
    disposeOptimiserState(state);
    disposeOptimiserState(next.state);
  });

  it("applies before clip_norm: the norm is that of the clamped gradient", () => {
    // g = (5, −4, 1) → clamp to [−2, 2]: (2, −2, 1), norm 3 → rescale to norm 1.5: (1, −1, 0.5).
    // The other order would give (5, −4, 1)·1.5/√42 ≈ (1.157, −0.926, 0.231), which the clamp keeps.
    const theta = [1, -2, 3];
    const g = [5, -4, 1];
    const want = [0, -1, 2.5];
    expectClose(step(sgd(1, { clipValue: 2, clipNorm: 1.5 }), theta, g), want);
    expectClose(step(make("Descent", [1], { clip_value: 2, clip_norm: 1.5 }), theta, g), want);
  });

  it("applies before coupled weight decay, which is not clipped", () => {
    // clipped (1, −1, 0.5) as above, then + 0.1·θ = (1.1, −1.2, 0.8); θ − g' = (−0.1, −0.8, 2.2)
    expectClose(step(sgd(1, { clipValue: 2, clipNorm: 1.5, weightDecay: 0.1 }), [1, -2, 3], [5, -4, 1]), [-0.1, -0.8, 2.2]);
    // a zero gradient and a large weight: the decay term 0.1·100 = 10 goes through whole
    expectClose(step(make("SGD", [1], { clip_value: 1, weight_decay: 0.1 }), [100], [0]), [90]);
  });

  it("leaves the tensor count flat over many steps", () => {
    const opt = sgd(0.1, { momentum: 0.9, clipValue: 0.5, clipNorm: 1, weightDecay: 1e-3 });
    let params: tf.Tensor = tf.tensor1d([1, -2, 3]);
    let state = opt.init(params);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const g = tf.tensor1d([3, -0.1, 0.7]);
      const next = opt.step(state, params, g);
      disposeOptimiserState(state);
      tf.dispose([params, g]);
      ({ params, state } = next);
    }
    expect(tf.memory().numTensors).toBe(before);
    params.dispose();
    disposeOptimiserState(state);
  });

  it("rejects a clip value that is not positive", () => {
    expect(() => sgd(0.1, { clipValue: 0 })).toThrow(/SGD: clip_value must be a positive number, got 0/);
    expect(() => sgd(0.1, { clipValue: -1 })).toThrow(RangeError);
  });
});

describe("the registry's clip_value keyword", () => {
  it("is accepted by every optimiser and reaches it", () => {
    for (const [name, entry] of Object.entries(OPTIMISERS)) {
      expect(entry.keywords).toContain("clip_value");
      expect(entry.keywords).toContain("clip_norm");
      expect(make(name, [], { clip_value: 0.5 }).name).toBeTypeOf("string");
      // a bad value throws only if the keyword was passed on to the optimiser
      expect(() => make(name, [], { clip_value: -1 })).toThrow(/clip_value must be a positive number, got -1/);
      expect(() => make(name, [], { clip_value: "big" })).toThrow(new RegExp(`${name}, argument 'clip_value': expected a number, got "big"`));
    }
  });

  it("changes the first step of the optimisers whose first step scales with the gradient", () => {
    // θ = 0, g = 4, clip 0.5: Descent −lr·0.5; Momentum (ρ = 0.9) v = g, −lr·0.5;
    // Nesterov −lr·(g + ρ·v) = −lr·1.9·0.5
    const cases: [string, number[], number][] = [
      ["Descent", [1], -0.5],
      ["SGD", [1], -0.5],
      ["Momentum", [1], -0.5],
      ["Nesterov", [1], -0.95],
    ];
    for (const [name, positional, want] of cases) expectClose(step(make(name, positional, { clip_value: 0.5 }), [0], [4]), [want]);
  });

  it("says which optimisers take it in their usage lines", () => {
    for (const name of ["SGD", "Adam", "AdamW", "AdaGrad"]) expect(OPTIMISERS[name]!.doc).toContain("clip_norm, clip_value");
  });
});
