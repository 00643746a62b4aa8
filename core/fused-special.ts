/**
 * log Γ and ψ of a tensor as ONE kernel forward and one backward, on the backends whose
 * buffers live in host memory (cpu, wasm): the float64 functions of special-host.ts looped
 * over the elements.
 *
 * Why: composed from tfjs ops (special-gamma.ts), log Γ is the Numerical Recipes gammln
 * series with a reflection branch, about 25 kernels forward and as many backward, and every
 * wasm launch costs microseconds. Densities whose normalisers depend on tensors (Dirichlet
 * with a data or latent concentration, Gamma and Beta with tensor shapes, NegativeBinomial)
 * evaluate it on every gradient. In float64 the result is also exact to float32 rounding.
 *
 * Kernels: SPECIAL_UNARY (input x; attr `fn`: "lgamma" or "digamma") gives f(x) elementwise;
 * SPECIAL_UNARY_GRAD (inputs x, dy; same attr) gives dy·f′(x) with f′ = ψ for log Γ and ψ₁ for
 * ψ. The backward kernel has no gradient of its own (no second derivatives through these).
 *
 * This file imports TensorFlow.js directly (like kernels/), because engine.ts installs it.
 */
import * as tf from "@tensorflow/tfjs";
import { hostMemory } from "./host-memory.js";
import { gradientFromX, hostKernelApplies, registerHostKernels, type Attrs } from "./host-kernels.js";
import { digamma64, lgamma64, trigamma64 } from "./special-host.js";
import type { KernelFunc } from "./kernels/compose.js";

/**
 * Largest tensor the kernel takes on wasm. The loop beats the float32 composition at every
 * size measured, 64 to 64,000 elements (bench/lgamma.ts, value and gradient: 21× at 64,
 * 1.8× at 64,000); above this size (not measured) the composition is kept.
 */
export const SPECIAL_HOST_MAX_SIZE = 65_536;

export const SPECIAL_UNARY = "DlmSpecialUnary";
export const SPECIAL_UNARY_GRAD = "DlmSpecialUnaryGrad";

/** Each function with its derivative, in float64. */
const FUNCTIONS = {
  lgamma: [lgamma64, digamma64],
  digamma: [digamma64, trigamma64],
} as const satisfies Record<string, readonly [(x: number) => number, (x: number) => number]>;

export type SpecialFunctionName = keyof typeof FUNCTIONS;

function functionsOf(attrs: Attrs): readonly [(x: number) => number, (x: number) => number] {
  const f = (FUNCTIONS as Record<string, readonly [(x: number) => number, (x: number) => number] | undefined>)[String(attrs["fn"])];
  if (f === undefined) throw new Error(`internal: unknown special function '${String(attrs["fn"])}'`);
  return f;
}

function forwardKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const [f] = functionsOf(attrs);
    const mem = hostMemory(backend, backendName);
    const xi = inputs["x"]!;
    const out = mem.alloc(xi.shape);
    // Views only after the last allocation (a wasm heap that grows detaches older views).
    const [xv, ov] = [mem.view(xi), mem.view(out)];
    for (let k = 0; k < xv.length; k++) ov[k] = f(xv[k]!);
    return out;
  };
}

function gradientKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const [, df] = functionsOf(attrs);
    const mem = hostMemory(backend, backendName);
    const [xi, dyi] = [inputs["x"]!, inputs["dy"]!];
    const g = mem.alloc(xi.shape);
    const [xv, dv, gv] = [mem.view(xi), mem.view(dyi), mem.view(g)];
    for (let k = 0; k < xv.length; k++) gv[k] = dv[k]! * df(xv[k]!);
    return g;
  };
}

const gradient = gradientFromX(SPECIAL_UNARY, SPECIAL_UNARY_GRAD);

/** Register the two kernels on the host-memory backends and the gradient; idempotent. */
export function installSpecialKernels(): void {
  registerHostKernels([[SPECIAL_UNARY, forwardKernel], [SPECIAL_UNARY_GRAD, gradientKernel]], gradient);
}

/**
 * `fn`(x) elementwise by the fused kernel, for a float32 `x`; undefined where it does not
 * apply (a backend without host buffers, on wasm a tensor above SPECIAL_HOST_MAX_SIZE elements),
 * and the caller composes the function from ops.
 */
export function fusedSpecial(fn: SpecialFunctionName, x: tf.Tensor): tf.Tensor | undefined {
  if (!hostKernelApplies(SPECIAL_UNARY, x, SPECIAL_HOST_MAX_SIZE)) return undefined;
  return tf.engine().runKernel(SPECIAL_UNARY, { x }, { fn }) as tf.Tensor;
}
