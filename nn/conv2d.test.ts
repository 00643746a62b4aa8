import { afterAll, describe, expect, it } from "vitest";
import { initEngine, tf } from "../core/engine.js";
import { key, normalArray, split } from "../core/random.js";
import { chain } from "./chain.js";
import { conv2d } from "./conv2d.js";
import { flatten } from "./flatten.js";
import { forward, initParams } from "./layer.js";
import { dense } from "./dense.js";
import { maxPool, meanPool } from "./pool.js";
import type { Padding } from "./padding.js";
import { mapParams, paramCount, walkParams, type ParamTree } from "./tree.js";

type Img = number[][][][]; // [n][h][w][c]

/** Reference cross-correlation in float64 with explicit zero padding (top/left = pt/pl). */
function naiveConv(x: Img, w: number[][][][], b: number[], stride: number, pt: number, pl: number, ho: number, wo: number): Img {
  const [kh, kw, cin, cout] = [w.length, w[0]!.length, w[0]![0]!.length, w[0]![0]![0]!.length];
  const h = x[0]!.length;
  const wd = x[0]![0]!.length;
  return x.map((img) =>
    Array.from({ length: ho }, (_, r) =>
      Array.from({ length: wo }, (_, c) =>
        Array.from({ length: cout }, (_, o) => {
          let s = b[o]!;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const rr = r * stride + i - pt;
              const cc = c * stride + j - pl;
              if (rr < 0 || cc < 0 || rr >= h || cc >= wd) continue;
              for (let k = 0; k < cin; k++) s += img[rr]![cc]![k]! * w[i]![j]![k]![o]!;
            }
          return s;
        }),
      ),
    ),
  );
}

function naivePool(x: Img, k: number, stride: number, op: "max" | "mean"): Img {
  const ho = Math.floor((x[0]!.length - k) / stride) + 1;
  const wo = Math.floor((x[0]![0]!.length - k) / stride) + 1;
  return x.map((img) =>
    Array.from({ length: ho }, (_, r) =>
      Array.from({ length: wo }, (_, c) =>
        img[0]![0]!.map((_, ch) => {
          const vals: number[] = [];
          for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) vals.push(img[r * stride + i]![c * stride + j]![ch]!);
          return op === "max" ? Math.max(...vals) : vals.reduce((a, v) => a + v, 0) / vals.length;
        }),
      ),
    ),
  );
}

function randomTensor(seed: number, shape: number[]): tf.Tensor {
  return tf.tensor(normalArray(key(seed), shape.reduce((a, b) => a * b, 1)), shape);
}

function maxDiff(a: number[] | number, b: number[] | number): number {
  const fa = [a].flat(5) as number[];
  const fb = [b].flat(5) as number[];
  expect(fa.length).toBe(fb.length);
  return Math.max(...fa.map((v, i) => Math.abs(v - fb[i]!)));
}

