/**
 * Multi-head self-attention over batch-first sequences (Vaswani et al. 2017).
 *
 * x `[N, T, dim]` (observations, time steps, features) → `[N, T, dim]`. With h heads of size
 * d = dim / h:
 *   Q = x W_q + b_q,   K = x W_k + b_k,   V = x W_v + b_v          (each `[N, T, dim]`)
 *   head i = softmax(Q_i K_iᵀ / √d) V_i                              (Q_i: columns i·d ..< (i+1)·d)
 *   y = [head 1 … head h] W_o + b_o
 * The softmax runs over the keys (the last axis of the `[T, T]` scores). With `causal = true`
 * position t attends to positions 1..t only: the scores of later keys are set to −∞ before the
 * softmax, so their weights are exactly zero; the diagonal is never hidden, so no row is empty.
 *
 * Parameters, every head packed side by side along the last axis (as PyTorch's
 * `nn.MultiheadAttention` and Keras's `MultiHeadAttention`, rows being observations as in Dense):
 *   `weight_q`, `weight_k`, `weight_v`  `[dim, dim]`  input projections, applied as x @ W
 *   `weight_o`                          `[dim, dim]`  output projection of the joined heads
 *   `bias_q`, `bias_k`, `bias_v`, `bias_o`  `[dim]`   (absent with `bias = false`)
 * Weights are initialised by `init` (glorot_uniform over each `[dim, dim]` matrix, as Keras),
 * biases to zero.
 *
 * Cost: one product per projection for every head at once; the heads are then separated by
 * a reshape and one transpose per operand (none for a single head), and the scores and the
 * weighted values are one batched product each over every observation and head. K is
 * transposed straight into `[.., d, T]` so that the score product needs no transposed
 * operand (which on wasm would leave the fast path, see core/kernels/batch-matmul.ts).
 *
 * Chain axis (layer.ts): with `ctx.batched`, x is `[B, N, T, dim]`, B ∈ {1, C}, and each
 * parameter may carry a leading chain axis. The projections go through batched.ts `linear`;
 * when Q, K and V end up with different leading sizes (1 and C) the ones of size 1 are
 * broadcast to C so that the batched products see equal batch axes (tfjs's matMul gradient
 * does not reduce over a broadcast batch axis). With shared data and shared input
 * projections the attention itself runs once for every chain.
 */
import { tf } from "../core/engine.js";
import { carriesBatch, lift, linear } from "./batched.js";
import { glorotUniform, zerosInit, type Initialiser } from "./init.js";
import { ShapeError, fmtShape, getParam, positiveInt, type ApplyContext, type Layer, type SpecTree } from "./layer.js";
import type { ParamTree, Shape } from "./tree.js";

export interface AttentionOptions {
  /** Number of heads; must divide `dim`. Default 1. */
  readonly heads?: number;
  /** Hide later positions from each query (autoregressive models). Default false. */
  readonly causal?: boolean;
  /** Whether the projections have biases. Default true. */
  readonly bias?: boolean;
  /** Initialiser of the four weights. Default glorot_uniform. */
  readonly init?: Initialiser;
}

export interface AttentionLayer extends Layer {
  readonly kind: "MultiHeadAttention";
  readonly dim: number;
  readonly heads: number;
  readonly causal: boolean;
  readonly bias: boolean;
}

type Projection = "q" | "k" | "v" | "o";

