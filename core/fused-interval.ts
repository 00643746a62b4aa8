/**
 * The interval transform x = a + (b − a)·σ(y) of a latent with literal bounds (Uniform priors,
 * Beta-distributed probabilities), with its log-Jacobian summed per chain, as ONE kernel
 * forward and one backward, on the backends whose buffers live in host memory (cpu, wasm).
 *
 * Why: written as tfjs ops, the transform with its float32 guards and log|J| is about 25
 * kernels forward and as many backward for each such latent, and on wasm each launch costs
 * microseconds. A model with four bounded scalars (posteriordb's GLM_Poisson) spent most of
 * its gradient there. The host loop works in float64 and rounds once to float32; x is taken
 * from the nearer bound (b − w·σ(−y) for y > 0) and clamped to [a, b], so that it never
 * leaves the support.
 *
 * Per element, with w = b − a and t = e^{−|y|}:
 *   x        = y > 0 ? b − w·t/(1 + t) : a + w·t/(1 + t)
 *   log|J|   = log w − |y| − 2·log1p(t)
 *   ∂x/∂y    = w·t/(1 + t)²
 *   ∂log|J|/∂y = 1 − 2σ(y) = −sign(y)·(1 − t)/(1 + t)
 * The second output is Σ log|J| over every axis but the first (`[S₀]`, the per-chain sum), or
 * over all axes without `batched`.
 *
 * This file imports TensorFlow.js directly (like kernels/), because engine.ts installs it.
 */
import * as tf from "@tensorflow/tfjs";
import { hostMemory } from "./host-memory.js";
import { hostKernelApplies, registerHostKernels, type Attrs } from "./host-kernels.js";
import { HOST_LOOP_MAX_SIZE } from "./fused-logpdf-kernels.js";
import type { KernelFunc } from "./kernels/compose.js";

/** Kernel name of the transform. Input y; attrs lower, upper (finite numbers, lower < upper), batched. Outputs x, Σ log|J|. */
export const INTERVAL_TRANSFORM = "DlmIntervalTransform";
/** Kernel name of its gradient. Inputs y and the upstream gradients dx and/or dlogDet; attrs as the transform's. Output ∂/∂y. */
export const INTERVAL_TRANSFORM_GRAD = "DlmIntervalTransformGrad";

/** Bounds, rows (chains) and elements per row of a call. */
function layout(shape: readonly number[], attrs: Attrs) {
  const lower = attrs["lower"] as number;
  const upper = attrs["upper"] as number;
  const batched = attrs["batched"] === true;
  const rows = batched ? shape[0]! : 1;
  const n = tf.util.sizeFromShape([...shape]);
  return { lower, upper, width: upper - lower, batched, rows, perRow: rows > 0 ? n / rows : 0 };
}

function forwardKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const mem = hostMemory(backend, backendName);
    const yi = inputs["y"]!;
    const { lower, upper, width, batched, rows, perRow } = layout(yi.shape, attrs);
    const x = mem.alloc(yi.shape);
    const logDet = mem.alloc(batched ? [rows] : []);
    // Views only after the last allocation (a wasm heap that grows detaches older views).
    const [yv, xv, lv] = [mem.view(yi), mem.view(x), mem.view(logDet)];
    const logWidth = Math.log(width);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let k = r * perRow, end = k + perRow; k < end; k++) {
        const y = yv[k]!;
        const a = Math.abs(y);
        const t = Math.exp(-a);
        const s = t / (1 + t); // σ(−|y|)
        const v = y > 0 ? upper - width * s : lower + width * s;
        // NaN stays NaN (Math.min/max propagate it).
        xv[k] = Math.min(Math.max(v, lower), upper);
        sum += -a - 2 * Math.log1p(t);
      }
      lv[r] = sum + perRow * logWidth;
    }
    return [x, logDet];
  };
}

function gradientKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const mem = hostMemory(backend, backendName);
    const [yi, dxi, dli] = [inputs["y"]!, inputs["dx"], inputs["dlogDet"]];
    const { width, rows, perRow } = layout(yi.shape, attrs);
    const g = mem.alloc(yi.shape);
    const [yv, gv] = [mem.view(yi), mem.view(g)];
    const dxv = dxi ? mem.view(dxi) : undefined;
    const dlv = dli ? mem.view(dli) : undefined;
    for (let r = 0; r < rows; r++) {
      const dl = dlv ? dlv[dlv.length === 1 ? 0 : r]! : 0;
      for (let k = r * perRow, end = k + perRow; k < end; k++) {
        const y = yv[k]!;
        const t = Math.exp(-Math.abs(y));
        const u = 1 + t;
        const dxdy = (width * t) / (u * u);
        const dldy = y > 0 ? -(1 - t) / u : (1 - t) / u;
        gv[k] = (dxv ? dxv[k]! * dxdy : 0) + dl * dldy;
      }
    }
    return g;
  };
}

const gradient: tf.GradConfig = {
  kernelName: INTERVAL_TRANSFORM,
  inputsToSave: ["y"],
  gradFunc: (dy, saved, attrs) => {
    const [y] = saved as [tf.Tensor];
    const [dx, dlogDet] = dy as (tf.Tensor | null)[];
    const inputs: tf.NamedTensorMap = { y };
    if (dx) inputs["dx"] = dx;
    if (dlogDet) inputs["dlogDet"] = dlogDet;
    return { y: () => tf.engine().runKernel(INTERVAL_TRANSFORM_GRAD, inputs, attrs as Attrs) as tf.Tensor };
  },
};

/** Register the two kernels on the host-memory backends and the gradient; idempotent. */
export function installIntervalKernels(): void {
  registerHostKernels([[INTERVAL_TRANSFORM, forwardKernel], [INTERVAL_TRANSFORM_GRAD, gradientKernel]], gradient);
}

/**
 * x = lower + (upper − lower)·σ(y) and Σ log|dx/dy| (per row of axis 0 with `batched`), by
 * the fused kernel; undefined where it does not apply (a backend without host buffers, on
 * wasm a tensor above HOST_LOOP_MAX_SIZE elements, whose vectorised kernels are faster), and
 * the caller composes the transform from ops instead. `y` must be float32; the bounds finite.
 */
export function intervalTransform(y: tf.Tensor, lower: number, upper: number, batched: boolean): { x: tf.Tensor; logDetSum: tf.Tensor } | undefined {
  if (y.dtype !== "float32") throw new TypeError(`intervalTransform: y must be float32, got ${y.dtype}`);
  if (!hostKernelApplies(INTERVAL_TRANSFORM, y, HOST_LOOP_MAX_SIZE)) return undefined;
  if (!(Number.isFinite(lower) && Number.isFinite(upper) && lower < upper)) throw new RangeError(`intervalTransform: need finite lower < upper, got ${lower}, ${upper}`);
  if (batched && y.rank === 0) throw new RangeError("intervalTransform: batched needs y of rank ≥ 1");
  const [x, logDetSum] = tf.engine().runKernel(INTERVAL_TRANSFORM, { y }, { lower, upper, batched }) as tf.Tensor[];
  return { x: x!, logDetSum: logDetSum! };
}
