/**
 * RNN, LSTM and GRU. References: each cell written out as a float64 loop over observations
 * and time steps (below, independent of tfjs), central differences of that loop for the
 * gradients, and C separate unbatched calls for chain-batched parameters.
 */
import { describe, expect, it } from "vitest";
import { initEngine, tf, type BackendName } from "../core/engine.js";
import { fold, key, normalArray } from "../core/random.js";
import { maxAbsDiff, onBackend } from "../core/kernels/testing.js";
import { chain } from "./chain.js";
import { callArgs, pair } from "./args.js";
import { dense } from "./dense.js";
import { forward, initParams, isSpec, paramShapes, ShapeError, type Layer } from "./layer.js";
import { gru, lstm, rnn, type RecurrentLayer } from "./recurrent.js";
import { LAYERS } from "./registry.js";
import { mapParams, mapTree, walkParams, type ParamTree } from "./tree.js";

type Kind = "RNN" | "LSTM" | "GRU";
type Mat = number[][];

/** A layer's parameters as float64 arrays: W_ih [in][k·out], W_hh [out][k·out], biases. */
interface Params64 {
  readonly wih: Mat;
  readonly whh: Mat;
  readonly b?: number[];
  readonly bhn?: number[];
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** The recurrence written out: every hidden state, [N][T][out]. */
function naive(kind: Kind, p: Params64, x: number[][][], act: (v: number) => number = Math.tanh): number[][][] {
  const nout = p.whh.length;
  const k = p.whh[0]!.length;
  return x.map((steps) => {
    let h = new Array<number>(nout).fill(0);
    let c = new Array<number>(nout).fill(0);
    return steps.map((xt) => {
      const gx = Array.from({ length: k }, (_, j) => xt.reduce((s, v, i) => s + v * p.wih[i]![j]!, p.b?.[j] ?? 0));
      const gh = Array.from({ length: k }, (_, j) => h.reduce((s, v, i) => s + v * p.whh[i]![j]!, 0));
      const prevH = h;
      if (kind === "RNN") {
        h = gx.map((v, j) => act(v + gh[j]!));
      } else if (kind === "LSTM") {
        const gate = (g: number, j: number): number => gx[g * nout + j]! + gh[g * nout + j]!;
        c = c.map((cj, j) => sigmoid(gate(1, j)) * cj + sigmoid(gate(0, j)) * Math.tanh(gate(2, j)));
        h = c.map((cj, j) => sigmoid(gate(3, j)) * Math.tanh(cj));
      } else {
        h = prevH.map((hj, j) => {
          const r = sigmoid(gx[j]! + gh[j]!);
          const z = sigmoid(gx[nout + j]! + gh[nout + j]!);
          const n = Math.tanh(gx[2 * nout + j]! + r * (gh[2 * nout + j]! + (p.bhn?.[j] ?? 0)));
          return (1 - z) * n + z * hj;
        });
      }
      return [...h];
    });
  });
}

const make = (kind: Kind, nin: number, nout: number, sequence: boolean, bias = true): RecurrentLayer =>
  kind === "RNN" ? rnn(nin, nout, { sequence, bias }) : kind === "LSTM" ? lstm(nin, nout, { sequence, bias }) : gru(nin, nout, { sequence, bias });

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
  const get = (n: string): tf.Tensor | undefined => p[n] as tf.Tensor | undefined;
  const vec = (n: string): number[] | undefined => (get(n) === undefined ? undefined : Array.from(get(n)!.dataSync()));
  const b = vec("bias");
  const bhn = vec("bias_hn");
  return {
    wih: get("weight_ih")!.arraySync() as Mat,
    whh: get("weight_hh")!.arraySync() as Mat,
    ...(b === undefined ? {} : { b }),
    ...(bhn === undefined ? {} : { bhn }),
  };
}


const KINDS: readonly Kind[] = ["RNN", "LSTM", "GRU"];
const [NIN, NOUT, N, T] = [3, 4, 2, 5];

