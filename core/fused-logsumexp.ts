/**
 * log Σ exp(x) over a run of adjacent axes as ONE kernel forward and one backward, on the
 * backends whose buffers live in host memory (cpu, wasm), looping in float64.
 *
 * Why: the op-composed form (special-log.ts, `logSumExp`) guards an infinite maximum and
 * carries a custom gradient, about a dozen kernels forward and half as many backward, and on
 * wasm each launch costs microseconds. The forward algorithm of a hidden Markov model takes
 * one log-sum-exp per round and a mixture one per evaluation, so those models spent a large
 * part of every gradient there.
 *
 * The input is viewed as `[outer, n, inner]`, the reduced axes being the middle run; per
 * output element, with m the maximum of its n inputs:
 *   lse = m + log Σ exp(x − m), and −∞ for an all −∞ slice, +∞ where m = +∞, NaN with a NaN;
 *   ∂lse/∂x = exp(x − m) / Σ exp(x − m) (softmax along the slice, recomputed in float64),
 *   0 on an all −∞ slice.
 *
 * This file imports TensorFlow.js directly (like kernels/), because engine.ts installs it.
 */
import * as tf from "@tensorflow/tfjs";
import { hostMemory } from "./host-memory.js";
import { gradientFromX, hostKernelApplies, registerHostKernels, type Attrs } from "./host-kernels.js";
import type { KernelFunc } from "./kernels/compose.js";

/**
 * Largest tensor the kernel takes on wasm. Unlike the fused log densities (HOST_LOOP_MAX_SIZE),
 * the loop beats wasm's vectorised kernels at every size measured, 64 to 128,000 elements
 * (bench/logsumexp.ts: 1.5–2.2× at 8,000–128,000, value and gradient): the composition's
 * broadcasts and its gradient's Tile cost more than one exp per element. Above this size
 * (not measured) the composition is kept.
 */
export const LOG_SUM_EXP_HOST_MAX_SIZE = 131_072;

/** Kernel name. Input x; attrs outer, n, inner (x's size is their product), outShape. Output lse of outShape (outer·inner elements). */
export const LOG_SUM_EXP = "DlmLogSumExp";
/** Kernel name of the gradient. Inputs x and dy; attrs as the forward's. Output ∂/∂x, shaped like x. */
export const LOG_SUM_EXP_GRAD = "DlmLogSumExpGrad";

const dims = (attrs: Attrs): [number, number, number] => [attrs["outer"] as number, attrs["n"] as number, attrs["inner"] as number];

function forwardKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const mem = hostMemory(backend, backendName);
    const xi = inputs["x"]!;
    const [outer, n, inner] = dims(attrs);
    const out = mem.alloc(attrs["outShape"] as number[]);
    // Views only after the last allocation (a wasm heap that grows detaches older views).
    const [xv, ov] = [mem.view(xi), mem.view(out)];
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let m = -Infinity;
        let nan = false;
        for (let k = 0; k < n; k++) {
          const v = xv[base + k * inner]!;
          if (v > m) m = v;
          else if (Number.isNaN(v)) nan = true;
        }
        let r: number;
        if (nan) r = NaN;
        else if (m === -Infinity || m === Infinity) r = m;
        else {
          let s = 0;
          for (let k = 0; k < n; k++) s += Math.exp(xv[base + k * inner]! - m);
          r = m + Math.log(s);
        }
        ov[o * inner + i] = r;
      }
    }
    return out;
  };
}

function gradientKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const mem = hostMemory(backend, backendName);
    const [xi, dyi] = [inputs["x"]!, inputs["dy"]!];
    const [outer, n, inner] = dims(attrs);
    const g = mem.alloc(xi.shape);
    const [xv, dv, gv] = [mem.view(xi), mem.view(dyi), mem.view(g)];
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const d = dv[o * inner + i]!;
        const base = o * n * inner + i;
        // The slice's maximum and Σ exp(x − m) again, in float64: the float32 lse of the
        // forward pass would put its rounding (~1e-3 at |lse| = 1e4) into every weight.
        let m = -Infinity;
        for (let k = 0; k < n; k++) m = Math.max(m, xv[base + k * inner]!);
        let s = 0;
        if (m !== -Infinity) for (let k = 0; k < n; k++) s += Math.exp(xv[base + k * inner]! - m);
        for (let k = 0; k < n; k++) {
          const at = base + k * inner;
          gv[at] = m === -Infinity ? 0 : (d * Math.exp(xv[at]! - m)) / s;
        }
      }
    }
    return g;
  };
}

const gradient = gradientFromX(LOG_SUM_EXP, LOG_SUM_EXP_GRAD);

/** Register the two kernels on the host-memory backends and the gradient; idempotent. */
export function installLogSumExpKernels(): void {
  registerHostKernels([[LOG_SUM_EXP, forwardKernel], [LOG_SUM_EXP_GRAD, gradientKernel]], gradient);
}

/**
 * log Σ exp(x) over `axes` (0-based, distinct, in range) by the fused kernel, the reduced
 * axes kept as size 1 with `keepDims`, else dropped; undefined where it does not apply: the
 * axes are not one run of adjacent axes, a backend without host buffers, on wasm a tensor above
 * LOG_SUM_EXP_HOST_MAX_SIZE elements, or x not float32.
 */
export function fusedLogSumExp(x: tf.Tensor, axes: readonly number[], keepDims: boolean): tf.Tensor | undefined {
  if (!hostKernelApplies(LOG_SUM_EXP, x, LOG_SUM_EXP_HOST_MAX_SIZE)) return undefined;
  const sorted = [...axes].sort((a, b) => a - b);
  const first = sorted[0];
  if (first === undefined || sorted.some((a, i) => a !== first + i)) return undefined;
  const last = sorted[sorted.length - 1]!;
  const product = (from: number, to: number): number => tf.util.sizeFromShape(x.shape.slice(from, to));
  const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
  const attrs = { outer: product(0, first), n: product(first, last + 1), inner: product(last + 1, x.rank), outShape };
  return tf.engine().runKernel(LOG_SUM_EXP, { x }, attrs) as tf.Tensor;
}
