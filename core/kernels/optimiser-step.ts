/**
 * One optimiser update over every parameter tensor as ONE kernel (`DlmOptimiserStep`), on the
 * backends whose buffers live in host memory (cpu, wasm).
 *
 * Why: nn/optimisers.ts composes each rule from tfjs ops, about a dozen kernel launches per
 * parameter tensor for Adam (and more with clipping), so a network of L tensors pays 12·L
 * launches per step, each allocating an intermediate buffer. Here one loop per tensor reads
 * θ, g and the slots once and writes the new θ and slots; with the native accelerator loaded
 * the loop runs in C (native/src/optim.c), else in JavaScript. Arithmetic is in float64 with
 * the result rounded to float32, so it equals the per-tensor ops to float32 rounding
 * (nn/optimisers.test.ts checks every rule).
 *
 * The gradient is preprocessed as nn/optimisers.ts documents: clamp to ±clipValue, rescale
 * by clipNorm / max(‖g‖, clipNorm) over all tensors, add weightDecay·θ; then the rule.
 */
import * as tf from "@tensorflow/tfjs";
import { hostMemory, isHostBackend } from "../host-memory.js";
import type { KernelFunc } from "./compose.js";
import { nativeAddon } from "./native.js";

export const OPTIMISER_STEP = "DlmOptimiserStep";

/**
 * Without the native loop, on wasm, the JavaScript loop is taken while the tensors average at
 * most this many elements: it costs ~16 ns per element, against wasm's vectorised ops at a few
 * ns per element plus ~10 µs per launch (Adam over the 784-256-256-10 MLP, 269k elements in 6
 * tensors: 4.4 ms in JavaScript, 1.7 ms as ops, 0.85 ms in C, CPU time on a loaded 2-core
 * machine). Small networks, where launches dominate, take the loop.
 */
export const JS_LOOP_MAX_PER_TENSOR = 8192;

/** The update rules (codes shared with native/src/optim.c). */
export const RULES = { sgd: 0, momentum: 1, nesterov: 2, adam: 3, rmsprop: 4, adagrad: 5 } as const;
export type RuleName = keyof typeof RULES;

/** Everything a rule reads besides the tensors; unused entries are ignored. */
export interface StepHyper {
  /** Learning rate (schedule factor included). */
  readonly lr: number;
  /** Step number t ≥ 1 (Adam's bias corrections). */
  readonly t: number;
  readonly momentum?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly rho?: number;
  /** AdamW's decoupled decay. */
  readonly decoupled?: number;
  readonly clipValue?: number | undefined;
  readonly clipNorm?: number | undefined;
  readonly weightDecay?: number | undefined;
}

/** Slots per rule, in the order the kernel takes and returns them. */
export const SLOTS: Readonly<Record<RuleName, number>> = { sgd: 0, momentum: 1, nesterov: 1, adam: 2, rmsprop: 1, adagrad: 1 };

/** The hyperparameters as the Float64Array the native loop takes (native/src/optim.c's order). */
function hyperArray(rule: RuleName, h: StepHyper, gradScale: number): Float64Array {
  return Float64Array.from([RULES[rule], h.lr, h.t, h.momentum ?? 0, h.beta1 ?? 0.9, h.beta2 ?? 0.999, h.eps ?? 1e-8, h.rho ?? 0.9, h.decoupled ?? 0, h.clipValue ?? Infinity, gradScale, h.weightDecay ?? 0]);
}

/** The gradient's value after clamping (no norm scale or decay yet). */
const clamp = (g: number, c: number): number => (g > c ? c : g < -c ? -c : g);

/** ‖clamp(g)‖² over all tensors (for clipNorm). */
function clampedSquares(gs: readonly Float32Array[], c: number): number {
  let s = 0;
  for (const g of gs) for (let i = 0; i < g.length; i++) s += clamp(g[i]!, c) ** 2;
  return s;
}

/** The JavaScript loop: one tensor's θ, g and slots in, its new θ and slots out. */
function stepTensor(hy: Float64Array, p: Float32Array, g: Float32Array, s: Float32Array[], po: Float32Array, so: Float32Array[]): void {
  const [rule, lr, t, mu, b1, b2, eps, rho, dec, c, scale, wd] = hy as unknown as number[] as [number, number, number, number, number, number, number, number, number, number, number, number];
  const n = p.length;
  const [c1, c2] = [1 - b1 ** t, 1 - b2 ** t];
  for (let i = 0; i < n; i++) {
    const th = p[i]!;
    const gi = clamp(g[i]!, c) * scale + wd * th;
    switch (rule) {
      case RULES.sgd:
        po[i] = th - lr * gi;
        break;
      case RULES.momentum:
      case RULES.nesterov: {
        const v1 = mu * s[0]![i]! + gi;
        so[0]![i] = v1;
        po[i] = th - lr * (rule === RULES.nesterov ? gi + mu * v1 : v1);
        break;
      }
      case RULES.adam: {
        const m1 = b1 * s[0]![i]! + (1 - b1) * gi;
        const v1 = b2 * s[1]![i]! + (1 - b2) * gi * gi;
        so[0]![i] = m1;
        so[1]![i] = v1;
        po[i] = th - lr * (m1 / c1 / (Math.sqrt(v1 / c2) + eps) + dec * th);
        break;
      }
      default: {
        // rmsprop, adagrad
        const v1 = rule === RULES.rmsprop ? rho * s[0]![i]! + (1 - rho) * gi * gi : s[0]![i]! + gi * gi;
        so[0]![i] = v1;
        po[i] = th - lr * (gi / (Math.sqrt(v1) + eps));
      }
    }
  }
}