describe("shapes, parameters and messages", () => {
  it("declares named packed parameters and maps (T, in) to (out,) or (T, out)", () => {
    expect(paramShapes(rnn(3, 4))).toEqual({ weight_ih: [3, 4], weight_hh: [4, 4], bias: [4] });
    expect(paramShapes(lstm(3, 4))).toEqual({ weight_ih: [3, 16], weight_hh: [4, 16], bias: [16] });
    expect(paramShapes(gru(3, 4))).toEqual({ weight_ih: [3, 12], weight_hh: [4, 12], bias: [12], bias_hn: [4] });
    expect(paramShapes(gru(3, 4, { bias: false }))).toEqual({ weight_ih: [3, 12], weight_hh: [4, 12] });
    for (const kind of KINDS) {
      const last = make(kind, NIN, NOUT, false);
      const all = make(kind, NIN, NOUT, true);
      expect(last.outputShape([T, NIN])).toEqual([NOUT]);
      expect(all.outputShape([T, NIN])).toEqual([T, NOUT]);
      const p = initParams(last, key(1));
      const x = randomArray(2, [N, T, NIN]);
      expect(forward(last, p, x).shape).toEqual([N, NOUT]);
      expect(forward(all, p, x).shape).toEqual([N, T, NOUT]);
      expect(forward(all, p, tf.slice(x, [0, 0, 0], [N, 1, NIN])).shape).toEqual([N, 1, NOUT]);
    }
  });

  it("describes itself as written and reports shape mismatches clearly", () => {
    expect(rnn(2, 8).describe()).toBe("RNN(2 => 8)");
    expect(rnn(2, 8, { activation: "relu", sequence: true }).describe()).toBe("RNN(2 => 8, relu; sequence = true)");
    expect(lstm(1, 8, { bias: false }).describe()).toBe("LSTM(1 => 8; bias = false)");
    expect(gru(1, 8, { sequence: true, bias: false }).describe()).toBe("GRU(1 => 8; sequence = true, bias = false)");
    const l = lstm(3, 4);
    expect(() => l.outputShape([5, 2])).toThrow(ShapeError);
    expect(() => l.outputShape([5, 2])).toThrow("LSTM(3 => 4) expects each observation to be a sequence of shape (T, 3) (time steps, features), got shape (5, 2)");
    expect(() => l.outputShape([3])).toThrow(/sequence of shape \(T, 3\).*got shape \(3,\)/);
    expect(() => l.outputShape([0, 3])).toThrow(/at least one time step/);
    expect(() => forward(l, initParams(l, key(1)), tf.zeros([2, 3]))).toThrow(/expects input of shape \(N, T, 3\).*got \(2, 3\)/);
    expect(() => chain(dense(2, 2), l).outputShape([5, 2])).toThrow(/layer 2 of the Chain, LSTM\(3 => 4\)/);
  });

  it("is built from the language's arguments by the registry", () => {
    const build = (name: string, positional: unknown[], keywords: Record<string, unknown> = {}) => LAYERS[name]!.make(callArgs(positional, keywords));
    expect(build("RNN", [pair(2, 8), "relu"], { sequence: true }).describe()).toBe("RNN(2 => 8, relu; sequence = true)");
    expect(build("LSTM", [pair(1, 8)]).outputShape([7, 1])).toEqual([8]);
    expect(build("GRU", [pair(1, 8)], { sequence: true, bias: false, init: "kaiming_normal" }).outputShape([7, 1])).toEqual([7, 8]);
    expect(() => build("LSTM", [pair(1, 8), "tanh"])).toThrow(/^`\w+` takes 1 positional argument \(in => out\), but 2 were given$/);
    expect(() => build("GRU", [pair(1, 8)], { sequence: 1 })).toThrow(/GRU, argument 'sequence': expected true or false/);
    expect(() => build("RNN", [3])).toThrow(/RNN, argument 1: expected a pair of sizes/);
  });

  it("initialises recurrent weights as orthogonal blocks and the LSTM forget bias to one", () => {
    const p = initParams(lstm(3, 5), key(4));
    const whh = p["weight_hh"] as tf.Tensor;
    for (let g = 0; g < 4; g++) {
      const q = tf.slice(whh, [0, g * 5], [5, 5]);
      expect(maxAbsDiff(tf.matMul(q, q, true, false), Array.from(tf.eye(5).dataSync()))).toBeLessThan(1e-5);
    }
    const blocks = [0, 1].map((g) => tf.slice(whh, [0, g * 5], [5, 5]));
    expect(maxAbsDiff(blocks[0]!, blocks[1]!)).toBeGreaterThan(0.1);
    expect(Array.from((p["bias"] as tf.Tensor).dataSync())).toEqual([...Array(5).fill(0), ...Array(5).fill(1), ...Array(10).fill(0)]);
    const wih = (p["weight_ih"] as tf.Tensor).dataSync();
    expect(Math.max(...wih.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / (3 + 20)));
    expect(Array.from((initParams(gru(2, 3), key(1))["bias_hn"] as tf.Tensor).dataSync())).toEqual([0, 0, 0]);
  });
});

describe("forward values against the float64 loop", () => {
  for (const kind of KINDS) {
    it(`${kind}: every step and the last step`, () => {
      const layer = make(kind, NIN, NOUT, true);
      const p = randomParams(layer, 10);
      const x = randomArray(11, [N, T, NIN]);
      const ref = naive(kind, toParams64(p), x.arraySync() as number[][][]);
      expect(maxAbsDiff(forward(layer, p, x), ref.flat(2))).toBeLessThan(1e-5);
      const last = forward(make(kind, NIN, NOUT, false), p, x);
      expect(maxAbsDiff(last, ref.flatMap((s) => s[T - 1]!))).toBeLessThan(1e-5);
    });
  }

  it("RNN with another activation, and layers without biases", () => {
    const layer = rnn(NIN, NOUT, { activation: "relu", sequence: true });
    const p = randomParams(layer, 12);
    const x = randomArray(13, [N, T, NIN]);
    const ref = naive("RNN", toParams64(p), x.arraySync() as number[][][], (v) => Math.max(v, 0));
    expect(maxAbsDiff(forward(layer, p, x), ref.flat(2))).toBeLessThan(1e-5);
    for (const kind of KINDS) {
      const nb = make(kind, NIN, NOUT, true, false);
      const q = randomParams(nb, 14);
      expect(maxAbsDiff(forward(nb, q, x), naive(kind, toParams64(q), x.arraySync() as number[][][]).flat(2))).toBeLessThan(1e-5);
    }
  });
});

