import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { layout, unflatten } from "../core/flatten.js";
import { key, split } from "../core/random.js";
import { tanh } from "./activations.js";
import { block } from "./block.js";
import { chain } from "./chain.js";
import { dense } from "./dense.js";
import { valueAndGrads } from "./grad.js";
import { forward, inferBatched, initParams, paramShapes, ShapeError } from "./layer.js";
import { layerNorm } from "./layer-norm.js";
import { mse } from "./losses.js";
import { paramBlocks, treeFromNamed } from "./sites.js";
import { skipConnection } from "./skip.js";
import { disposeParams, mapParams, paramCount, parseParamName, walkParams, type ParamTree } from "./tree.js";

const t2 = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows);

describe("Dense and Chain forward", () => {
  // Hand computation: x W = [[1+4, -1, 0.5-2], [-1+1, 1, -0.5-0.5]] = [[5, -1, -1.5], [0, 1, -1]];
  // + b = [[5.1, -0.8, -1.8], [0.1, 1.2, -1.3]]; relu → [[5.1, 0, 0], [0.1, 1.2, 0]];
  // second layer: [5.1·1 + 0.5, 0.1 + 1.2·2 + 0.5] = [5.6, 3.0].
  const params: ParamTree = {
    "1": { weight: t2([[1, -1, 0.5], [2, 0, -1]]), bias: tf.tensor1d([0.1, 0.2, -0.3]) },
    "2": { weight: t2([[1], [2], [3]]), bias: tf.tensor1d([0.5]) },
  };
  const x = t2([[1, 2], [-1, 0.5]]);
  const net = chain(dense(2, 3, { activation: "relu" }), dense(3, 1));

  it("matches the hand-computed values", () => {
    const h = forward(net.layers[0]!, params["1"] as ParamTree, x);
    expect(h.shape).toEqual([2, 3]);
    const hv = h.arraySync() as number[][];
    [[5.1, 0, 0], [0.1, 1.2, 0]].forEach((row, i) => row.forEach((v, j) => expect(hv[i]![j]).toBeCloseTo(v, 5)));
    const y = forward(net, params, x).arraySync() as number[][];
    expect(y[0]![0]).toBeCloseTo(5.6, 5);
    expect(y[1]![0]).toBeCloseTo(3.0, 5);
    expect(net.describe()).toBe("Chain(Dense(2 => 3, relu), Dense(3 => 1))");
    expect(net.outputShape([2])).toEqual([1]);
  });

  it("reports shape mismatches with both shapes", () => {
    expect(() => net.outputShape([5])).toThrow(/layer 1 .*Dense\(2 => 3, relu\).*size 2.*\(5,\)/);
    expect(() => forward(net, params, t2([[1, 2, 3]]))).toThrow(ShapeError);
  });
});

describe("chain-batched parameters", () => {
  const C = 3;
  const N = 5;
  const net = chain(dense(4, 6, { activation: "tanh" }), dense(6, 2));
  const perChain = split(key(7), C).map((k) => initParams(net, k));
  const stacked = mapParams(perChain[0]!, (_t, path) => tf.stack(perChain.map((p) => pick(p, path))));
  const x = tf.tensor2d(Array.from({ length: N * 4 }, (_, i) => Math.sin(i)), [N, 4]);

  it("infers whether the parameters carry the chain axis from their ranks", () => {
    expect(inferBatched(net, perChain[0]!)).toBe(false);
    expect(inferBatched(net, stacked)).toBe(true);
  });

  it("[C, in, out] weights with x [N, in] equal C separate applies", () => {
    const y = forward(net, stacked, x);
    expect(y.shape).toEqual([C, N, 2]);
    perChain.forEach((p, c) => expectClose(tf.gather(y, c), forward(net, p, x), 1e-5));
  });

  it("[C, in, out] weights with x [C, N, in] equal C separate applies", () => {
    const xs = tf.stack([x, tf.mul(x, 2), tf.neg(x)]);
    const y = forward(net, stacked, xs, { inputBatched: true });
    expect(y.shape).toEqual([C, N, 2]);
    perChain.forEach((p, c) => expectClose(tf.gather(y, c), forward(net, p, tf.gather(xs, c)), 1e-5));
  });

  it("a partly batched tree (only the first layer per chain) works too", () => {
    const mixed: ParamTree = { "1": stacked["1"]!, "2": perChain[0]!["2"]! };
    const y = forward(net, mixed, x);
    const ref = tf.stack(perChain.map((p) => forward(net, { "1": p["1"]!, "2": perChain[0]!["2"]! }, x)));
    expectClose(y, ref, 1e-5);
  });

  it("gradients through the shared-data path equal per-chain gradients", () => {
    const y = t2(Array.from({ length: N }, (_, i) => [Math.cos(i), i / N]));
    const leaves = walkParams(stacked).map((e) => e.tensor);
    const rebuild = (ts: tf.Tensor[]): ParamTree => ({ "1": { weight: ts[0]!, bias: ts[1]! }, "2": { weight: ts[2]!, bias: ts[3]! } });
    const g = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.square(tf.sub(forward(net, rebuild(ts), x), y))))(leaves);
    perChain.forEach((p, c) => {
      const lc = walkParams(p).map((e) => e.tensor);
      const gc = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.square(tf.sub(forward(net, rebuild(ts), x), y))))(lc);
      gc.forEach((gi, i) => expectClose(tf.gather(g[i]!, c), gi, 1e-4));
    });
  });
});

