/**
 * MultiHeadAttention. References: the layer written out as a float64 loop over observations,
 * heads, queries and keys (below, independent of tfjs), central differences of that loop for
 * the gradients, and C separate unbatched calls for chain-batched parameters.
 */
import { describe, expect, it } from "vitest";
import { initEngine, tf, type BackendName } from "../core/engine.js";
import { fold, key, normalArray } from "../core/random.js";
import { maxAbsDiff, onBackend } from "../core/kernels/testing.js";
import { callArgs } from "./args.js";
import { multiHeadAttention, type AttentionLayer } from "./attention.js";
import { chain } from "./chain.js";
import { dense } from "./dense.js";
import { forward, initParams, isSpec, paramShapes, ShapeError, type Layer } from "./layer.js";
import { LAYERS } from "./registry.js";
import { mapParams, mapTree, walkParams, type ParamTree } from "./tree.js";

type Mat = number[][];

/** A layer's parameters as float64 arrays: the four `[dim][dim]` weights and the biases. */
interface Params64 {
  readonly wq: Mat;
  readonly wk: Mat;
  readonly wv: Mat;
  readonly wo: Mat;
  readonly bq?: number[];
  readonly bk?: number[];
  readonly bv?: number[];
  readonly bo?: number[];
}

/** The layer written out: x [N][T][dim] → [N][T][dim]. */
function naive(p: Params64, x: number[][][], heads: number, causal: boolean): number[][][] {
  const dim = p.wq.length;
  const d = dim / heads;
  const proj = (row: readonly number[], w: Mat, b: number[] | undefined): number[] =>
    Array.from({ length: dim }, (_, j) => row.reduce((s, v, i) => s + v * w[i]![j]!, b?.[j] ?? 0));
  return x.map((seq) => {
    const steps = seq.length;
    const q = seq.map((r) => proj(r, p.wq, p.bq));
    const k = seq.map((r) => proj(r, p.wk, p.bk));
    const v = seq.map((r) => proj(r, p.wv, p.bv));
    const joined = seq.map(() => new Array<number>(dim).fill(0));
    for (let h = 0; h < heads; h++) {
      const cols = Array.from({ length: d }, (_, j) => h * d + j);
      for (let t = 0; t < steps; t++) {
        const keys = causal ? t + 1 : steps;
        const s = Array.from({ length: keys }, (_, u) => cols.reduce((acc, j) => acc + q[t]![j]! * k[u]![j]!, 0) / Math.sqrt(d));
        const top = Math.max(...s);
        const e = s.map((v) => Math.exp(v - top));
        const z = e.reduce((a, b) => a + b, 0);
        for (const j of cols) joined[t]![j] = e.reduce((acc, ei, u) => acc + (ei / z) * v[u]![j]!, 0);
      }
    }
    return joined.map((r) => proj(r, p.wo, p.bo));
  });
}

/** Standard normals times `scale` for every declared parameter (biases too, so they matter). */
function randomParams(layer: Layer, seed: number, scale = 0.5): ParamTree {
  let i = 0;
  return mapTree(layer.paramSpecs(), isSpec, (s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const z = normalArray(fold(key(seed), i++), n).map((v) => v * scale);
    return tf.tensor(z, [...s.shape]);
  });
}

function randomArray(seed: number, shape: readonly number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(normalArray(key(seed), n).map((v) => v * scale), [...shape]);
}

function toParams64(p: ParamTree): Params64 {
  const mat = (n: string): Mat => (p[n] as tf.Tensor).arraySync() as Mat;
  const vec = (n: string): number[] | undefined => (p[n] === undefined ? undefined : Array.from((p[n] as tf.Tensor).dataSync()));
  const biases = Object.fromEntries(
    (["q", "k", "v", "o"] as const).flatMap((w) => (vec(`bias_${w}`) === undefined ? [] : [[`b${w}`, vec(`bias_${w}`)!]])),
  );
  return { wq: mat("weight_q"), wk: mat("weight_k"), wv: mat("weight_v"), wo: mat("weight_o"), ...biases };
}


const [DIM, HEADS, N, T] = [4, 2, 2, 5];
const mha = (causal: boolean, heads = HEADS, bias = true): AttentionLayer => multiHeadAttention(DIM, { heads, causal, bias });

