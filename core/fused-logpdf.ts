/**
 * Sums of element-wise log densities as single fused kernels with analytic gradients that are
 * computed only for the inputs being differentiated (the kernels: fused-logpdf-kernels.ts,
 * installed for every backend by `initEngine`).
 *
 * Operands are float32 tensors or JS numbers; a number is a kernel attribute, not a tensor.
 * Tensor operands broadcast (NumPy rules) to a common shape S. The result is the sum of the
 * element-wise log density over every axis of S (a scalar), or with `batched` over every
 * axis but the first (shape `[S₀]`: the chain axis, i.e. the per-chain sum of a scorer).
 */
import { tf } from "./engine.js";
import { broadcastShapesOrThrow } from "./broadcast.js";
import { BERNOULLI_LOGIT_LOGPMF_SUM, LOC_SCALE_LOGPDF_SUM, NORMAL_LOGPDF_SUM } from "./fused-logpdf-kernels.js";
import { STANDARD_FAMILIES, type StandardFamilyName } from "./fused-logpdf-host.js";

/** A float32 tensor, or a number (folded into the kernel as an attribute). */
export type Operand = tf.Tensor | number;

type NamedAttrMap = Parameters<ReturnType<typeof tf.engine>["runKernel"]>[2];

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Inputs and attributes of a fused kernel call from named operands. */
function kernelArgs(
  fn: string,
  operands: Readonly<Record<string, Operand>>,
  batched: boolean,
  floatOnly: readonly string[],
): { inputs: tf.NamedTensorMap; attrs: NonNullable<NamedAttrMap> } {
  const inputs: tf.NamedTensorMap = {};
  const attrs: NonNullable<NamedAttrMap> = { batched, withGrad: tf.engine().isTapeOn() };
  for (const [name, v] of Object.entries(operands)) {
    if (typeof v === "number") {
      attrs[name] = v;
      attrs[`${name}Shape`] = [];
    } else {
      if (v.dtype !== "float32" && floatOnly.includes(name)) {
        throw new TypeError(`${fn}: '${name}' must be a float32 tensor, got ${v.dtype}`);
      }
      inputs[name] = v;
      attrs[`${name}Shape`] = [...v.shape];
    }
  }
  let shape: number[];
  try {
    shape = broadcastShapesOrThrow(Object.values(inputs).map((t) => t.shape));
  } catch {
    const shapes = Object.entries(operands).map(([n, v]) => `${n} [${typeof v === "number" ? "" : v.shape.join(", ")}]`);
    throw new RangeError(`${fn}: shapes do not broadcast: ${shapes.join(", ")}`);
  }
  if (batched && shape.length === 0) throw new RangeError(`${fn}: batched needs operands of rank ≥ 1`);
  return { inputs, attrs };
}

/** Run a fused kernel and keep only its first output (the others are the saved partials). */
function runFused(kernelName: string, inputs: tf.NamedTensorMap, attrs: NonNullable<NamedAttrMap>): tf.Tensor {
  const out = tf.engine().runKernel(kernelName, inputs, attrs);
  if (!Array.isArray(out)) return out;
  // The tape keeps its own references to the partials it saved.
  for (const t of out.slice(1)) t.dispose();
  return out[0]!;
}

/**
 * Σ log Normal(x | loc, scale) = Σ (−½z² − log σ − ½ log 2π), z = (x − μ)/σ, over every axis
 * of the broadcast shape S (or every axis but the first with `batched`: shape `[S₀]`).
 * Gradients (analytic, each computed only when its input is differentiated):
 * ∂/∂x = −z/σ, ∂/∂μ = z/σ, ∂/∂σ = (z² − 1)/σ, times the upstream gradient broadcast back over
 * the summed axes and summed to each input's shape. No support check: σ ≤ 0 gives NaN.
 * Forward: one engine kernel (plus tfjs's clones of the one or two saved partials while a
 * gradient tape records); backward: one kernel per differentiated input.
 */
export function normalLogPdfSum(x: Operand, loc: Operand, scale: Operand, batched: boolean): tf.Tensor {
  const { inputs, attrs } = kernelArgs("normalLogPdfSum", { x, loc, scale }, batched, ["x", "loc", "scale"]);
  if (Object.keys(inputs).length === 0) {
    const z = ((x as number) - (loc as number)) / (scale as number);
    return tf.scalar(-0.5 * z * z - Math.log(scale as number) - HALF_LOG_2PI);
  }
  return runFused(NORMAL_LOGPDF_SUM, inputs, attrs);
}

export type { StandardFamilyName };

/**
 * Σ log p(x | loc, scale) of a location-scale family with a literal shape parameter `p` (or
 * two, `[p, q]`): Σ (logf(z; p, q) − log σ + c), z = (x − μ)/σ, summed like
 * `normalLogPdfSum`. Families (fused-logpdf-host.ts, STANDARD_FAMILIES): "studentT" (p = ν;
 * HalfStudentT is x ≥ 0, μ = 0 and c += log 2), "gamma" (p = α, σ = 1/rate), "invGamma"
 * (p = α, σ = the scale), "beta" ([p, q] = [a, b], μ = 0, σ = 1). `c` holds
 * the family's normaliser, folded on the host by the caller. Gradients with respect to x, μ
 * and σ as for `normalLogPdfSum` (analytic, lazily computed); values outside the support
 * (z ≤ 0 for the gamma families) give NaN or −∞, not a mask. Kernel counts as for
 * `normalLogPdfSum`.
 */
export function locScaleLogPdfSum(family: StandardFamilyName, shape: number | readonly [number, number], c: number, x: Operand, loc: Operand, scale: Operand, batched: boolean): tf.Tensor {
  const [p, q] = typeof shape === "number" ? [shape, 1] : shape;
  const { inputs, attrs } = kernelArgs(`${family}LogPdfSum`, { x, loc, scale }, batched, ["x", "loc", "scale"]);
  if (Object.keys(inputs).length === 0) {
    const f = STANDARD_FAMILIES[family];
    return tf.scalar(f.logf(((x as number) - (loc as number)) / (scale as number), p, q) - Math.log(scale as number) + c);
  }
  return runFused(LOC_SCALE_LOGPDF_SUM, inputs, { ...attrs, family, p, q, c });
}

/**
 * Σ log Bernoulli(y | sigmoid(logit)) = Σ −softplus((1 − 2y)·η) (= y·η − softplus(η) for
 * y ∈ {0, 1}, the form of distributions/bernoulli.ts), summed like `normalLogPdfSum`.
 * y: labels in {0, 1} (any dtype; non-float32 is cast); η: float32 logits. Gradient with
 * respect to η: y − sigmoid(η) (computed as (2y − 1)·sigmoid((1 − 2y)·η), exact in the tails),
 * times the upstream gradient, summed to η's shape; asking for a gradient with respect to y
 * throws. Kernel counts as for `normalLogPdfSum`.
 */
export function bernoulliLogitLogPmfSum(y: Operand, logit: Operand, batched: boolean): tf.Tensor {
  const labels = typeof y === "number" || y.dtype === "float32" ? y : tf.cast(y, "float32");
  try {
    const { inputs, attrs } = kernelArgs("bernoulliLogitLogPmfSum", { y: labels, logit }, batched, ["logit"]);
    if (Object.keys(inputs).length === 0) {
      const t = (1 - 2 * (labels as number)) * (logit as number);
      return tf.scalar(-(Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)))));
    }
    return runFused(BERNOULLI_LOGIT_LOGPMF_SUM, inputs, attrs);
  } finally {
    if (labels !== y) (labels as tf.Tensor).dispose();
  }
}