/** `MultiHeadAttention(dim; heads, causal, bias, init)`; see the module comment. */
export function multiHeadAttention(dim: number, options: AttentionOptions = {}): AttentionLayer {
  positiveInt(dim, "MultiHeadAttention size");
  const heads = positiveInt(options.heads ?? 1, "MultiHeadAttention heads");
  if (dim % heads !== 0) throw new ShapeError(`MultiHeadAttention: the size ${dim} must be divisible by the number of heads, got heads = ${heads}`);
  const causal = options.causal ?? false;
  const useBias = options.bias ?? true;
  const init = options.init ?? glorotUniform();
  const specs: SpecTree = {
    weight_q: { shape: [dim, dim], init },
    weight_k: { shape: [dim, dim], init },
    weight_v: { shape: [dim, dim], init },
    weight_o: { shape: [dim, dim], init },
    ...(useBias
      ? {
          bias_q: { shape: [dim], init: zerosInit },
          bias_k: { shape: [dim], init: zerosInit },
          bias_v: { shape: [dim], init: zerosInit },
          bias_o: { shape: [dim], init: zerosInit },
        }
      : {}),
  };
  const name = `MultiHeadAttention(${dim})`;
  const flags = [heads === 1 ? "" : `heads = ${heads}`, causal ? "causal = true" : "", useBias ? "" : "bias = false"].filter((s) => s !== "");
  return {
    kind: "MultiHeadAttention",
    dim,
    heads,
    causal,
    bias: useBias,
    describe: () => `MultiHeadAttention(${dim}${flags.length > 0 ? `; ${flags.join(", ")}` : ""})`,
    paramSpecs: () => specs,
    outputShape: (inputShape: Shape): Shape => {
      if (inputShape.length !== 2 || inputShape[1] !== dim) {
        throw new ShapeError(`${name} expects each observation to be a sequence of shape (T, ${dim}) (time steps, features), got shape ${fmtShape(inputShape)}`);
      }
      if (inputShape[0]! < 1) throw new ShapeError(`${name} needs at least one time step, got shape ${fmtShape(inputShape)}`);
      return [...inputShape];
    },
    apply: (params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor => attend(name, dim, heads, causal, useBias, params, x, ctx),
  };
}

function attend(name: string, dim: number, heads: number, causal: boolean, useBias: boolean, params: ParamTree, x: tf.Tensor, ctx: ApplyContext): tf.Tensor {
  const rank = 3 + Number(ctx.batched);
  if (x.rank !== rank || x.shape[rank - 1] !== dim) {
    const want = ctx.batched ? `(B, N, T, ${dim})` : `(N, T, ${dim})`;
    throw new ShapeError(`${name} expects input of shape ${want} (observations, time steps, features), got ${fmtShape(x.shape)}`);
  }
  const steps = x.shape[rank - 2]!;
  if (steps < 1) throw new ShapeError(`${name} needs at least one time step, got input of shape ${fmtShape(x.shape)}`);

  const project = (which: Projection, input: tf.Tensor): tf.Tensor => {
    const wName = `weight_${which}`;
    const w = getParam(params, wName, ctx);
    const y = linear(input, w, carriesBatch(w, 2, wName, ctx));
    if (!useBias) return y;
    const bName = `bias_${which}`;
    const b = getParam(params, bName, ctx);
    return tf.add(y, lift(b, y.rank, carriesBatch(b, 1, bName, ctx)));
  };

  const d = dim / heads;
  // the scores' 1/√d goes on Q: no larger than the scores once T ≥ d, and scaled before any
  // broadcast to the chains
  let q = tf.mul(project("q", x), 1 / Math.sqrt(d));
  let k = project("k", x);
  let v = project("v", x);
  if (ctx.batched) [q, k, v] = alignChains(name, [q, k, v]);

  const lead = q.shape.slice(0, -2);
  const rows = lead.reduce((a, b) => a * b, 1);
  // heads apart: [.., T, h·d] → [M, h, T, d] for Q and V, [M, h, d, T] for K
  const split = (t: tf.Tensor, perm: number[]): tf.Tensor => tf.transpose(tf.reshape(t, [rows, steps, heads, d]), perm);
  const qh = heads === 1 ? q : split(q, [0, 2, 1, 3]);
  const vh = heads === 1 ? v : split(v, [0, 2, 1, 3]);
  let scores = heads === 1 ? tf.matMul(qh, k, false, true) : tf.matMul(qh, split(k, [0, 2, 3, 1]));
  if (causal) scores = tf.add(scores, causalMask(steps));
  const mixed = tf.matMul(tf.softmax(scores), vh);
  const joined = heads === 1 ? mixed : tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [...lead, steps, dim]);
  return project("o", joined);
}

/**
 * Q, K, V with equal leading (chain) sizes: a size of 1 is broadcast to the others' C.
 * Throws when two differ and neither is 1.
 */
function alignChains(name: string, ts: readonly [tf.Tensor, tf.Tensor, tf.Tensor]): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const sizes = ts.map((t) => t.shape[0]!);
  const chains = Math.max(...sizes);
  if (sizes.every((s) => s === chains)) return [...ts];
  const bad = sizes.find((s) => s !== 1 && s !== chains);
  if (bad !== undefined) throw new ShapeError(`${name}: the query, key and value projections have ${sizes.join(", ")} chains`);
  return ts.map((t) => (t.shape[0] === chains ? t : tf.broadcastTo(t, [chains, ...t.shape.slice(1)]))) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** `[T, T]`: 0 where key s ≤ query t, −∞ after; added to the scores. */
function causalMask(steps: number): tf.Tensor {
  const m = new Float32Array(steps * steps);
  for (let t = 0; t < steps; t++) m.fill(-Infinity, t * steps + t + 1, (t + 1) * steps);
  return tf.tensor2d(m, [steps, steps]);
}