describe("shapes, parameters and messages", () => {
  it("declares the packed projections and keeps (T, dim)", () => {
    const w = [DIM, DIM];
    expect(paramShapes(mha(false))).toEqual({ weight_q: w, weight_k: w, weight_v: w, weight_o: w, bias_q: [DIM], bias_k: [DIM], bias_v: [DIM], bias_o: [DIM] });
    expect(paramShapes(mha(false, 1, false))).toEqual({ weight_q: w, weight_k: w, weight_v: w, weight_o: w });
    for (const causal of [false, true]) {
      const layer = mha(causal);
      expect(layer.outputShape([T, DIM])).toEqual([T, DIM]);
      const p = initParams(layer, key(1));
      const x = randomArray(2, [N, T, DIM]);
      expect(forward(layer, p, x).shape).toEqual([N, T, DIM]);
      expect(forward(layer, p, tf.slice(x, [0, 0, 0], [N, 1, DIM])).shape).toEqual([N, 1, DIM]);
    }
    const net = chain(dense(3, DIM), mha(true), dense(DIM, 1));
    expect(net.outputShape([T, 3])).toEqual([T, 1]);
    expect(forward(net, initParams(net, key(3)), tf.ones([N, T, 3])).shape).toEqual([N, T, 1]);
  });

  it("initialises weights by glorot_uniform and biases to zero", () => {
    const p = initParams(mha(false), key(4));
    const limit = Math.sqrt(6 / (DIM + DIM));
    for (const w of ["weight_q", "weight_k", "weight_v", "weight_o"]) {
      expect(Math.max(...(p[w] as tf.Tensor).dataSync().map(Math.abs))).toBeLessThanOrEqual(limit);
    }
    expect(maxAbsDiff(p["weight_q"] as tf.Tensor, p["weight_k"] as tf.Tensor)).toBeGreaterThan(0.01);
    expect(Array.from((p["bias_o"] as tf.Tensor).dataSync())).toEqual([0, 0, 0, 0]);
  });

  it("describes itself as written and reports mismatches clearly", () => {
    expect(multiHeadAttention(8).describe()).toBe("MultiHeadAttention(8)");
    expect(multiHeadAttention(8, { heads: 2, causal: true, bias: false }).describe()).toBe("MultiHeadAttention(8; heads = 2, causal = true, bias = false)");
    expect(() => multiHeadAttention(6, { heads: 4 })).toThrow(ShapeError);
    expect(() => multiHeadAttention(6, { heads: 4 })).toThrow("MultiHeadAttention: the size 6 must be divisible by the number of heads, got heads = 4");
    expect(() => multiHeadAttention(6, { heads: 0 })).toThrow(/heads must be a positive integer, got 0/);
    expect(() => multiHeadAttention(0)).toThrow(ShapeError);
    const l = mha(false);
    expect(() => l.outputShape([5, 3])).toThrow("MultiHeadAttention(4) expects each observation to be a sequence of shape (T, 4) (time steps, features), got shape (5, 3)");
    expect(() => l.outputShape([4])).toThrow(/sequence of shape \(T, 4\).*got shape \(4,\)/);
    expect(() => l.outputShape([0, 4])).toThrow(/at least one time step/);
    expect(() => forward(l, initParams(l, key(1)), tf.zeros([2, 4]))).toThrow(/expects input of shape \(N, T, 4\).*got \(2, 4\)/);
    expect(() => chain(dense(2, 3), l).outputShape([5, 2])).toThrow(/layer 2 of the Chain, MultiHeadAttention\(4/);
  });

  it("is built from the language's arguments by the registry", () => {
    const build = (positional: unknown[], keywords: Record<string, unknown> = {}) => LAYERS["MultiHeadAttention"]!.make(callArgs(positional, keywords));
    expect(build([8]).describe()).toBe("MultiHeadAttention(8)");
    expect(build([8], { heads: 4, causal: true }).describe()).toBe("MultiHeadAttention(8; heads = 4, causal = true)");
    const l = build([8], { heads: 2, bias: false, init: "kaiming_normal" });
    expect(l.outputShape([7, 8])).toEqual([7, 8]);
    expect(Object.keys(paramShapes(l))).toEqual(["weight_q", "weight_k", "weight_v", "weight_o"]);
    expect(() => build([8], { heads: 3 })).toThrow(ShapeError);
    expect(() => build([8], { heads: 3 })).toThrow(/size 8 must be divisible by the number of heads, got heads = 3/);
    expect(() => build([8], { heads: 0 })).toThrow(/MultiHeadAttention, argument 'heads': expected a positive integer, got 0/);
    expect(() => build([8], { heads: 2.5 })).toThrow(/argument 'heads': expected a positive integer/);
    expect(() => build([8], { causal: 1 })).toThrow(/MultiHeadAttention, argument 'causal': expected true or false/);
    expect(() => build(["8"])).toThrow(/MultiHeadAttention, argument 'dim': expected a positive integer, got "8"/);
    expect(() => build([8, 2])).toThrow("`MultiHeadAttention` takes 1 positional argument (dim), but 2 were given");
    expect(() => build([])).toThrow("`MultiHeadAttention` takes 1 positional argument (dim), but 0 were given");
    expect(() => build([8], { head: 2 })).toThrow(expect.objectContaining({ message: "`MultiHeadAttention` has no keyword argument `head`", hint: "did you mean `heads`?" }));
    expect(LAYERS["MultiHeadAttention"]!.doc.startsWith("MultiHeadAttention(dim; heads = 1, causal = false, bias = true, init = glorot_uniform): ")).toBe(true);
  });
});

describe("forward values against the float64 loop", () => {
  for (const causal of [false, true]) {
    for (const [heads, bias] of [[2, true], [1, true], [4, false]] as const) {
      it(`heads = ${heads}, causal = ${causal}, bias = ${bias}`, () => {
        const layer = mha(causal, heads, bias);
        const p = randomParams(layer, 10 + heads);
        const x = randomArray(11, [N, T, DIM]);
        const ref = naive(toParams64(p), x.arraySync() as number[][][], heads, causal);
        expect(maxAbsDiff(forward(layer, p, x), ref.flat(2))).toBeLessThan(1e-5);
      });
    }
  }

  it("with the causal mask, outputs do not depend on later inputs", () => {
    const layer = mha(true);
    const p = randomParams(layer, 15);
    const x = randomArray(16, [N, T, DIM]);
    const y = forward(layer, p, x);
    for (let t = 0; t < T - 1; t++) {
      // change every input after step t
      const later = tf.concat([tf.slice(x, [0, 0, 0], [N, t + 1, DIM]), randomArray(17 + t, [N, T - t - 1, DIM], 3)], 1);
      const z = forward(layer, p, later);
      expect(maxAbsDiff(tf.slice(z, [0, 0, 0], [N, t + 1, DIM]), tf.slice(y, [0, 0, 0], [N, t + 1, DIM]))).toBe(0);
      expect(maxAbsDiff(tf.slice(z, [0, t + 1, 0], [N, 1, DIM]), tf.slice(y, [0, t + 1, 0], [N, 1, DIM]))).toBeGreaterThan(1e-3);
    }
    // without the mask the first step sees the last one
    const open = mha(false);
    const changed = tf.concat([tf.slice(x, [0, 0, 0], [N, T - 1, DIM]), tf.zeros([N, 1, DIM])], 1);
    expect(maxAbsDiff(tf.slice(forward(open, p, changed), [0, 0, 0], [N, 1, DIM]), tf.slice(forward(open, p, x), [0, 0, 0], [N, 1, DIM]))).toBeGreaterThan(1e-3);
  });
});

describe("gradients against central differences of the float64 loop", () => {
  for (const causal of [false, true]) {
    it(`causal = ${causal}: every parameter and the input`, () => {
      // A fixed random weighting of every output, so that each position and feature matters.
      const layer = mha(causal);
      const p = randomParams(layer, 20, 0.6);
      const x = randomArray(21, [N, T, DIM]);
      const wts = randomArray(22, [N, T, DIM]);
      const entries = walkParams(p);
      const names = entries.map((e) => e.name);
      const shapes = entries.map((e) => e.tensor.shape);
      const leaves = [...entries.map((e) => e.tensor), x];
      const rebuild = (ts: readonly tf.Tensor[]): ParamTree => Object.fromEntries(names.map((n, i) => [n, ts[i]!]));
      const g = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(forward(layer, rebuild(ts), ts.at(-1)!), wts)))(leaves);

      const flat = leaves.flatMap((t) => Array.from(t.dataSync()));
      const w = Array.from(wts.dataSync());
      const loss64 = (theta: number[]): number => {
        let at = 0;
        const take = (shape: readonly number[]): number[] => {
          const n = shape.reduce((a, b) => a * b, 1);
          at += n;
          return theta.slice(at - n, at);
        };
        const rows = (v: number[], cols: number): Mat => Array.from({ length: v.length / cols }, (_, i) => v.slice(i * cols, (i + 1) * cols));
        const byName = Object.fromEntries(names.map((n, i) => [n, take(shapes[i]!)]));
        const x2 = rows(take([N, T, DIM]), DIM);
        const p64: Params64 = {
          wq: rows(byName["weight_q"]!, DIM),
          wk: rows(byName["weight_k"]!, DIM),
          wv: rows(byName["weight_v"]!, DIM),
          wo: rows(byName["weight_o"]!, DIM),
          bq: byName["bias_q"]!,
          bk: byName["bias_k"]!,
          bv: byName["bias_v"]!,
          bo: byName["bias_o"]!,
        };
        const ys = naive(p64, Array.from({ length: N }, (_, n) => x2.slice(n * T, (n + 1) * T)), HEADS, causal).flat(2);
        return ys.reduce((s, v, i) => s + v * w[i]!, 0);
      };
      const gFlat = g.flatMap((t) => Array.from(t.dataSync()));
      expect(gFlat.length).toBe(flat.length);
      const h = 1e-6;
      let worst = 0;
      flat.forEach((_, i) => {
        const [up, down] = [[...flat], [...flat]];
        up[i]! += h;
        down[i]! -= h;
        const fd = (loss64(up) - loss64(down)) / (2 * h);
        worst = Math.max(worst, Math.abs(gFlat[i]! - fd) / (1e-2 + Math.abs(fd)));
      });
      expect(worst).toBeLessThan(2e-4);
    });
  }
});