describe("parameter walking", () => {
  it("names and orders a Chain's parameters as the language does", () => {
    const mlp = chain(dense(784, 128, { activation: "relu" }), dense(128, 10));
    const shapes = paramShapes(mlp);
    expect(paramCount(shapes)).toBe(101_770); // 784·128 + 128 + 128·10 + 10
    const p = initParams(mlp, key(1));
    expect(walkParams(p, "net").map((e) => e.name)).toEqual(["net[1].weight", "net[1].bias", "net[2].weight", "net[2].bias"]);
    expect(walkParams(p).map((e) => e.tensor.shape)).toEqual([[784, 128], [128], [128, 10], [10]]);
    expect(paramCount(p)).toBe(101_770);
    disposeParams(p);
  });

  it("numbers Chain positions numerically past 9 and names block sub-layers", () => {
    const deep = chain(...Array.from({ length: 11 }, () => dense(1, 1, { bias: false })));
    expect(walkParams(initParams(deep, key(2))).map((e) => e.name).slice(8)).toEqual(["[9].weight", "[10].weight", "[11].weight"]);
    const res = block("residual", { norm: layerNorm(4), ff: chain(dense(4, 16, { activation: "gelu" }), dense(16, 4)) }, (call, x) =>
      tf.add(x, call("ff", call("norm", x))),
    );
    const names = walkParams(initParams(res, key(3)), "net").map((e) => e.name);
    expect(names).toEqual(["net.norm.gain", "net.norm.bias", "net.ff[1].weight", "net.ff[1].bias", "net.ff[2].weight", "net.ff[2].bias"]);
    expect(res.outputShape([4])).toEqual([4]);
    expect(parseParamName("ff[1].weight")).toEqual(["ff", "1", "weight"]);
    expect(parseParamName("[2].bias")).toEqual(["2", "bias"]);
  });

  it("initialisation is reproducible from the key", () => {
    const net = chain(dense(3, 4), dense(4, 2));
    const a = walkParams(initParams(net, key(5))).map((e) => Array.from(e.tensor.dataSync()));
    const b = walkParams(initParams(net, key(5))).map((e) => Array.from(e.tensor.dataSync()));
    const c = walkParams(initParams(net, key(6))).map((e) => Array.from(e.tensor.dataSync()));
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
  });
});

describe("gradients against finite differences", () => {
  // Reference: the same 2-3-1 tanh network evaluated in float64 on the host, differentiated
  // by central differences (h = 1e-6), independent of tfjs.
  const net = chain(dense(2, 3, { activation: tanh }), dense(3, 1));
  const x = [[0.3, -1.2], [1.1, 0.4], [-0.7, 0.9], [0.2, 0.2]];
  const y = [[0.5], [-0.3], [1.0], [0.1]];

  it("tf gradients of the MSE match the float64 reference", () => {
    const p = initParams(net, key(11));
    const entries = walkParams(p);
    const flat = entries.flatMap((e) => Array.from(e.tensor.dataSync()));
    const loss64 = (theta: number[]): number => {
      const [w1, b1, w2, b2] = [theta.slice(0, 6), theta.slice(6, 9), theta.slice(9, 12), theta.slice(12, 13)];
      let s = 0;
      x.forEach((row, n) => {
        const h = [0, 1, 2].map((j) => Math.tanh(row[0]! * w1[j]! + row[1]! * w1[3 + j]! + b1[j]!));
        const out = h[0]! * w2[0]! + h[1]! * w2[1]! + h[2]! * w2[2]! + b2[0]!;
        s += (out - y[n]![0]!) ** 2;
      });
      return s / x.length;
    };
    const rebuild = (ts: tf.Tensor[]): ParamTree => ({ "1": { weight: ts[0]!, bias: ts[1]! }, "2": { weight: ts[2]!, bias: ts[3]! } });
    const value = tf.tidy(() => mse(forward(net, p, t2(x)), t2(y)).dataSync()[0]!);
    expect(value).toBeCloseTo(loss64(flat), 5);
    const grads = tf.grads((...ts: tf.Tensor[]) => mse(forward(net, rebuild(ts), t2(x)), t2(y)))(entries.map((e) => e.tensor));
    const g = grads.flatMap((gi) => Array.from(gi.dataSync()));
    const h = 1e-6;
    flat.forEach((_, i) => {
      const up = [...flat];
      const down = [...flat];
      up[i]! += h;
      down[i]! -= h;
      const fd = (loss64(up) - loss64(down)) / (2 * h);
      expect(Math.abs(g[i]! - fd)).toBeLessThan(1e-4 + 1e-3 * Math.abs(fd));
    });
  });
});

