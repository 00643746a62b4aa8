/**
 * Recurrent layers over batch-first sequences: RNN, LSTM and GRU.
 *
 * x `[N, T, in]` (observations, time steps, features) → the last hidden state `[N, out]`, or
 * every step's `[N, T, out]` with `sequence = true`. The state starts at zero.
 *
 * Parameters, with k gates packed side by side along the last axis (k = 1, 4, 3):
 *   `weight_ih` `[in, k·out]`   input weights, applied as x_t @ W (rows are observations,
 *                               as in Dense; PyTorch stores the transpose)
 *   `weight_hh` `[out, k·out]`  recurrent weights, h_{t−1} @ W
 *   `bias`      `[k·out]`       added to the input part
 *   `bias_hn`   `[out]`         GRU only: the recurrent bias of the candidate, see `gru`
 * Gate order within the packed axis follows PyTorch (and Keras): LSTM (i, f, g, o), GRU
 * (r, z, n), so trained weights carry over by transposing.
 *
 * Initialisation: `weight_ih` glorot_uniform over the packed shape (fans in and k·out, as
 * Keras does); `weight_hh` an independent random orthogonal `[out, out]` block per gate, which
 * keeps the repeated product h @ W_hh from growing or shrinking early in training (Saxe et
 * al. 2014); biases zero except the LSTM forget gate's, one, so that the cell state is kept
 * rather than forgotten at the start (Jozefowicz et al. 2015).
 *
 * Cost: the input part of every gate for every step is one product before the loop
 * (x `[..., T, in]` @ W_ih, bias added once); the loop then runs 3 (RNN) or 12 (LSTM, GRU)
 * kernels per step, one of them the product h @ W_hh. tfjs dispatch costs microseconds per op,
 * so the per-step work is kept to what the recurrence needs.
 *
 * Chain axis (layer.ts): with `ctx.batched`, x is `[B, N, T, in]`, B ∈ {1, C}, and each
 * parameter may carry a leading chain axis. When neither recurrent parameter (`weight_hh`,
 * `bias_hn`) does, the loop runs on `[B'·N, out]` matrices with plain 2-D products; otherwise
 * on `[C, N, out]` with one batched product per step (batched.ts `linear`).
 */
import { tf } from "../core/engine.js";
import { normalArray, type Key } from "../core/random.js";
import { toActivation, type Activation } from "./activations.js";
import { carriesBatch, lift, linear } from "./batched.js";
import { glorotUniform, zerosInit, type Initialiser } from "./init.js";
import { ShapeError, fmtShape, getParam, positiveInt, type ApplyContext, type Layer, type SpecTree } from "./layer.js";
import type { ParamTree, Shape } from "./tree.js";

export interface RecurrentOptions {
  /** Return every step's hidden state `[N, T, out]` instead of the last `[N, out]`. Default false. */
  readonly sequence?: boolean;
  /** Whether the layer has biases. Default true. */
  readonly bias?: boolean;
  /** Initialiser of `weight_ih`. Default glorot_uniform. */
  readonly init?: Initialiser;
  /** Initialiser of `weight_hh`. Default: an orthogonal block per gate (`orthogonalBlocks`). */
  readonly recurrentInit?: Initialiser;
}

export interface RnnOptions extends RecurrentOptions {
  /** The nonlinearity of the update. Default tanh. */
  readonly activation?: Activation | string;
}

export interface RecurrentLayer extends Layer {
  readonly kind: "RNN" | "LSTM" | "GRU";
  readonly nin: number;
  readonly nout: number;
  readonly sequence: boolean;
  readonly bias: boolean;
}

/**
 * Random orthogonal blocks for a `[r, c]` weight: each run of r columns is an independent
 * orthogonal `[r, r]` matrix (the last run cut to fit), scaled by `gain`. Each block is the Q
 * of a Gaussian matrix's QR decomposition with R's diagonal positive, which makes Q uniformly
 * (Haar) distributed; QR is Gram–Schmidt in float64, each column orthogonalised twice.
 */