describe("chain-batched parameters", () => {
  const C = 3;
  const pick = (tree: ParamTree, name: string): tf.Tensor => tree[name] as tf.Tensor;
  /** Parameters per chain, and the tree with the chain axis on the parameters named in `batched`. */
  function setup(causal: boolean, batched: (name: string) => boolean) {
    const layer = mha(causal);
    const per = [0, 1, 2].map((c) => randomParams(layer, 30 + c));
    // a parameter without chain axis is the same for every chain: chain 0's
    const effective = per.map((p) => mapParams(p, (t, path) => (batched(path[0]!) ? t : pick(per[0]!, path[0]!))));
    const tree = mapParams(per[0]!, (t, path) => (batched(path[0]!) ? tf.stack(per.map((p) => pick(p, path[0]!))) : t));
    return { layer, effective, tree };
  }
  const subsets: readonly [string, (n: string) => boolean][] = [
    ["every parameter", () => true],
    ["only weight_q (per-chain queries, shared keys and values)", (n) => n === "weight_q"],
    ["only weight_k and bias_v", (n) => n === "weight_k" || n === "bias_v"],
    ["only the output projection (attention shared by every chain)", (n) => n === "weight_o" || n === "bias_o"],
    ["none", () => false],
  ];

  for (const [what, batched] of subsets) {
    it(`${what}: equal C separate calls, shared and per-chain input`, () => {
      for (const causal of [false, true]) {
        const { layer, effective, tree } = setup(causal, batched);
        const x = randomArray(40, [N, T, DIM]);
        const y = forward(layer, tree, x, { batched: true });
        // without any chain axis on parameters or data, the output keeps B = 1
        expect(y.shape).toEqual([what === "none" ? 1 : C, N, T, DIM]);
        effective.forEach((p, c) => expect(maxAbsDiff(tf.gather(y, what === "none" ? 0 : c), forward(layer, p, x))).toBeLessThan(1e-5));
        const xs = randomArray(41, [C, N, T, DIM]);
        const ys = forward(layer, tree, xs, { batched: true, inputBatched: true });
        expect(ys.shape).toEqual([C, N, T, DIM]);
        effective.forEach((p, c) => expect(maxAbsDiff(tf.gather(ys, c), forward(layer, p, tf.gather(xs, c)))).toBeLessThan(1e-5));
      }
    });
  }

  it("rejects data whose chain count differs from the parameters'", () => {
    const { layer, tree } = setup(false, () => true);
    expect(() => forward(layer, tree, tf.zeros([2, N, T, DIM]), { batched: true, inputBatched: true })).toThrow(/2 batch rows but the parameters have 3 chains/);
  });

  it("gradients with respect to batched parameters equal per-chain gradients", () => {
    for (const [, batched] of [subsets[0]!, subsets[1]!, subsets[3]!]) {
      const { layer, tree } = setup(true, batched);
      const x = randomArray(42, [N, T, DIM]);
      const wts = randomArray(43, [N, T, DIM]);
      const names = walkParams(tree).map((e) => e.name);
      const rebuild = (ts: readonly tf.Tensor[]): ParamTree => Object.fromEntries(names.map((n, i) => [n, ts[i]!]));
      const g = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(forward(layer, rebuild(ts), x, { batched: true }), wts)))(walkParams(tree).map((e) => e.tensor));
      // chain c's loss depends only on chain c's slice of a batched parameter
      for (let c = 0; c < C; c++) {
        const own = names.map((n, i) => (batched(n) ? tf.gather(walkParams(tree)[i]!.tensor, c) : walkParams(tree)[i]!.tensor));
        const gc = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(forward(layer, rebuild(ts), x), wts)))(own);
        names.forEach((n, i) => {
          if (batched(n)) expect(maxAbsDiff(tf.gather(g[i]!, c), gc[i]!)).toBeLessThan(1e-4);
        });
      }
    }
  });
});