describe("gradients against central differences of the float64 loop", () => {
  for (const kind of KINDS) {
    it(`${kind}: every parameter and the input`, () => {
      // A fixed random weighting of every hidden state, so that each step's output matters.
      const layer = make(kind, NIN, NOUT, true);
      const p = randomParams(layer, 20, 0.6);
      const x = randomArray(21, [N, T, NIN]);
      const wts = randomArray(22, [N, T, NOUT]);
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
        const xs = take([N, T, NIN]);
        const p64: Params64 = {
          wih: rows(byName["weight_ih"]!, shapes[0]![1]!),
          whh: rows(byName["weight_hh"]!, shapes[1]![1]!),
          ...(byName["bias"] ? { b: byName["bias"] } : {}),
          ...(byName["bias_hn"] ? { bhn: byName["bias_hn"] } : {}),
        };
        const x3 = rows(xs, NIN);
        const hs = naive(kind, p64, Array.from({ length: N }, (_, n) => x3.slice(n * T, (n + 1) * T))).flat(2);
        return hs.reduce((s, v, i) => s + v * w[i]!, 0);
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
  function setup(kind: Kind, sequence: boolean, batched: (name: string) => boolean) {
    const layer = make(kind, NIN, NOUT, sequence);
    const per = [0, 1, 2].map((c) => randomParams(layer, 30 + c));
    // a parameter without chain axis is the same for every chain: chain 0's
    const effective = per.map((p) => mapParams(p, (t, path) => (batched(path[0]!) ? t : pick(per[0]!, path[0]!))));
    const tree = mapParams(per[0]!, (t, path) => (batched(path[0]!) ? tf.stack(per.map((p) => pick(p, path[0]!))) : t));
    return { layer, effective, tree };
  }
  const subsets: readonly [string, (n: string) => boolean][] = [
    ["every parameter", () => true],
    ["only weight_hh (shared input part, per-chain state)", (n) => n === "weight_hh"],
    ["only weight_ih and bias (per-chain input part, shared recurrence)", (n) => n === "weight_ih" || n === "bias"],
    ["only bias_hn", (n) => n === "bias_hn"],
  ];

  for (const kind of KINDS) {
    for (const [what, batched] of subsets) {
      if (what === "only bias_hn" && kind !== "GRU") continue;
      it(`${kind}, ${what}: equal C separate calls, shared and per-chain input`, () => {
        for (const sequence of [false, true]) {
          const { layer, effective, tree } = setup(kind, sequence, batched);
          const x = randomArray(40, [N, T, NIN]);
          const y = forward(layer, tree, x, { batched: true });
          expect(y.shape).toEqual(sequence ? [C, N, T, NOUT] : [C, N, NOUT]);
          effective.forEach((p, c) => expect(maxAbsDiff(tf.gather(y, c), forward(layer, p, x))).toBeLessThan(1e-5));
          const xs = randomArray(41, [C, N, T, NIN]);
          const ys = forward(layer, tree, xs, { batched: true, inputBatched: true });
          effective.forEach((p, c) => expect(maxAbsDiff(tf.gather(ys, c), forward(layer, p, tf.gather(xs, c)))).toBeLessThan(1e-5));
        }
      });
    }

    it(`${kind}: gradients with respect to batched parameters equal per-chain gradients`, () => {
      for (const [, batched] of [subsets[0]!, subsets[1]!]) {
        const { layer, tree } = setup(kind, true, batched);
        const x = randomArray(42, [N, T, NIN]);
        const wts = randomArray(43, [N, T, NOUT]);
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
  }
});


describe("backends and memory", () => {
  it("cpu and wasm give the same outputs and gradients", async () => {
    const original = tf.getBackend() as BackendName;
    try {
      for (const kind of KINDS) {
        for (const chains of [false, true]) {
          const layer = make(kind, NIN, NOUT, true);
          const f = (): tf.Tensor[] => {
            const base = randomParams(layer, 50);
            const p = chains ? mapParams(base, (t) => tf.stack([t, tf.mul(t, -0.5)])) : base;
            const x = randomArray(51, [N, T, NIN]);
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
    for (const kind of KINDS) {
      for (const sequence of [false, true]) {
        const layer = make(kind, NIN, NOUT, sequence);
        const p = initParams(layer, key(60));
        const pc = mapParams(p, (t, path) => (path[0] === "weight_hh" ? tf.stack([t, t]) : t));
        const x = tf.ones([N, T, NIN]);
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