describe("Conv2D against a naive loop", () => {
  const cases = [
    { name: "3x3 valid, stride 1", k: [3, 3] as const, stride: 1, pad: "valid" as const, pads: [0, 0], out: [4, 5] },
    // 'same', stride 2 on 6x7 (TensorFlow's rule): height out ⌈6/2⌉ = 3, total padding
    // max(2·2 + 3 − 6, 0) = 1, all of it at the bottom; width out ⌈7/2⌉ = 4, total
    // max(3·2 + 2 − 7, 0) = 1, at the right. So no padding before either axis.
    { name: "3x2 same, stride 2", k: [3, 2] as const, stride: 2, pad: "same" as const, pads: [0, 0], out: [3, 4] },
    { name: "3x3 same, stride 1", k: [3, 3] as const, stride: 1, pad: "same" as const, pads: [1, 1], out: [6, 7] },
    { name: "2x2 pad 1, stride 1", k: [2, 2] as const, stride: 1, pad: 1, pads: [1, 1], out: [7, 8] },
    // A non-square kernel with a numeric pad: tf.conv2d would pad both axes by the kernel height's rule.
    { name: "3x2 pad 1, stride 1", k: [3, 2] as const, stride: 1, pad: 1, pads: [1, 1], out: [6, 8] },
  ];
  for (const cs of cases) {
    it(cs.name, () => {
      const layer = conv2d(cs.k, 3, 4, { stride: cs.stride, pad: cs.pad, activation: "identity" });
      const p = initParams(layer, key(3));
      const b = tf.tensor1d([0.1, -0.2, 0.3, 0]);
      const params: ParamTree = { weight: p["weight"]!, bias: b };
      const x = randomTensor(4, [2, 6, 7, 3]);
      const y = forward(layer, params, x);
      expect(y.shape).toEqual([2, cs.out[0], cs.out[1], 4]);
      expect(layer.outputShape([6, 7, 3])).toEqual([cs.out[0], cs.out[1], 4]);
      const ref = naiveConv(x.arraySync() as Img, (p["weight"] as tf.Tensor).arraySync() as number[][][][], [0.1, -0.2, 0.3, 0], cs.stride, cs.pads[0]!, cs.pads[1]!, cs.out[0]!, cs.out[1]!);
      expect(maxDiff(y.arraySync() as number[], ref as unknown as number[])).toBeLessThan(1e-4);
    });
  }

  it("chain-batched kernels [C, kh, kw, cin, cout] equal C separate convolutions, for shared and per-chain inputs", () => {
    const C = 3;
    const layer = conv2d([3, 3], 2, 3, { stride: 2, pad: "same", activation: "relu" });
    const per = split(key(8), C).map((k) => mapParams(initParams(layer, k), (t) => tf.add(t, 0.05)));
    const stacked = mapParams(per[0]!, (_t, path) => tf.stack(per.map((p) => p[path[0]!] as tf.Tensor)));
    const x = randomTensor(9, [2, 5, 5, 2]);
    const y = forward(layer, stacked, x);
    expect(y.shape).toEqual([C, 2, 3, 3, 3]);
    per.forEach((p, c) => expect(maxDiff(tf.gather(y, c).arraySync() as number[], forward(layer, p, x).arraySync() as number[])).toBeLessThan(1e-5));
    const xs = randomTensor(10, [C, 2, 5, 5, 2]);
    const ys = forward(layer, stacked, xs, { inputBatched: true });
    per.forEach((p, c) =>
      expect(maxDiff(tf.gather(ys, c).arraySync() as number[], forward(layer, p, tf.gather(xs, c)).arraySync() as number[])).toBeLessThan(1e-5),
    );
  });

  it("the kernel gradient matches central differences of the float64 reference", () => {
    const layer = conv2d([2, 2], 1, 2, { stride: 1 });
    const p = initParams(layer, key(12));
    const x = randomTensor(13, [1, 3, 3, 1]);
    const xs = x.arraySync() as Img;
    const w = p["weight"] as tf.Tensor;
    const g = tf.grad((wt: tf.Tensor) => tf.sum(tf.square(forward(layer, { weight: wt, bias: p["bias"]! }, x))))(w).dataSync();
    const flat = Array.from(w.dataSync());
    const loss = (theta: number[]): number => {
      const w4 = [0, 1].map((i) => [0, 1].map((j) => [[0, 1].map((o) => theta[(i * 2 + j) * 2 + o]!)]));
      return (naiveConv(xs, w4, [0, 0], 1, 0, 0, 2, 2).flat(3) as number[]).reduce((a, v) => a + v * v, 0);
    };
    flat.forEach((_, i) => {
      const [up, down] = [[...flat], [...flat]];
      up[i]! += 1e-6;
      down[i]! -= 1e-6;
      const fd = (loss(up) - loss(down)) / 2e-6;
      expect(Math.abs(g[i]! - fd)).toBeLessThan(1e-4 + 1e-3 * Math.abs(fd));
    });
  });
});