export function orthogonalBlocks(gain = 1): Initialiser {
  return (key: Key, shape: Shape): tf.Tensor => {
    if (shape.length !== 2) throw new ShapeError(`the orthogonal initialiser needs a matrix, got shape ${fmtShape(shape)}`);
    const [r, c] = [shape[0]!, shape[1]!];
    const blocks = Math.ceil(c / r);
    const z = normalArray(key, blocks * r * r);
    const out = new Float32Array(r * c);
    for (let b = 0; b < blocks; b++) {
      const q = orthonormalColumns(z.subarray(b * r * r, (b + 1) * r * r), r);
      for (let j = 0; j < r && b * r + j < c; j++) {
        for (let i = 0; i < r; i++) out[i * c + b * r + j] = gain * q[j]![i]!;
      }
    }
    return tf.tensor(out, [r, c], "float32");
  };
}

/** Columns of the row-major `[r, r]` matrix `a`, orthonormalised in order (Gram–Schmidt, two passes). */
function orthonormalColumns(a: Float32Array, r: number): Float64Array[] {
  const q: Float64Array[] = [];
  for (let j = 0; j < r; j++) {
    const v = Float64Array.from({ length: r }, (_, i) => a[i * r + j]!);
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        let d = 0;
        for (let i = 0; i < r; i++) d += u[i]! * v[i]!;
        for (let i = 0; i < r; i++) v[i]! -= d * u[i]!;
      }
    }
    let sq = 0;
    for (let i = 0; i < r; i++) sq += v[i]! * v[i]!;
    const norm = Math.sqrt(sq);
    for (let i = 0; i < r; i++) v[i]! /= norm;
    q.push(v);
  }
  return q;
}

/** Zeros with ones on the LSTM forget gate's slice `[out, 2·out)` of the packed bias. */
function forgetOnes(nout: number): Initialiser {
  return (_key, shape) => {
    const b = new Float32Array(shape[0]!);
    b.fill(1, nout, 2 * nout);
    return tf.tensor1d(b);
  };
}

/** The recurrent state after a step: h, and the LSTM cell c. */
interface State {
  readonly h: tf.Tensor;
  readonly c?: tf.Tensor;
}

/**
 * One time step. `xs` are this step's input parts (biases included), `prev` the previous
 * state or undefined at t = 1 (where h₀ = c₀ = 0 lets the recurrent product be skipped),
 * `hh` the product h @ W_hh.
 */
type Step = (xs: readonly tf.Tensor[], prev: State | undefined, hh: (h: tf.Tensor) => tf.Tensor) => State;

interface CellPlan {
  readonly kind: RecurrentLayer["kind"];
  readonly gates: number;
  /** Sizes into which the packed input part is split before the loop (one part: whole). */
  readonly inputParts: readonly number[];
  /** The step, given the recurrent bias (GRU) arranged for the state's rank, if any. */
  readonly step: (bhn: tf.Tensor | undefined) => Step;
}

