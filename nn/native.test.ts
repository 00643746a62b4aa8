// A training step's losses with and without the native accelerator (core/kernels/native.ts),
// for a small CNN and an MLP: the accelerated kernels must not change what training computes.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tf, initEngine } from "../core/engine.js";
import { nativeStatus, withoutNative } from "../core/kernels/native.js";
import { det } from "../core/kernels/testing.js";
import { key } from "../core/random.js";
import { chain } from "./chain.js";
import { conv2d as convLayer } from "./conv2d.js";
import { dense } from "./dense.js";
import { flatten } from "./flatten.js";
import { valueAndGrads } from "./grad.js";
import { forward, initParams, type Layer } from "./layer.js";
import { crossentropy } from "./losses.js";
import { adam, disposeOptimiserState } from "./optimisers.js";
import { maxPool } from "./pool.js";
import { disposeParams, type ParamTree } from "./tree.js";

const BUILT = existsSync(new URL("../native/build/Release/dlm_native.node", import.meta.url).pathname) && process.env["DLM_NATIVE"] !== "0";

describe.runIf(BUILT)("native accelerator and training", () => {
  it("a CNN's and an MLP's training losses are the same with and without it", async () => {
    const nets: [Layer, number[]][] = [
      [chain(convLayer([5, 5], 1, 8, { activation: "relu" }), maxPool([2, 2]), flatten(), dense(12 * 12 * 8, 10)), [16, 28, 28, 1]],
      [chain(dense(64, 32, { activation: "relu" }), dense(32, 10)), [32, 64]],
    ];
    for (const [net, xShape] of nets) {
      const x = det(xShape, 3);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: xShape[0]! }, (_, i) => i % 10), "int32"), 10).toFloat());
      const init = initParams(net, key(5));
      const losses = (): number[] => {
        const opt = adam(0.01);
        let params: ParamTree = init;
        let state = opt.init(params);
        const out: number[] = [];
        for (let s = 0; s < 4; s++) {
          const next = tf.tidy(() => {
            const { value, grads } = valueAndGrads((p) => crossentropy(forward(net, p, x, { training: true }), y) as tf.Scalar, params);
            out.push(value.dataSync()[0]!);
            const r = opt.step(state, params, grads);
            return { params: r.params, count: r.state.count, slots: r.state.slots };
          });
          if (params !== init) disposeParams(params);
          disposeOptimiserState(state);
          params = next.params;
          state = { count: next.count, slots: next.slots };
        }
        disposeParams(params);
        disposeOptimiserState(state);
        return out;
      };
      await initEngine("wasm");
      expect(nativeStatus().loaded).toBe(true);
      const on = losses();
      const off = withoutNative("wasm", losses);
      on.forEach((l, i) => expect(Math.abs(l - off[i]!), `step ${i}: ${l} vs ${off[i]}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(l))));
      // The loss moved: the steps did train.
      expect(on[3]!).toBeLessThan(on[0]!);
      tf.dispose([x, y]);
      disposeParams(init);
    }
  });
});
