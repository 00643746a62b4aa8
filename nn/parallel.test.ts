// Parallel against float64 loops of its branches (Dense: y = σ(x W + b)) summed or
// concatenated, its gradients against central differences of those loops, chain-batched
// parameters against separate calls (with a parameter-free branch beside per-chain ones),
// and the cpu and wasm backends against each other.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine, type BackendName } from "../core/engine.js";
import { centralDiffs, gradientMismatch, lcg, maxRelDiff, onBackend } from "../core/kernels/testing.js";
import { key } from "../core/random.js";
import { callArgs, pair } from "./args.js";
import { chain } from "./chain.js";
import { conv2d } from "./conv2d.js";
import { dense } from "./dense.js";
import { dropout } from "./dropout.js";
import { flatten } from "./flatten.js";
import { forward, initParams, ShapeError } from "./layer.js";
import { parallel } from "./parallel.js";
import { LAYERS } from "./registry.js";
import { mapParams, walkParams, type ParamTree } from "./tree.js";

const startBackend = tf.getBackend() as BackendName;
afterAll(async () => {
  await initEngine(startBackend);
});

const vals = (n: number, seed: number): number[] => Array.from(lcg(n, seed));

/** Dense in float64: x `[n, nin]`, W `[nin, nout]` → `[n, nout]` (row-major). */
function naiveDense(x: readonly number[], w: readonly number[], b: readonly number[], nin: number, nout: number, act: (v: number) => number): number[] {
  const n = x.length / nin;
  const y: number[] = [];
  for (let i = 0; i < n; i++)
    for (let o = 0; o < nout; o++) {
      let acc = b[o]!;
      for (let k = 0; k < nin; k++) acc += x[i * nin + k]! * w[k * nout + o]!;
      y.push(act(acc));
    }
  return y;
}

/** Concatenate row-major `[n, a]` and `[n, b]` along the last axis. */
function cat(a: readonly number[], da: number, b: readonly number[], db: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length / da; i++) out.push(...a.slice(i * da, (i + 1) * da), ...b.slice(i * db, (i + 1) * db));
  return out;
}



// Two Dense branches on x [5, 3]: tanh(x W1 + b1) with 4 outputs and x W2 + b2 with 4 (for
// "+") or 2 (for "cat") outputs.
const N = 5;
const setup = (n2: number) => ({ x: vals(N * 3, 1), w1: vals(3 * 4, 2), b1: vals(4, 3), w2: vals(3 * n2, 4), b2: vals(n2, 5) });
type Setup = ReturnType<typeof setup>;
const toParams = (s: Setup, n2: number): ParamTree => ({
  "1": { weight: tf.tensor(s.w1, [3, 4]), bias: tf.tensor1d(s.b1) },
  "2": { weight: tf.tensor(s.w2, [3, n2]), bias: tf.tensor1d(s.b2) },
});
function naive(s: Setup, connection: "+" | "cat", n2: number): number[] {
  const y1 = naiveDense(s.x, s.w1, s.b1, 3, 4, Math.tanh);
  const y2 = naiveDense(s.x, s.w2, s.b2, 3, n2, (v) => v);
  return connection === "+" ? y1.map((v, i) => v + y2[i]!) : cat(y1, 4, y2, n2);
}