function recurrentLayer(plan: CellPlan, nin: number, nout: number, options: RecurrentOptions, label: string, specs: SpecTree): RecurrentLayer {
  const sequence = options.sequence ?? false;
  const useBias = options.bias ?? true;
  const name = `${plan.kind}(${nin} => ${nout})`;
  const flags = [sequence ? "sequence = true" : "", useBias ? "" : "bias = false"].filter((s) => s !== "");
  return {
    kind: plan.kind,
    nin,
    nout,
    sequence,
    bias: useBias,
    describe: () => `${plan.kind}(${nin} => ${nout}${label}${flags.length > 0 ? `; ${flags.join(", ")}` : ""})`,
    paramSpecs: () => specs,
    outputShape: (inputShape: Shape): Shape => {
      if (inputShape.length !== 2 || inputShape[1] !== nin) {
        throw new ShapeError(`${name} expects each observation to be a sequence of shape (T, ${nin}) (time steps, features), got shape ${fmtShape(inputShape)}`);
      }
      if (inputShape[0]! < 1) throw new ShapeError(`${name} needs at least one time step, got shape ${fmtShape(inputShape)}`);
      return sequence ? [inputShape[0]!, nout] : [nout];
    },
    apply: (params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor => run(plan, name, nin, nout, sequence, useBias, params, x, ctx),
  };
}

function run(plan: CellPlan, name: string, nin: number, nout: number, sequence: boolean, useBias: boolean, params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor {
  const rank = 3 + Number(ctx.batched);
  if (x.rank !== rank || x.shape[rank - 1] !== nin) {
    const want = ctx.batched ? `(B, N, T, ${nin})` : `(N, T, ${nin})`;
    throw new ShapeError(`${name} expects input of shape ${want} (observations, time steps, features), got ${fmtShape(x.shape)}`);
  }
  const steps = x.shape[rank - 2]!;
  if (steps < 1) throw new ShapeError(`${name} needs at least one time step, got input of shape ${fmtShape(x.shape)}`);

  const wih = getParam(params, "weight_ih", ctx);
  const whh = getParam(params, "weight_hh", ctx);
  const wihB = carriesBatch(wih, 2, "weight_ih", ctx);
  const whhB = carriesBatch(whh, 2, "weight_hh", ctx);
  let xw = linear(x, wih, wihB);
  if (useBias) {
    const b = getParam(params, "bias", ctx);
    xw = tf.add(xw, lift(b, xw.rank, carriesBatch(b, 1, "bias", ctx)));
  }
  const bhn = plan.kind === "GRU" && useBias ? getParam(params, "bias_hn", ctx) : undefined;
  const bhnB = bhn !== undefined && carriesBatch(bhn, 1, "bias_hn", ctx);

  // Per-chain state only when a recurrent parameter differs by chain; otherwise every row of
  // every chain runs the same recurrence and the loop works on plain matrices.
  const perChain = whhB || bhnB;
  const lead = xw.shape.slice(0, -2);
  const k = plan.gates * nout;
  let chains = 0;
  let seq: tf.Tensor;
  if (perChain) {
    chains = whhB ? whh.shape[0]! : bhn!.shape[0]!;
    const b = xw.shape[0]!;
    if (b !== 1 && b !== chains) throw new ShapeError(`${name}: input has ${b} batch rows but the recurrent parameters have ${chains} chains`);
    seq = tf.transpose(xw, [2, 0, 1, 3]); // [T, B', N, k·out]
  } else {
    seq = tf.transpose(tf.reshape(xw, [-1, steps, k]), [1, 0, 2]); // [T, M, k·out]
  }
  const parts = plan.inputParts.length === 1 ? [seq] : tf.split(seq, [...plan.inputParts], -1);
  const perStep = parts.map((p) => tf.unstack(p));
  const hh = perChain ? (h: tf.Tensor) => linear(h, whh, whhB) : (h: tf.Tensor) => tf.matMul(h as tf.Tensor2D, whh as tf.Tensor2D);
  const step = plan.step(bhn === undefined ? undefined : perChain ? lift(bhn, 3, bhnB) : bhn);

  const hs: tf.Tensor[] = [];
  let state: State | undefined;
  for (let t = 0; t < steps; t++) {
    state = step(perStep.map((p) => p[t]!), state, hh);
    if (t === 0 && perChain && state.h.shape[0] !== chains) {
      // shared input and shared input weights: give the state its chain axis now, so that
      // every step's output has the same shape (the cell state broadcasts by itself)
      state = { ...state, h: tf.broadcastTo(state.h, [chains, ...state.h.shape.slice(1)]) };
    }
    if (sequence) hs.push(state.h);
  }
  const last = state!.h;
  if (perChain) return sequence ? tf.stack(hs, 2) : last;
  return sequence ? tf.reshape(tf.stack(hs, 1), [...lead, steps, nout]) : tf.reshape(last, [...lead, nout]);
}

function weightSpecs(nin: number, nout: number, gates: number, options: RecurrentOptions): SpecTree {
  return {
    weight_ih: { shape: [nin, gates * nout], init: options.init ?? glorotUniform() },
    weight_hh: { shape: [nout, gates * nout], init: options.recurrentInit ?? orthogonalBlocks() },
  };
}

/**
 * `RNN(nin => nout, activation = tanh)`: h_t = activation(x_t W_ih + h_{t−1} W_hh + b), h₀ = 0
 * (Elman). Parameters `weight_ih` `[nin, nout]`, `weight_hh` `[nout, nout]`, `bias` `[nout]`.
 */
export function rnn(nin: number, nout: number, options: RnnOptions = {}): RecurrentLayer {
  positiveInt(nin, "RNN input size");
  positiveInt(nout, "RNN output size");
  const act = toActivation(options.activation ?? "tanh");
  const specs: SpecTree = {
    ...weightSpecs(nin, nout, 1, options),
    ...((options.bias ?? true) ? { bias: { shape: [nout], init: zerosInit } } : {}),
  };
  const plan: CellPlan = {
    kind: "RNN",
    gates: 1,
    inputParts: [nout],
    step: () => (xs, prev, hh) => ({ h: act.fn(prev === undefined ? xs[0]! : tf.add(xs[0]!, hh(prev.h))) }),
  };
  return recurrentLayer(plan, nin, nout, options, act.name === "tanh" ? "" : `, ${act.name}`, specs);
}

/**
 * `LSTM(nin => nout)` (Hochreiter & Schmidhuber 1997, with a forget gate, no peepholes):
 *   [i f g o] = x_t W_ih + h_{t−1} W_hh + b      (packed in this order: input, forget,
 *   i, f, o = σ(·),  g = tanh(·)                   cell candidate, output, as PyTorch)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t),   h₀ = c₀ = 0.
 * Parameters `weight_ih` `[nin, 4·nout]`, `weight_hh` `[nout, 4·nout]`, `bias` `[4·nout]` with
 * the forget slice initialised to one.
 */
export function lstm(nin: number, nout: number, options: RecurrentOptions = {}): RecurrentLayer {
  positiveInt(nin, "LSTM input size");
  positiveInt(nout, "LSTM output size");
  const specs: SpecTree = {
    ...weightSpecs(nin, nout, 4, options),
    ...((options.bias ?? true) ? { bias: { shape: [4 * nout], init: forgetOnes(nout) } } : {}),
  };
  const plan: CellPlan = {
    kind: "LSTM",
    gates: 4,
    inputParts: [4 * nout],
    step: () => (xs, prev, hh) => {
      const pre = prev === undefined ? xs[0]! : tf.add(xs[0]!, hh(prev.h));
      const [i, f, g, o] = tf.split(pre, 4, -1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const ig = tf.mul(tf.sigmoid(i), tf.tanh(g));
      // with c₀ = 0 the forget gate has nothing to act on at the first step
      const c = prev === undefined ? ig : tf.add(tf.mul(tf.sigmoid(f), prev.c!), ig);
      return { h: tf.mul(tf.sigmoid(o), tf.tanh(c)), c };
    },
  };
  return recurrentLayer(plan, nin, nout, options, "", specs);
}

/**
 * `GRU(nin => nout)` in PyTorch's formulation (the reset gate multiplies the recurrent
 * product after its bias; Cho et al. 2014 apply it to h before the product, which would need a
 * second product per step):
 *   [r z n]ₓ = x_t W_ih + b,   [r z n]ₕ = h_{t−1} W_hh       (packed in the order r, z, n)
 *   r = σ(rₓ + rₕ),   z = σ(zₓ + zₕ)
 *   n = tanh(nₓ + r ⊙ (nₕ + b_hn))
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1},   h₀ = 0.
 * Parameters `weight_ih` `[nin, 3·nout]`, `weight_hh` `[nout, 3·nout]`, `bias` `[3·nout]`, and
 * `bias_hn` `[nout]`, the one recurrent bias that is not redundant: PyTorch's recurrent biases
 * for r and z only add to `bias`, which a posterior could not tell apart.
 */
export function gru(nin: number, nout: number, options: RecurrentOptions = {}): RecurrentLayer {
  positiveInt(nin, "GRU input size");
  positiveInt(nout, "GRU output size");
  const specs: SpecTree = {
    ...weightSpecs(nin, nout, 3, options),
    ...((options.bias ?? true) ? { bias: { shape: [3 * nout], init: zerosInit }, bias_hn: { shape: [nout], init: zerosInit } } : {}),
  };
  const plan: CellPlan = {
    kind: "GRU",
    gates: 3,
    // r and z take the same path and are split after one sigmoid; n is kept apart
    inputParts: [2 * nout, nout],
    step: (bhn) => (xs, prev, hh) => {
      const [xrz, xn] = xs as [tf.Tensor, tf.Tensor];
      if (prev === undefined) {
        const [r, z] = tf.split(tf.sigmoid(xrz), 2, -1) as [tf.Tensor, tf.Tensor];
        const n = tf.tanh(bhn === undefined ? xn : tf.add(xn, tf.mul(r, bhn)));
        return { h: tf.sub(n, tf.mul(z, n)) };
      }
      const [hrz, hnRaw] = tf.split(hh(prev.h), [2 * nout, nout], -1) as [tf.Tensor, tf.Tensor];
      const hn = bhn === undefined ? hnRaw : tf.add(hnRaw, bhn);
      const [r, z] = tf.split(tf.sigmoid(tf.add(xrz, hrz)), 2, -1) as [tf.Tensor, tf.Tensor];
      const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
      return { h: tf.add(n, tf.mul(z, tf.sub(prev.h, n))) };
    },
  };
  return recurrentLayer(plan, nin, nout, options, "", specs);
}
