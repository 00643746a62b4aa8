// Upsample against a float64 loop of the nearest-neighbour rule y[n, r, q, k] = x[n, ⌊r/sh⌋, ⌊q/sw⌋, k],
// its input gradient against central differences of that loop (each input pixel receives
// the sum over its sh×sw copies), the chain axis, and the cpu and wasm backends.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine, type BackendName } from "../core/engine.js";
import { lcg, maxRelDiff, onBackend } from "../core/kernels/testing.js";
import { key } from "../core/random.js";
import { callArgs } from "./args.js";
import { chain } from "./chain.js";
import { conv2d } from "./conv2d.js";
import { forward, initParams } from "./layer.js";
import { LAYERS } from "./registry.js";
import { mapParams, type ParamTree } from "./tree.js";
import { upsample } from "./upsample.js";

const startBackend = tf.getBackend() as BackendName;
afterAll(async () => {
  await initEngine(startBackend);
});

const vals = (n: number, seed: number): number[] => Array.from(lcg(n, seed));

function naive(x: readonly number[], [n, h, w, c]: readonly number[], sh: number, sw: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n!; i++)
    for (let r = 0; r < h! * sh; r++)
      for (let q = 0; q < w! * sw; q++)
        for (let k = 0; k < c!; k++) out.push(x[((i * h! + Math.floor(r / sh)) * w! + Math.floor(q / sw)) * c! + k]!);
  return out;
}

describe("Upsample", () => {
  for (const [scale, sh, sw] of [[2, 2, 2], [[3, 1], 3, 1], [[1, 2], 1, 2], [1, 1, 1]] as const) {
    it(`scale ${JSON.stringify(scale)}: shape and values match the float64 loop`, () => {
      const layer = upsample(scale);
      const shape = [2, 3, 4, 2];
      expect(layer.outputShape([3, 4, 2])).toEqual([3 * sh, 4 * sw, 2]);
      const x = vals(2 * 3 * 4 * 2, 1);
      const y = tf.tidy(() => forward(layer, {}, tf.tensor(x, shape)));
      expect(y.shape).toEqual([2, 3 * sh, 4 * sw, 2]);
      expect(Array.from(y.dataSync())).toEqual(naive(x, shape, sh, sw).map(Math.fround));
      y.dispose();
    });
  }

  it("input gradient matches central differences of the float64 loop", () => {
    const shape = [2, 2, 3, 2];
    const x = vals(24, 2);
    const r = vals(2 * 4 * 9 * 2, 3);
    const g = tf.tidy(() =>
      Array.from(tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(forward(upsample([2, 3]), {}, xt), tf.tensor(r, [2, 4, 9, 2]))))(tf.tensor(x, shape)).dataSync()),
    );
    const loss = (t: number[]): number => naive(t, shape, 2, 3).reduce((a, v, i) => a + v * r[i]!, 0);
    x.forEach((_, i) => {
      const [up, down] = [[...x], [...x]];
      up[i]! += 1e-6;
      down[i]! -= 1e-6;
      const fd = (loss(up) - loss(down)) / 2e-6;
      expect(Math.abs(g[i]! - fd)).toBeLessThan(1e-4 + 1e-3 * Math.abs(fd));
    });
  });

  it("carries a chain axis: [B, N, H, W, c] inputs, and after chain-batched convolutions", () => {
    tf.tidy(() => {
      const xs = tf.tensor(vals(3 * 2 * 2 * 3 * 2, 4), [3, 2, 2, 3, 2]);
      const y = forward(upsample(2), {}, xs, { inputBatched: true });
      expect(y.shape).toEqual([3, 2, 4, 6, 2]);
      for (let c = 0; c < 3; c++) {
        expect(maxRelDiff([tf.gather(y, c).dataSync() as Float32Array], [forward(upsample(2), {}, tf.gather(xs, c)).dataSync() as Float32Array])).toBe(0);
      }
      const net = chain(conv2d([3, 3], 2, 3, { pad: "same" }), upsample([2, 1]));
      expect(net.outputShape([2, 3, 2])).toEqual([4, 3, 3]);
      const p = initParams(net, key(5));
      const stacked = mapParams(p, (t) => tf.stack([t, tf.neg(t)]));
      const x = tf.gather(xs, 0);
      const yb = forward(net, stacked, x);
      expect(yb.shape).toEqual([2, 2, 4, 3, 3]);
      expect(maxRelDiff([tf.gather(yb, 0).dataSync() as Float32Array], [forward(net, p, x).dataSync() as Float32Array])).toBeLessThan(1e-6);
      // the chain-batched gradient flows through the rank-6 repeat
      const conv = stacked["1"] as ParamTree;
      const g = tf.grad((w: tf.Tensor) => tf.sum(tf.square(forward(net, { "1": { weight: w, bias: conv["bias"]! } }, x))))(conv["weight"] as tf.Tensor);
      expect(g.shape).toEqual([2, 3, 3, 2, 3]);
    });
  });

  it("describes itself and rejects what it cannot upsample", () => {
    expect(upsample(2).describe()).toBe("Upsample(2)");
    expect(upsample([2, 3]).describe()).toBe("Upsample((2, 3))");
    expect(() => upsample(0)).toThrow(/scale must be a positive integer/);
    expect(() => upsample(1.5)).toThrow(/positive integer/);
    expect(() => upsample(2).outputShape([4, 3])).toThrow(/expects images/);
    expect(() => forward(upsample(2), {}, tf.zeros([2, 4, 3]))).toThrow(/expects images \(N, height, width, channels\)/);
  });

  it("gives the same values and gradients on cpu and wasm", async () => {
    const f = (): tf.Tensor[] => {
      const x = tf.tensor(vals(2 * 3 * 2 * 3, 6), [2, 3, 2, 3]);
      const r = tf.tensor(vals(2 * 6 * 6 * 3, 7), [2, 6, 6, 3]);
      return [forward(upsample([2, 3]), {}, x), tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(forward(upsample([2, 3]), {}, xt), r)))(x)];
    };
    const [cpu, wasm] = [await onBackend("cpu", f), await onBackend("wasm", f)];
    expect(maxRelDiff(cpu, wasm)).toBeLessThan(1e-6);
  });

  it("is built by the registry entry Upsample, scale by position or keyword", () => {
    const entry = LAYERS["Upsample"]!;
    expect(entry.doc.startsWith("Upsample(scale)")).toBe(true);
    expect(entry.make(callArgs([2])).outputShape([3, 4, 1])).toEqual([6, 8, 1]);
    expect(entry.make(callArgs([], { scale: [2, 1] })).describe()).toBe("Upsample((2, 1))");
    expect(() => entry.make(callArgs())).toThrow(/Upsample needs a scale/);
    expect(() => entry.make(callArgs([2], { scale: 2 }))).toThrow("`Upsample` is given `scale` twice: by position and as `scale = …`");
    expect(() => entry.make(callArgs([0]))).toThrow(/Upsample, argument 'scale': expected a size/);
  });

  it("leaves no tensors behind after forward and gradient in tf.tidy", () => {
    const x = tf.tensor(vals(2 * 3 * 2 * 3, 8), [2, 3, 2, 3]);
    const step = (): void => {
      tf.dispose(tf.tidy(() => tf.grad((xt: tf.Tensor) => tf.sum(tf.square(forward(upsample(2), {}, xt))))(x)));
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
