// GlobalMeanPool and GlobalMaxPool against float64 loops over every spatial position, their
// input gradients against central differences of those loops, the chain axis, and the cpu and
// wasm backends against each other.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine, type BackendName } from "../core/engine.js";
import { centralDiffs, lcg, maxRelDiff, onBackend } from "../core/kernels/testing.js";
import { key } from "../core/random.js";
import { callArgs } from "./args.js";
import { chain } from "./chain.js";
import { conv2d } from "./conv2d.js";
import { dense } from "./dense.js";
import { globalMaxPool, globalMeanPool } from "./global-pool.js";
import { forward, initParams } from "./layer.js";
import { LAYERS } from "./registry.js";
import { mapParams } from "./tree.js";

const startBackend = tf.getBackend() as BackendName;
afterAll(async () => {
  await initEngine(startBackend);
});

const vals = (n: number, seed: number): number[] => Array.from(lcg(n, seed));
const size = (s: readonly number[]): number => s.reduce((a, v) => a * v, 1);

/** Pool `x` `[n, ...spatial, c]` (row-major) over its spatial positions: `[n, c]`. */
function naive(x: readonly number[], shape: readonly number[], op: "mean" | "max"): number[] {
  const [n, c] = [shape[0]!, shape.at(-1)!];
  const positions = size(shape.slice(1, -1));
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    for (let k = 0; k < c; k++) {
      const v = Array.from({ length: positions }, (_, p) => x[(i * positions + p) * c + k]!);
      out.push(op === "max" ? Math.max(...v) : v.reduce((a, b) => a + b, 0) / positions);
    }
  return out;
}


const layers = { mean: globalMeanPool, max: globalMaxPool } as const;

describe("GlobalMeanPool and GlobalMaxPool", () => {
  for (const op of ["mean", "max"] as const) {
    for (const shape of [[3, 7, 2], [2, 4, 5, 3], [2, 3, 2, 4, 2]]) {
      it(`${op} over ${shape.length - 2} spatial axes: shape and values match the float64 loop`, () => {
        const layer = layers[op]();
        expect(layer.outputShape(shape.slice(1))).toEqual([shape.at(-1)]);
        const x = vals(size(shape), shape.length);
        const y = tf.tidy(() => forward(layer, {}, tf.tensor(x, shape)));
        expect(y.shape).toEqual([shape[0], shape.at(-1)]);
        const ref = naive(x, shape, op);
        Array.from(y.dataSync()).forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-6));
        y.dispose();
      });
    }

    it(`${op}: input gradient matches central differences of the float64 loop`, () => {
      const shape = [2, 3, 4, 3];
      const x = vals(size(shape), 11);
      const r = vals(2 * 3, 12);
      const g = tf.tidy(() =>
        Array.from(tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(forward(layers[op](), {}, xt), tf.tensor(r, [2, 3]))))(tf.tensor(x, shape)).dataSync()),
      );
      const fd = centralDiffs(x, (t) => naive(t, shape, op).reduce((a, v, i) => a + v * r[i]!, 0));
      fd.forEach((v, i) => expect(Math.abs(g[i]! - v)).toBeLessThan(1e-4 + 1e-3 * Math.abs(v)));
    });

    it(`${op}: keeps a chain axis, [B, N, H, W, c] → [B, N, c]`, () => {
      tf.tidy(() => {
        const xs = tf.tensor(vals(3 * 2 * 4 * 5 * 2, 13), [3, 2, 4, 5, 2]);
        const y = forward(layers[op](), {}, xs, { inputBatched: true });
        expect(y.shape).toEqual([3, 2, 2]);
        for (let c = 0; c < 3; c++) {
          expect(maxRelDiff([tf.gather(y, c).dataSync() as Float32Array], [forward(layers[op](), {}, tf.gather(xs, c)).dataSync() as Float32Array])).toBe(0);
        }
      });
    });
  }

  it("ends a CNN ahead of a Dense layer, with chain-batched parameters", () => {
    const cnn = chain(conv2d([3, 3], 1, 4, { pad: "same", activation: "relu" }), globalMeanPool(), dense(4, 2));
    expect(cnn.outputShape([6, 5, 1])).toEqual([2]);
    tf.tidy(() => {
      const p = initParams(cnn, key(1));
      const x = tf.tensor(vals(3 * 6 * 5, 14), [3, 6, 5, 1]);
      expect(forward(cnn, p, x).shape).toEqual([3, 2]);
      const stacked = mapParams(p, (t) => tf.stack([t, tf.mul(t, 0.5)]));
      const y = forward(cnn, stacked, x);
      expect(y.shape).toEqual([2, 3, 2]);
      expect(maxRelDiff([tf.gather(y, 0).dataSync() as Float32Array], [forward(cnn, p, x).dataSync() as Float32Array])).toBeLessThan(1e-6);
    });
  });

  it("describes itself and rejects inputs without a spatial axis", () => {
    expect(globalMeanPool().describe()).toBe("GlobalMeanPool()");
    expect(globalMaxPool().describe()).toBe("GlobalMaxPool()");
    expect(() => globalMeanPool().outputShape([5])).toThrow(/with a spatial axis/);
    expect(() => forward(globalMaxPool(), {}, tf.zeros([4, 5]))).toThrow(/with a spatial axis/);
  });

  it("gives the same values and gradients on cpu and wasm", async () => {
    const f = (): tf.Tensor[] => {
      const x = tf.tensor(vals(2 * 3 * 4 * 3, 20), [2, 3, 4, 3]);
      const loss = (xt: tf.Tensor): tf.Tensor =>
        tf.add(tf.sum(tf.square(forward(globalMeanPool(), {}, xt))), tf.sum(tf.square(forward(globalMaxPool(), {}, xt))));
      return [forward(globalMeanPool(), {}, x), forward(globalMaxPool(), {}, x), tf.grad(loss)(x)];
    };
    const [cpu, wasm] = [await onBackend("cpu", f), await onBackend("wasm", f)];
    expect(maxRelDiff(cpu, wasm)).toBeLessThan(1e-6);
  });

  it("is built by the registry entries GlobalMeanPool and GlobalMaxPool", () => {
    for (const name of ["GlobalMeanPool", "GlobalMaxPool"]) {
      const entry = LAYERS[name]!;
      expect(entry.doc.startsWith(`${name}()`)).toBe(true);
      expect(entry.make(callArgs()).describe()).toBe(`${name}()`);
      expect(entry.make(callArgs()).outputShape([5, 6, 7])).toEqual([7]);
      expect(() => entry.make(callArgs([2]))).toThrow(/^`GlobalM\w+Pool` takes no positional arguments, but 1 was given$/);
    }
  });

  it("leaves no tensors behind after forward and gradient in tf.tidy", () => {
    const x = tf.tensor(vals(2 * 3 * 4 * 3, 21), [2, 3, 4, 3]);
    const step = (): void => {
      tf.dispose(tf.tidy(() => tf.grad((xt: tf.Tensor) => tf.add(tf.sum(forward(globalMeanPool(), {}, xt)), tf.sum(forward(globalMaxPool(), {}, xt))))(x)));
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