function pick(tree: ParamTree, path: readonly string[]): tf.Tensor {
  let node: unknown = tree;
  for (const k of path) node = (node as ParamTree)[k];
  return node as tf.Tensor;
}

function expectClose(a: tf.Tensor, b: tf.Tensor, tol: number): void {
  expect(a.shape).toEqual(b.shape);
  const d = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  expect(d).toBeLessThan(tol);
}


describe("named blocks and memory", () => {
  it("lists parameter blocks by language name and rebuilds the tree from named values", () => {
    const net = chain(dense(2, 3, { activation: "tanh" }), dense(3, 1));
    expect(paramBlocks(net, "net")).toEqual([
      { name: "net[1].weight", shape: [2, 3] },
      { name: "net[1].bias", shape: [3] },
      { name: "net[2].weight", shape: [3, 1] },
      { name: "net[2].bias", shape: [1] },
    ]);
    expect(paramBlocks(net, "net", ["2"]).map((b) => b.name)).toEqual(["net[2].weight", "net[2].bias"]);
    const lay = layout(paramBlocks(net, "net"));
    expect(lay.dim).toBe(13);
    // Four chains' flat vectors → named [4, ...shape] values → a batched tree → [4, N, 1].
    const q = tf.tensor2d(Array.from({ length: 4 * 13 }, (_, i) => Math.cos(i)), [4, 13]);
    const tree = treeFromNamed(net, unflatten(lay, q), "net");
    const y = forward(net, tree, tf.ones([6, 2]));
    expect(y.shape).toEqual([4, 6, 1]);
    const row2 = treeFromNamed(net, unflatten(lay, tf.slice(q, [2, 0], [1, 13])), "net");
    const unbatched = mapParams(row2, (t) => tf.squeeze(t, [0]));
    expectClose(tf.gather(y, 2), forward(net, unbatched, tf.ones([6, 2])), 1e-5);
    expect(() => paramBlocks(net, "net", ["3"])).toThrow(/no parameter group '\[3\]'/);
  });

  it("forward and gradients leave no tensors behind", () => {
    const net = chain(dense(3, 8, { activation: "relu" }), layerNorm(8), dense(8, 2));
    const p = initParams(net, key(1));
    const x = tf.ones([4, 3]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      forward(net, p, x).dispose();
      const { value, grads } = valueAndGrads((q) => tf.sum(forward(net, q, x)) as tf.Scalar, p);
      value.dispose();
      disposeParams(grads);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("SkipConnection", () => {
  it("adds or concatenates the input, with the inner layer's parameter names", () => {
    const inner = dense(3, 3, { activation: "tanh" });
    const net = chain(dense(2, 3), skipConnection(inner, "+"), skipConnection(dense(3, 2), "cat"));
    expect(net.outputShape([2])).toEqual([5]);
    const p = initParams(net, key(4));
    expect(walkParams(p, "net").map((e) => e.name)).toEqual(["net[1].weight", "net[1].bias", "net[2].weight", "net[2].bias", "net[3].weight", "net[3].bias"]);
    const x = tf.tensor2d([[0.5, -1], [2, 0.3]]);
    const h = forward(net.layers[0]!, p["1"] as ParamTree, x);
    const h2 = tf.add(forward(inner, p["2"] as ParamTree, h), h);
    expectClose(forward(chain(net.layers[0]!, net.layers[1]!), { "1": p["1"]!, "2": p["2"]! }, x), h2, 1e-6);
    const y = forward(net, p, x);
    expectClose(tf.slice(y, [0, 2], [2, 3]), h2, 1e-6);
    // Per-chain parameters with shared data: the concatenated input gets the chain axis.
    const stacked = mapParams(p, (t) => tf.stack([t, tf.mul(t, -1)]));
    const yb = forward(net, stacked, x);
    expect(yb.shape).toEqual([2, 2, 5]);
    expectClose(tf.gather(yb, 0), y, 1e-5);
    expect(() => skipConnection(dense(3, 2)).outputShape([3])).toThrow(/must match/);
  });
});
