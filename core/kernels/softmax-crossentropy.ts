/**
 * Softmax cross-entropy from logits as ONE kernel forward and one backward, on the backends
 * whose buffers live in host memory (cpu, wasm), looping in float64.
 *
 * Why: nn/losses.ts's `crossentropy` composed from ops (one-hot of the labels, log-softmax,
 * product, sums, mean) is about 14 kernel launches forward and as many backward per training
 * step; every classifier pays them. Per row r of logits z (K classes) and targets y:
 *   loss_r = Σₖ yₖ (lse − zₖ), lse = m + log Σₖ exp(zₖ − m), m = maxₖ zₖ;
 *   ∂loss_r/∂zₖ = softmaxₖ · Σⱼ yⱼ − yₖ;   ∂loss_r/∂yₖ = lse − zₖ.
 * Integer labels (1-based, as the language counts) stand for one-hot rows; a label outside
 * 1..K is a row of zeros, as tf.oneHot makes it. The mean or sum over rows is taken inside.
 */
import * as tf from "@tensorflow/tfjs";
import { registerHostKernels, hostKernelApplies, type Attrs } from "../host-kernels.js";
import { hostMemory } from "../host-memory.js";
import type { KernelFunc } from "./compose.js";

export const SOFTMAX_XENT = "DlmSoftmaxCrossEntropy";
export const SOFTMAX_XENT_GRAD = "DlmSoftmaxCrossEntropyGrad";

/** Largest logits tensor taken on wasm (as log-sum-exp's bound; above it the ops). */
export const SOFTMAX_XENT_HOST_MAX_SIZE = 131_072;

export type XentAggregate = "mean" | "sum" | "none";

interface Dims {
  readonly rows: number;
  readonly k: number;
  readonly labels: boolean;
  readonly agg: XentAggregate;
}
const dims = (a: Attrs): Dims => ({ rows: a["rows"] as number, k: a["k"] as number, labels: a["labels"] as boolean, agg: a["agg"] as XentAggregate });

/** Row r's maximum and log Σ exp; NaN and infinities propagate as in the ops. */
function rowLse(z: ArrayLike<number>, base: number, k: number): [number, number] {
  let m = -Infinity;
  for (let j = 0; j < k; j++) if (z[base + j]! > m) m = z[base + j]!;
  let s = 0;
  for (let j = 0; j < k; j++) s += Math.exp(z[base + j]! - m);
  return [m, m + Math.log(s)];
}

/** The target's class of row r for labels (−1 when out of range: a row of zeros). */
function labelOf(y: ArrayLike<number>, r: number, k: number): number {
  const c = Math.trunc(y[r]! - 1);
  return c >= 0 && c < k ? c : -1;
}

function forwardKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const mem = hostMemory(backend, backendName);
    const { rows, k, labels, agg } = dims(attrs);
    const out = mem.alloc(attrs["outShape"] as number[]);
    const [z, y, o] = [mem.view(inputs["logits"]!), mem.view(inputs["target"]!), mem.view(out)];
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * k;
      const lse = rowLse(z, base, k)[1];
      let loss = 0;
      if (labels) {
        const c = labelOf(y, r, k);
        loss = c < 0 ? 0 : lse - z[base + c]!;
      } else for (let j = 0; j < k; j++) loss += y[base + j]! * (lse - z[base + j]!);
      if (agg === "none") o[r] = loss;
      else total += loss;
    }
    if (agg !== "none") o[0] = agg === "mean" ? total / rows : total;
    return out;
  };
}

function gradientKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const mem = hostMemory(backend, backendName);
    const { rows, k, labels, agg } = dims(attrs);
    const g = mem.alloc(inputs["logits"]!.shape);
    const [z, y, dy, gv] = [mem.view(inputs["logits"]!), mem.view(inputs["target"]!), mem.view(inputs["dy"]!), mem.view(g)];
    for (let r = 0; r < rows; r++) {
      const base = r * k;
      const d = agg === "none" ? dy[r]! : agg === "mean" ? dy[0]! / rows : dy[0]!;
      const [m, lse] = rowLse(z, base, k);
      const c = labels ? labelOf(y, r, k) : -1;
      let mass = labels ? (c < 0 ? 0 : 1) : 0;
      if (!labels) for (let j = 0; j < k; j++) mass += y[base + j]!;
      const logS = lse - m;
      for (let j = 0; j < k; j++) {
        const yj = labels ? (j === c ? 1 : 0) : y[base + j]!;
        gv[base + j] = d * (Math.exp(z[base + j]! - m - logS) * mass - yj);
      }
    }
    return g;
  };
}

const gradient: tf.GradConfig = {
  kernelName: SOFTMAX_XENT,
  inputsToSave: ["logits", "target"],
  gradFunc: (dy, saved, attrs) => {
    const [logits, target] = saved as [tf.Tensor, tf.Tensor];
    const a = attrs as Attrs;
    const { rows, labels, agg } = dims(a);
    return {
      logits: () => tf.engine().runKernel(SOFTMAX_XENT_GRAD, { logits, target, dy: dy as tf.Tensor }, a) as tf.Tensor,
      // Labels are integers: no gradient. Probabilities: −dy_r · log softmax(z) (rarely asked for, so from ops).
      target: () => {
        if (labels) return tf.zerosLike(target);
        const d = agg === "none" ? tf.expandDims(dy as tf.Tensor, -1) : agg === "mean" ? tf.div(dy as tf.Tensor, rows) : (dy as tf.Tensor);
        return tf.mul(tf.neg(tf.logSoftmax(logits, -1)), d);
      },
    };
  },
};

/** Register the two kernels on the host-memory backends and the gradient; idempotent. */
export function installSoftmaxCrossEntropyKernels(): void {
  registerHostKernels([[SOFTMAX_XENT, forwardKernel], [SOFTMAX_XENT_GRAD, gradientKernel]], gradient);
}

/**
 * Cross-entropy of `logits` `[..., K]` against 1-based integer `labels` `[...]` or probability
 * rows `[..., K]` (`labels` says which), aggregated by `agg` over all rows; undefined where the
 * kernel does not apply (another backend, logits not float32 or on wasm above
 * SOFTMAX_XENT_HOST_MAX_SIZE, probabilities not float32): the caller composes it from ops.
 */
export function fusedSoftmaxCrossEntropy(logits: tf.Tensor, target: tf.Tensor, labels: boolean, agg: XentAggregate): tf.Tensor | undefined {
  if (!hostKernelApplies(SOFTMAX_XENT, logits, SOFTMAX_XENT_HOST_MAX_SIZE)) return undefined;
  if (!labels && target.dtype !== "float32") return undefined;
  const k = logits.shape.at(-1)!;
  const rowShape = logits.shape.slice(0, -1);
  const rows = rowShape.reduce((p, d) => p * d, 1);
  if (k === 0 || (agg === "mean" && rows === 0)) return undefined;
  const attrs = { rows, k, labels, agg, outShape: agg === "none" ? rowShape : [] };
  return tf.engine().runKernel(SOFTMAX_XENT, { logits, target }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
