/**
 * Sums of a family's log densities over the broadcast of its arguments, as one kernel with
 * analytic gradients computed only for what is differentiated: `familyLogPdfSum`, which the
 * distributions' `logProbSum` (and the tfjs executor's summed log densities) call.
 *
 * The sum comes from the family kernel (fused-family.ts: the one float64 definition of
 * core/ir/families.ts, in a host loop) wherever that loop is fastest: on cpu always, on wasm
 * up to HOST_LOOP_MAX_SIZE elements. Above it, and on backends whose buffers are not in host
 * memory, Normal and Bernoulli(logit) use the composite kernels of fused-logpdf-kernels.ts
 * (vectorised backend kernels); the other families keep the family kernel.
 *
 * Operands are float32 tensors or JS numbers; a number is a kernel attribute, not a tensor.
 * Tensor operands broadcast (NumPy rules) to a common shape S. The result is the sum over every
 * axis of S (a scalar), or with `batched` over every axis but the first (shape `[S₀]`: the
 * chain axis, i.e. the per-chain sum of a scorer).
 */
import { tf } from "./engine.js";
import { broadcastShape, broadcastShapesOrThrow, sizeOf } from "./broadcast.js";
import { familyLogPdf, type FamilyLogPdfOptions, type Operand } from "./fused-family.js";
import { BERNOULLI_LOGIT_LOGPMF_SUM, HOST_LOOP_MAX_SIZE, NORMAL_LOGPDF_SUM } from "./fused-logpdf-kernels.js";
import { isHostBackend } from "./host-memory.js";
import type { FamilyName } from "./ir/families.js";

export type { Operand };

type NamedAttrMap = Parameters<ReturnType<typeof tf.engine>["runKernel"]>[2];

/**
 * Σ log p(args[0] | args[1..]) of `family` (families.ts's parameterisation), summed as above.
 * Options as familyLogPdf's: `withConst: false` leaves out the family's value-only terms
 * (`constTerm`), for a caller that sums them once (interpreter/handlers.ts, for fixed data);
 * `wanted` marks the arguments that may be differentiated. Values must lie in the support.
 */
export function familyLogPdfSum(family: FamilyName, args: readonly Operand[], batched: boolean, options: FamilyLogPdfOptions = {}): tf.Tensor {
  // only the two families with a composite ask for the broadcast's size (familyLogPdf checks it)
  if ((family === "normal" || family === "bernoulliLogit") && !loopFits(args)) {
    return family === "normal" ? normalLogPdfSum(args[0]!, args[1]!, args[2]!, batched) : bernoulliLogitLogPmfSum(args[0]!, args[1]!, batched);
  }
  return familyLogPdf(family, args, batched ? "rows" : "all", options);
}

/** Whether the family kernel's host loop is the faster way to sum over `args`' broadcast here. */
function loopFits(args: readonly Operand[]): boolean {
  const backend = tf.getBackend();
  if (backend === "cpu") return true;
  const tensors = args.filter((a): a is tf.Tensor => typeof a !== "number");
  if (tensors.length === 0) return true;
  const shape = broadcastShape(...tensors.map((t) => t.shape));
  // a mismatch is reported by familyLogPdf
  if (shape === undefined) return true;
  return isHostBackend(backend) && sizeOf(shape) <= HOST_LOOP_MAX_SIZE;
}

/** Inputs and attributes of a composite kernel call from named operands. */
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

/** Run a composite kernel and keep only its first output (the others are the saved partials). */
function runFused(kernelName: string, inputs: tf.NamedTensorMap, attrs: NonNullable<NamedAttrMap>): tf.Tensor {
  const out = tf.engine().runKernel(kernelName, inputs, attrs);
  if (!Array.isArray(out)) return out;
  // The tape keeps its own references to the partials it saved.
  for (const t of out.slice(1)) t.dispose();
  return out[0]!;
}

/**
 * Σ log Normal(x | loc, scale) = Σ (−½z² − log σ − ½ log 2π), z = (x − μ)/σ, by the composite
 * kernel (at least one tensor operand). Gradients (analytic, each computed only when its input
 * is differentiated): ∂/∂x = −z/σ, ∂/∂μ = z/σ, ∂/∂σ = (z² − 1)/σ, times the upstream gradient
 * broadcast back over the summed axes and summed to each input's shape. No support check:
 * σ ≤ 0 gives NaN.
 */
export function normalLogPdfSum(x: Operand, loc: Operand, scale: Operand, batched: boolean): tf.Tensor {
  const { inputs, attrs } = kernelArgs("normalLogPdfSum", { x, loc, scale }, batched, ["x", "loc", "scale"]);
  return runFused(NORMAL_LOGPDF_SUM, inputs, attrs);
}

/**
 * Σ log Bernoulli(y | sigmoid(logit)) = Σ −softplus((1 − 2y)·η) by the composite kernel.
 * y: labels in {0, 1} (any dtype; non-float32 is cast); η: float32 logits. Gradient with
 * respect to η: y − sigmoid(η) (computed as (2y − 1)·sigmoid((1 − 2y)·η), exact in the tails),
 * times the upstream gradient, summed to η's shape; asking for a gradient with respect to y
 * throws.
 */
export function bernoulliLogitLogPmfSum(y: Operand, logit: Operand, batched: boolean): tf.Tensor {
  const labels = typeof y === "number" || y.dtype === "float32" ? y : tf.cast(y, "float32");
  try {
    const { inputs, attrs } = kernelArgs("bernoulliLogitLogPmfSum", { y: labels, logit }, batched, ["logit"]);
    return runFused(BERNOULLI_LOGIT_LOGPMF_SUM, inputs, attrs);
  } finally {
    if (labels !== y) (labels as tf.Tensor).dispose();
  }
}