/**
 * The kernel. Inputs: p0…p(L−1), g0…, then s{j}_{i} for slot j of tensor i. Attrs: rule, count
 * L, and the StepHyper fields. Outputs: the L new tensors, then each slot's L new tensors.
 */
function kernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const mem = hostMemory(backend, backendName);
    const rule = attrs["rule"] as RuleName;
    const count = attrs["count"] as number;
    const nSlots = SLOTS[rule];
    const h = attrs as unknown as StepHyper;
    const pIn = Array.from({ length: count }, (_, i) => inputs[`p${i}`]!);
    const gIn = Array.from({ length: count }, (_, i) => inputs[`g${i}`]!);
    const sIn = Array.from({ length: nSlots }, (_, j) => pIn.map((_, i) => inputs[`s${j}_${i}`]!));
    // All outputs first: a wasm heap that grows detaches earlier views.
    const pOut = pIn.map((p) => mem.alloc(p.shape));
    const sOut = sIn.map((slot) => slot.map((s) => mem.alloc(s.shape)));
    const gv = gIn.map((g) => mem.view(g));
    let scale = 1;
    if (h.clipNorm !== undefined) {
      const norm = Math.sqrt(clampedSquares(gv, h.clipValue ?? Infinity));
      // As the ops compute it: clipNorm / max(norm, clipNorm), in float32.
      scale = Math.fround(h.clipNorm / Math.max(Math.fround(norm), h.clipNorm));
    }
    const hy = hyperArray(rule, h, scale);
    const native = nativeAddon();
    for (let i = 0; i < count; i++) {
      const args = [mem.view(pIn[i]!), gv[i]!, sIn.map((slot) => mem.view(slot[i]!)), mem.view(pOut[i]!), sOut.map((slot) => mem.view(slot[i]!))] as const;
      if (native) native.optimiserStep(hy, args[0], args[1], args[2], args[3], args[4]);
      else stepTensor(hy, ...args);
    }
    return [...pOut, ...sOut.flat()];
  };
}

/** Register the kernel on the host-memory backends; idempotent. */
export function installOptimiserStepKernel(): void {
  for (const backendName of tf.engine().backendNames()) {
    if (isHostBackend(backendName) && !tf.getKernel(OPTIMISER_STEP, backendName)) tf.registerKernel({ kernelName: OPTIMISER_STEP, backendName, kernelFunc: kernel(backendName) });
  }
}

/**
 * One update of every tensor in `ps` by `rule`, with its gradients `gs` and its slots
 * (`slots[j][i]`: slot j of tensor i), as new tensors the caller owns; undefined where the
 * kernel does not apply (another backend, a tensor that is not float32), and the caller
 * composes the update from ops.
 */
export function fusedOptimiserStep(rule: RuleName, hyper: StepHyper, ps: readonly tf.Tensor[], gs: readonly tf.Tensor[], slots: readonly (readonly tf.Tensor[])[]): { ps: tf.Tensor[]; slots: tf.Tensor[][] } | undefined {
  const backendName = tf.getBackend();
  if (!isHostBackend(backendName) || !tf.getKernel(OPTIMISER_STEP, backendName)) return undefined;
  const all = [...ps, ...gs, ...slots.flat()];
  if (all.some((t) => t.dtype !== "float32") || gs.some((g, i) => g.size !== ps[i]!.size)) return undefined;
  const total = ps.reduce((n, p) => n + p.size, 0);
  if (backendName === "wasm" && !nativeAddon() && total > JS_LOOP_MAX_PER_TENSOR * ps.length) return undefined;
  const inputs: Record<string, tf.Tensor> = {};
  ps.forEach((p, i) => (inputs[`p${i}`] = p));
  gs.forEach((g, i) => (inputs[`g${i}`] = g));
  slots.forEach((slot, j) => slot.forEach((s, i) => (inputs[`s${j}_${i}`] = s)));
  const attrs = { ...hyper, rule, count: ps.length } as unknown as tf.NamedAttrMap;
  const out = tf.engine().runKernel(OPTIMISER_STEP, inputs, attrs) as unknown as tf.Tensor[];
  const n = ps.length;
  return { ps: out.slice(0, n), slots: slots.map((_, j) => out.slice(n * (j + 1), n * (j + 2))) };
}