describe("backends and memory", () => {
  it("cpu and wasm give the same outputs and gradients", async () => {
    const original = tf.getBackend() as BackendName;
    try {
      for (const causal of [false, true]) {
        for (const chains of [false, true]) {
          const layer = mha(causal);
          const f = (): tf.Tensor[] => {
            const base = randomParams(layer, 50);
            const p = chains ? mapParams(base, (t) => tf.stack([t, tf.mul(t, -0.5)])) : base;
            const x = randomArray(51, [N, T, DIM]);
            const leaves = walkParams(p).map((e) => e.tensor);
            const names = walkParams(p).map((e) => e.name);
            const run = (...ts: tf.Tensor[]): tf.Tensor => forward(layer, Object.fromEntries(names.map((n, i) => [n, ts[i]!])), ts.at(-1)!);
            return [run(...leaves, x), ...tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.square(run(...ts))))([...leaves, x])];
          };
          const cpu = await onBackend("cpu", f);
          const wasm = await onBackend("wasm", f);
          expect(cpu.length).toBe(wasm.length);
          cpu.forEach((a, i) => a.forEach((v, j) => expect(Math.abs(v - wasm[i]![j]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v)))));
        }
      }
    } finally {
      await initEngine(original);
    }
    expect(tf.getBackend()).toBe(original);
  });

  it("a forward pass and its gradients in tf.tidy leave no tensors behind", () => {
    for (const causal of [false, true]) {
      for (const heads of [1, HEADS]) {
        const layer = mha(causal, heads);
        const p = initParams(layer, key(60));
        const pc = mapParams(p, (t, path) => (path[0] === "weight_q" ? tf.stack([t, t]) : t));
        const x = tf.ones([N, T, DIM]);
        const step = (q: ParamTree): void =>
          tf.tidy(() => {
            const leaves = walkParams(q).map((e) => e.tensor);
            const names = walkParams(q).map((e) => e.name);
            forward(layer, q, x);
            tf.grads((...ts: tf.Tensor[]) => tf.sum(forward(layer, Object.fromEntries(names.map((n, i) => [n, ts[i]!])), x)))(leaves);
          });
        for (const q of [p, pc]) {
          step(q);
          const before = tf.memory().numTensors;
          step(q);
          expect(tf.memory().numTensors).toBe(before);
        }
      }
    }
  });
});