describe("pooling and flattening", () => {
  const x = randomTensor(5, [2, 6, 4, 3]);
  it("MaxPool((2, 2)) and MeanPool((3, 3); stride = 1) match the naive loop", () => {
    const xs = x.arraySync() as Img;
    const y = forward(maxPool([2, 2]), {}, x);
    expect(y.shape).toEqual([2, 3, 2, 3]);
    expect(maxDiff(y.arraySync() as number[], naivePool(xs, 2, 2, "max") as unknown as number[])).toBeLessThan(1e-6);
    const m = forward(meanPool([3, 3], { stride: 1 }), {}, x);
    expect(m.shape).toEqual([2, 4, 2, 3]);
    expect(maxDiff(m.arraySync() as number[], naivePool(xs, 3, 1, "mean") as unknown as number[])).toBeLessThan(1e-5);
  });

  it("a small CNN has the right shapes, batched or not", () => {
    const cnn = chain(conv2d([3, 3], 1, 4, { pad: "same", activation: "relu" }), maxPool([2, 2]), flatten(), dense(4 * 4 * 4, 3));
    expect(cnn.outputShape([8, 8, 1])).toEqual([3]);
    const p = initParams(cnn, key(1));
    expect(paramCount(p)).toBe(3 * 3 * 1 * 4 + 4 + 64 * 3 + 3);
    expect(walkParams(p, "net").map((e) => e.name)).toEqual(["net[1].weight", "net[1].bias", "net[4].weight", "net[4].bias"]);
    const img = randomTensor(6, [5, 8, 8, 1]);
    expect(forward(cnn, p, img).shape).toEqual([5, 3]);
    const stacked = mapParams(p, (t) => tf.stack([t, tf.mul(t, 0.5)]));
    const y = forward(cnn, stacked, img);
    expect(y.shape).toEqual([2, 5, 3]);
    expect(maxDiff(tf.gather(y, 0).arraySync() as number[], forward(cnn, p, img).arraySync() as number[])).toBeLessThan(1e-5);
  });
});

