import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { fold, key, stream } from "../../core/random.js";
import { logDensityModel } from "../../core/model.js";
import { evaluate, hostGradient } from "./gradient.js";
import { hmc, nuts } from "./kernel.js";
import { unitMetric } from "./metric.js";
import { nutsTransition } from "./nuts.js";

const model = logDensityModel(3, (q) => tf.tidy(() => tf.mul(-0.5, tf.sum(tf.square(q), 1)) as tf.Tensor1D));

describe("kernels as (init, step) state machines", () => {
  it("step is pure: the input record is untouched and stepping it twice gives the same result", () => {
    const q = Float64Array.from([0.1, -0.4, 1, 2, 0, -1], Math.fround);
    const chain = { q, ...evaluate(model, q) };
    const metric = unitMetric("diag", 2, 3);
    const keys = [key(1), key(2)];
    const before = tf.memory().numTensors;
    for (const k of [nuts(hostGradient(model, 2), { maxDepth: 6 }), hmc(hostGradient(model, 2), { length: { kind: "steps", steps: 4 } })]) {
      const s0 = k.init(chain, metric, [0.4, 0.5], keys);
      const a = k.step(s0);
      const b = k.step(s0);
      expect(a.state.chain.q).not.toBe(b.state.chain.q); // records own their arrays
      expect(a.state.iteration).toBe(1);
      expect(Array.from(a.state.chain.q)).toEqual(Array.from(b.state.chain.q));
      expect(Array.from(a.state.chain.grad)).toEqual(Array.from(b.state.chain.grad));
      expect(a.info).toEqual(b.info);
      expect(Array.from(q)).toEqual([0.1, -0.4, 1, 2, 0, -1].map(Math.fround));
      expect(Array.from(chain.lp)).toEqual(Array.from(evaluate(model, q).lp));
      // a second step uses the next stream: transition i of chain c draws from stream(fold(keys[c], i))
      const c = k.step(a.state);
      expect(c.state.iteration).toBe(2);
      if (k.name === "nuts") {
        const direct = nutsTransition(hostGradient(model, 2), metric, a.state.chain, [0.4, 0.5], keys.map((kk) => stream(fold(kk, 1))), { maxDepth: 6 });
        expect(Array.from(direct.state.q)).toEqual(Array.from(c.state.chain.q));
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
