// AdaGrad (Duchi et al. 2011): v ← v + g², θ ← θ − η g / (√v + ε), from v = 0.
// Expected values computed offline in float64 with numpy from that rule.
import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { callArgs } from "./args.js";
import { adagrad, disposeOptimiserState, type Optimiser } from "./optimisers.js";
import { OPTIMISERS } from "./registry.js";

/** Run `opt` from θ = [1, −2] over the given gradients; return θ and the slot v. */
function run(opt: Optimiser, grads: number[][]): { theta: number[]; v: number[] } {
  let params: tf.Tensor = tf.tensor1d([1, -2]);
  let state = opt.init(params);
  for (const g of grads) {
    const gt = tf.tensor1d(g);
    const next = opt.step(state, params, gt);
    disposeOptimiserState(state);
    params.dispose();
    gt.dispose();
    ({ params, state } = next);
  }
  const theta = Array.from(params.dataSync());
  const v = Array.from((state.slots["v"] as tf.Tensor).dataSync());
  params.dispose();
  disposeOptimiserState(state);
  return { theta, v };
}

const close = (got: number[], want: number[], tol = 2e-6): void => got.forEach((x, i) => expect(Math.abs(x - want[i]!)).toBeLessThanOrEqual(tol));

describe("AdaGrad against hand computation", () => {
  it("one step: v = g², so each coordinate moves by η·sign(g) (up to ε)", () => {
    // g = (0.5, −3): v = (0.25, 9), θ − 0.1·(0.5/0.5, −3/3) = (0.9, −1.9)
    const { theta, v } = run(adagrad(0.1), [[0.5, -3]]);
    close(theta, [0.900000002, -1.9000000003333333]);
    close(v, [0.25, 9]);
  });

  it("two and three steps accumulate the squares", () => {
    // step 2, g = (1, 1): v = (1.25, 10), θ = (0.9 − 0.1/√1.25, −1.9 − 0.1/√10)
    const two = run(adagrad(0.1), [[0.5, -3], [1, 1]]);
    close(two.theta, [0.8105572837000083, -1.9316227768350172]);
    close(two.v, [1.25, 10]);
    close(run(adagrad(0.1), [[0.5, -3], [1, 1], [-2, 0.5]]).theta, [0.8978444394134529, -1.9472401529750973]);
  });

  it("coupled weight decay adds λθ to the gradient first", () => {
    // g + 0.1·θ = (0.6, −3.2)
    const { theta, v } = run(adagrad(0.1, { weightDecay: 0.1 }), [[0.5, -3]]);
    close(theta, [0.9000000016666666, -1.9000000003125]);
    close(v, [0.36, 10.24], 1e-5);
  });

  it("ε keeps a zero gradient from moving anything", () => {
    close(run(adagrad(0.1), [[0, 0], [0, 0]]).theta, [1, -2], 0);
  });

  it("is in the registry with Flux's defaults", () => {
    const entry = OPTIMISERS["AdaGrad"]!;
    expect(entry.doc.startsWith("AdaGrad(lr = 0.1; eps = 1e-8")).toBe(true);
    expect(entry.make(callArgs()).describe()).toBe("AdaGrad(0.1)");
    const opt = entry.make(callArgs([0.01], { eps: 1e-6, clip_norm: 1 }));
    expect(opt.name).toBe("AdaGrad");
    expect(opt.describe()).toBe("AdaGrad(0.01)");
    expect(() => entry.make(callArgs([], { rho: 0.9 }))).toThrow("`AdaGrad` has no keyword argument `rho`");
  });
});