// A weight without chain axis goes through tf.conv2d; with one, through im2col and a batched
// product. Both must compute the same function and the same gradients, on every backend.
describe("Conv2D: the tf.conv2d and im2col paths agree", () => {
  afterAll(async () => {
    await initEngine();
  });

  const cases: { k: [number, number]; cin: number; cout: number; stride: number; pad: Padding; act: string }[] = [
    { k: [3, 3], cin: 3, cout: 4, stride: 1, pad: "valid", act: "identity" },
    { k: [3, 2], cin: 2, cout: 3, stride: 2, pad: "same", act: "relu" },
    { k: [2, 2], cin: 1, cout: 2, stride: 1, pad: 1, act: "tanh" },
    { k: [5, 5], cin: 2, cout: 3, stride: 2, pad: "valid", act: "relu" },
  ];
  /** max |a − b| relative to the largest |b| (at least 1). */
  const relDiff = (a: tf.Tensor, b: tf.Tensor): number => {
    expect(a.shape).toEqual(b.shape);
    const [fa, fb] = [a.dataSync(), b.dataSync()];
    const scale = Math.max(1, ...Array.from(fb, Math.abs));
    return Math.max(0, ...Array.from(fa, (v, i) => Math.abs(v - fb[i]!))) / scale;
  };

  for (const backend of ["wasm", "cpu"] as const) {
    for (const cs of cases) {
      it(`${backend}: ${cs.k.join("x")}, stride ${cs.stride}, pad ${String(cs.pad)}, ${cs.act}: values and gradients of weight, bias and input`, async () => {
        await initEngine(backend);
        tf.tidy(() => {
          const layer = conv2d(cs.k, cs.cin, cs.cout, { stride: cs.stride, pad: cs.pad, activation: cs.act });
          const w = initParams(layer, key(21))["weight"] as tf.Tensor;
          const b = randomTensor(22, [cs.cout]);
          const x = randomTensor(23, [2, 7, 6, cs.cin]);
          const outShape = [2, ...layer.outputShape([7, 6, cs.cin])];
          const r = randomTensor(24, outShape);
          // direct: plain weight; im2col: the same weight and bias with a chain axis of one
          const direct = (wt: tf.Tensor, bt: tf.Tensor, xt: tf.Tensor): tf.Tensor => forward(layer, { weight: wt, bias: bt }, xt);
          const im2col = (wt: tf.Tensor, bt: tf.Tensor, xt: tf.Tensor): tf.Tensor =>
            tf.reshape(forward(layer, { weight: tf.expandDims(wt, 0), bias: tf.expandDims(bt, 0) }, xt), outShape);
          const [yd, yi] = [direct(w, b, x), im2col(w, b, x)];
          expect(yd.shape).toEqual(outShape);
          expect(relDiff(yi, yd)).toBeLessThan(1e-5);
          const gradsOf = (f: typeof direct): tf.Tensor[] => tf.grads((wt: tf.Tensor, bt: tf.Tensor, xt: tf.Tensor) => tf.sum(tf.mul(f(wt, bt, xt), r)))([w, b, x]);
          const [gd, gi] = [gradsOf(direct), gradsOf(im2col)];
          gd.forEach((g, i) => expect(relDiff(gi[i]!, g)).toBeLessThan(1e-5));
        });
      });
    }

    it(`${backend}: chain-batched weights (im2col) have the gradients of per-chain plain weights (tf.conv2d)`, async () => {
      await initEngine(backend);
      tf.tidy(() => {
        const C = 2;
        const layer = conv2d([3, 3], 2, 3, { stride: 2, pad: "same", activation: "relu" });
        const per = split(key(25), C).map((k, c) => ({ weight: initParams(layer, k)["weight"] as tf.Tensor, bias: randomTensor(26 + c, [3]) }));
        const ws = tf.stack(per.map((p) => p.weight));
        const bs = tf.stack(per.map((p) => p.bias));
        const x = randomTensor(28, [2, 5, 5, 2]);
        const r = randomTensor(29, [C, 2, 3, 3, 3]);
        const [gw, gb] = tf.grads((wt: tf.Tensor, bt: tf.Tensor) => tf.sum(tf.mul(forward(layer, { weight: wt, bias: bt }, x), r)))([ws, bs]);
        per.forEach((p, c) => {
          const rc = tf.gather(r, c);
          const [dw, db] = tf.grads((wt: tf.Tensor, bt: tf.Tensor) => tf.sum(tf.mul(forward(layer, { weight: wt, bias: bt }, x), rc)))([p.weight, p.bias]);
          expect(relDiff(tf.gather(gw!, c), dw!)).toBeLessThan(1e-5);
          expect(relDiff(tf.gather(gb!, c), db!)).toBeLessThan(1e-5);
        });
      });
    });

    it(`${backend}: a weight without chain axis trains through the convolution kernels, not im2col`, async () => {
      await initEngine(backend);
      const layer = conv2d([3, 3], 2, 4, { activation: "relu" });
      const p = initParams(layer, key(30));
      const x = randomTensor(31, [2, 6, 6, 2]);
      const info = await tf.profile(() => {
        tf.dispose(tf.grads((wt: tf.Tensor, xt: tf.Tensor) => tf.sum(forward(layer, { weight: wt, bias: p["bias"]! }, xt)))([p["weight"] as tf.Tensor, x]));
      });
      const names = new Set(info.kernels.map((k) => k.name));
      for (const name of ["Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput"]) expect(names).toContain(name);
      for (const name of ["Concat", "SplitV", "Slice"]) expect(names).not.toContain(name);
    });
  }
});