describe("Parallel", () => {
  for (const [connection, n2] of [["+", 4], ["cat", 2]] as const) {
    const net = parallel(connection, dense(3, 4, { activation: "tanh" }), dense(3, n2));

    it(`${connection}: shapes, names and values match the float64 loop`, () => {
      expect(net.outputShape([3])).toEqual([connection === "+" ? 4 : 6]);
      expect(net.children["2"]).toBe(net.layers[1]);
      expect(net.describe()).toBe(`Parallel(${connection}, Dense(3 => 4, tanh), Dense(3 => ${n2}))`);
      const p = initParams(net, key(1));
      expect(walkParams(p, "net").map((e) => e.name)).toEqual(["net[1].weight", "net[1].bias", "net[2].weight", "net[2].bias"]);
      const s = setup(n2);
      const y = tf.tidy(() => forward(net, toParams(s, n2), tf.tensor(s.x, [N, 3])));
      expect(y.shape).toEqual([N, connection === "+" ? 4 : 6]);
      const ref = naive(s, connection, n2);
      Array.from(y.dataSync()).forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-5));
      y.dispose();
    });

    it(`${connection}: parameter and input gradients match central differences of the float64 loop`, () => {
      const s = setup(n2);
      const r = vals(N * (connection === "+" ? 4 : 6), 6);
      const loss = (t: Setup): number => naive(t, connection, n2).reduce((a, v, i) => a + v * r[i]!, 0);
      const grads = tf.tidy(() => {
        const f = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor, x: tf.Tensor): tf.Tensor =>
          tf.sum(tf.mul(forward(net, { "1": { weight: w1, bias: b1 }, "2": { weight: w2, bias: b2 } }, x), tf.tensor(r, [N, r.length / N])));
        const p = toParams(s, n2) as Record<string, Record<string, tf.Tensor>>;
        return tf.grads(f)([p["1"]!["weight"]!, p["1"]!["bias"]!, p["2"]!["weight"]!, p["2"]!["bias"]!, tf.tensor(s.x, [N, 3])]).map((g) => Array.from(g.dataSync()));
      });
      (["w1", "b1", "w2", "b2", "x"] as const).forEach((name, i) => expect(gradientMismatch(grads[i]!, centralDiffs(s[name], (t) => loss({ ...s, [name]: t })))).toBeUndefined());
    });
  }

  it("a single branch is that branch", () => {
    const d = dense(3, 2);
    const p = initParams(parallel("+", d), key(2));
    tf.tidy(() => {
      const x = tf.tensor(vals(6, 7), [2, 3]);
      expect(maxRelDiff([forward(parallel("cat", d), p, x).dataSync() as Float32Array], [forward(d, p["1"] as ParamTree, x).dataSync() as Float32Array])).toBe(0);
    });
  });

  it("chain-batched parameters equal C separate calls, a parameter-free branch included", () => {
    const C = 3;
    const net = parallel("cat", dense(3, 4, { activation: "tanh" }), dropout(0.5), dense(3, 2));
    expect(net.outputShape([3])).toEqual([9]);
    tf.tidy(() => {
      const per = Array.from({ length: C }, (_, c) => mapParams(initParams(net, key(10 + c)), (t) => tf.add(t, 0.1)));
      const stacked = mapParams(per[0]!, (_t, path) => tf.stack(per.map((p) => (p[path[0]!] as ParamTree)[path[1]!] as tf.Tensor)));
      const x = tf.tensor(vals(N * 3, 8), [N, 3]);
      const y = forward(net, stacked, x);
      expect(y.shape).toEqual([C, N, 9]);
      per.forEach((p, c) => expect(maxRelDiff([tf.gather(y, c).dataSync() as Float32Array], [forward(net, p, x).dataSync() as Float32Array])).toBeLessThan(1e-6));
      const xs = tf.tensor(vals(C * N * 3, 9), [C, N, 3]);
      const ys = forward(net, stacked, xs, { inputBatched: true });
      per.forEach((p, c) =>
        expect(maxRelDiff([tf.gather(ys, c).dataSync() as Float32Array], [forward(net, p, tf.gather(xs, c)).dataSync() as Float32Array])).toBeLessThan(1e-6),
      );
      // "+" broadcasts a parameter-free branch's [1, N, ...] against the chains' [C, N, ...]
      const plus = parallel("+", dense(3, 3), dropout(0.1));
      const pp = mapParams(initParams(plus, key(3)), (t) => tf.stack([t, tf.mul(t, 2)]));
      const yp = forward(plus, pp, x);
      expect(yp.shape).toEqual([2, N, 3]);
      expect(maxRelDiff([tf.gather(yp, 1).dataSync() as Float32Array], [tf.add(forward(dense(3, 3), mapParams(pp["1"] as ParamTree, (t) => tf.gather(t, 1)), x), x).dataSync() as Float32Array])).toBeLessThan(1e-6);
    });
  });

  it("concatenates chain-batched image branches with a parameter-free one, and differentiates through it (rank 5)", async () => {
    const net = chain(parallel("cat", conv2d([3, 3], 2, 3, { pad: "same", activation: "relu" }), dropout(0.2)), flatten());
    expect(net.outputShape([4, 4, 2])).toEqual([4 * 4 * 5]);
    const f = (): tf.Tensor[] => {
      const p = mapParams(initParams(net, key(4)), (t) => tf.stack([t, tf.mul(t, -0.5)]));
      const x = tf.tensor(vals(2 * 4 * 4 * 2, 10), [2, 4, 4, 2]);
      const conv = (p["1"] as ParamTree)["1"] as ParamTree;
      const loss = (w: tf.Tensor, xt: tf.Tensor): tf.Tensor => tf.sum(tf.square(forward(net, { "1": { "1": { weight: w, bias: conv["bias"]! } } }, xt)));
      return [forward(net, p, x), ...tf.grads(loss)([conv["weight"] as tf.Tensor, x])];
    };
    const [cpu, wasm] = [await onBackend("cpu", f), await onBackend("wasm", f)];
    expect(cpu.map((a) => a.length)).toEqual([2 * 2 * 80, 2 * 3 * 3 * 2 * 3, 2 * 4 * 4 * 2]);
    expect(maxRelDiff(cpu, wasm)).toBeLessThan(1e-5);
  });

  it("rejects branches whose outputs cannot be combined, naming the branch", () => {
    expect(() => parallel("+", dense(3, 4), dense(3, 2)).outputShape([3])).toThrow(/must have equal shapes; branch 1 gives \(4,\), branch 2 gives \(2,\)/);
    expect(() => parallel("cat", conv2d([3, 3], 2, 3), conv2d([3, 3], 2, 3, { pad: "same" })).outputShape([5, 5, 2])).toThrow(/every axis but the last/);
    expect(() => parallel("+", dense(3, 4), dense(2, 4)).outputShape([3])).toThrow(/in branch 2 of the Parallel, Dense\(2 => 4\)/);
    expect(() => parallel("+")).toThrow(ShapeError);
    expect(() => parallel("max" as "+", dense(3, 4))).toThrow(/"\+" or "cat"/);
  });

  it("gives the same values and gradients on cpu and wasm", async () => {
    const net = parallel("+", dense(3, 4, { activation: "tanh" }), dense(3, 4));
    const f = (): tf.Tensor[] => {
      const s = setup(4);
      const p = mapParams(toParams(s, 4), (t) => tf.stack([t, tf.add(t, 0.3)]));
      const x = tf.tensor(s.x, [N, 3]);
      const w = (p["2"] as ParamTree)["weight"] as tf.Tensor;
      const loss = (wt: tf.Tensor, xt: tf.Tensor): tf.Tensor => tf.sum(tf.square(forward(net, { ...p, "2": { ...(p["2"] as ParamTree), weight: wt } }, xt)));
      return [forward(net, p, x), ...tf.grads(loss)([w, x])];
    };
    const [cpu, wasm] = [await onBackend("cpu", f), await onBackend("wasm", f)];
    expect(maxRelDiff(cpu, wasm)).toBeLessThan(1e-5);
  });

  it("is built by the registry entry Parallel", () => {
    const entry = LAYERS["Parallel"]!;
    expect(entry.doc.startsWith("Parallel(connection, layer1, layer2, ...)")).toBe(true);
    const d = (from: number, to: number) => LAYERS["Dense"]!.make(callArgs([pair(from, to)]));
    const net = entry.make(callArgs(["cat", d(3, 4), d(3, 2)]));
    expect(net.describe()).toBe("Parallel(cat, Dense(3 => 4), Dense(3 => 2))");
    expect(net.outputShape([3])).toEqual([6]);
    expect(Object.keys(net.children ?? {})).toEqual(["1", "2"]);
    expect(() => entry.make(callArgs(["max", d(3, 4)]))).toThrow(/Parallel, argument 1: expected "\+" or "cat", got max/);
    expect(() => entry.make(callArgs(["+"]))).toThrow("`Parallel` takes at least 2 positional arguments (connection, layers...), but 1 was given");
    expect(() => entry.make(callArgs(["+", d(3, 4), 5]))).toThrow(/Parallel, argument 3: expected a layer/);
  });

  it("leaves no tensors behind after forward and gradient in tf.tidy", () => {
    const net = parallel("cat", dense(3, 4, { activation: "tanh" }), dense(3, 2));
    const s = setup(2);
    const p = toParams(s, 2);
    const x = tf.tensor(s.x, [N, 3]);
    const leaves = walkParams(p).map((e) => e.tensor);
    const step = (): void => {
      tf.dispose(
        tf.tidy(() =>
          tf.grads((w1: tf.Tensor, xt: tf.Tensor) => tf.sum(forward(net, { ...p, "1": { ...(p["1"] as ParamTree), weight: w1 } }, xt)))([leaves[0]!, x]),
        ),
      );
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...leaves, x]);
  });
});
