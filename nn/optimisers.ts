/**
 * Gradient-descent optimisers as pure state machines (Optimisers.jl / optax style):
 * `init(params) → state`, `step(state, params, grads) → { params, state }`, over a single
 * tensor or a ParamTree (every leaf updated alike).
 *
 * Ownership: `step` never disposes its inputs. The caller owns the returned params and
 * state and disposes the previous ones once done with them:
 *
 *     const next = opt.step(state, params, grads);
 *     disposeOptimiserState(state); disposeParams(params); tf.dispose(grads);
 *     ({ params, state } = next);
 *
 * Common options, applied to the gradient in this order before the optimiser's rule:
 *   1. `clipValue` c clamps every gradient element into [−c, c];
 *   2. `clipNorm` rescales the whole (clamped) gradient when its global L2 norm exceeds it
 *      (Pascanu et al. 2013), so the norm bound holds for what the rule receives;
 *   3. `weightDecay` λ adds λθ to the gradient (L2 regularisation). The decay term is added
 *      after clipping, so neither clip weakens the regularisation.
 * AdamW instead decays the weights directly (decoupled; Loshchilov & Hutter 2019):
 * θ ← θ − η(λθ + m̂ / (√v̂ + ε)), the PyTorch convention.
 *
 * Each rule is written twice: as tfjs ops per parameter tensor (below, the reference), and as
 * one host-loop kernel over all tensors at once (core/kernels/optimiser-step.ts, in C when the
 * native accelerator is loaded), which `step` takes on cpu and wasm unless `fused: false`.
 * The two agree to float32 rounding (optimisers.test.ts); the kernel saves about a dozen
 * kernel launches per tensor (bench/train-step.ts).
 */
import { tf } from "../core/engine.js";
import { fusedOptimiserStep, type RuleName, type StepHyper } from "../core/kernels/optimiser-step.js";
import { isTensor, mapParams, walkParams, type ParamTree } from "./tree.js";

export type Params = ParamTree | tf.Tensor;

export interface OptimiserState {
  /** Steps taken so far. */
  readonly count: number;
  /** Per-parameter slots shaped like the params: SGD `velocity`, Adam `m` and `v`, RMSProp `v`. */
  readonly slots: Readonly<Record<string, Params>>;
}

export interface Optimiser {
  readonly name: string;
  describe(): string;
  init(params: Params): OptimiserState;
  /** One update; `lrScale` multiplies the learning rate (schedules). */
  step<P extends Params>(state: OptimiserState, params: P, grads: P, lrScale?: number): { params: P; state: OptimiserState };
}

export interface CommonOptions {
  readonly weightDecay?: number;
  readonly clipNorm?: number;
  /** Clamp every gradient element into [−clipValue, clipValue]; positive. */
  readonly clipValue?: number;
  /** false: one chain of tfjs ops per tensor instead of the fused update kernel (default true). */
  readonly fused?: boolean;
}

/** A rule's form for the fused kernel: its name and constants (learning rate and step added per step). */
type FusedRule = { readonly rule: RuleName; readonly hyper: Omit<StepHyper, "lr" | "t" | "clipValue" | "clipNorm" | "weightDecay"> };

const leaves = (p: Params): tf.Tensor[] => (isTensor(p) ? [p] : walkParams(p).map((e) => e.tensor));

function rebuild<P extends Params>(like: P, ts: readonly tf.Tensor[]): P {
  if (isTensor(like)) return ts[0]! as P;
  let i = 0;
  return mapParams(like, () => ts[i++]!) as P;
}

/** Dispose every tensor of an optimiser state. */
export function disposeOptimiserState(state: OptimiserState): void {
  for (const slot of Object.values(state.slots)) tf.dispose(leaves(slot));
}

/** sqrt(Σ‖gᵢ‖²) over every leaf: a scalar the caller owns. */
export function globalNorm(grads: Params): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(leaves(grads).map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

/** Clipping by value, by norm, then coupled weight decay (see the module comment). */
function preprocess(gs: tf.Tensor[], ps: tf.Tensor[], o: CommonOptions): tf.Tensor[] {
  let out = gs;
  if (o.clipValue !== undefined) {
    const c = o.clipValue;
    out = out.map((g) => tf.clipByValue(g, -c, c));
  }
  if (o.clipNorm !== undefined) {
    const norm = tf.sqrt(tf.addN(out.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.div(o.clipNorm, tf.maximum(norm, o.clipNorm));
    out = out.map((g) => tf.mul(g, scale));
  }
  const wd = o.weightDecay ?? 0;
  if (wd !== 0) out = out.map((g, i) => tf.add(g, tf.mul(wd, ps[i]!)));
  return out;
}

/** One leaf's update at step t with learning rate `lr` (the optimiser's, times the schedule's factor). */
type Rule = (t: number, g: tf.Tensor, p: tf.Tensor, slots: tf.Tensor[], lr: number) => { p: tf.Tensor; slots: tf.Tensor[] };

/** An optimiser from a per-leaf rule with `slotNames` zero-initialised slots. */
function optimiser(name: string, text: string, lr: number, slotNames: readonly string[], options: CommonOptions, rule: Rule, fused: FusedRule): Optimiser {
  const c = options.clipValue;
  // checked when built, not at the first step: zero would silently zero every gradient, and
  // tfjs would reject a negative one only once training runs, with a message about −c > c
  if (c !== undefined && !(c > 0 && Number.isFinite(c))) throw new RangeError(`${name}: clip_value must be a positive number, got ${c}`);
  return {
    name,
    describe: () => text,
    init: (params) => {
      const slots: Record<string, Params> = {};
      for (const s of slotNames) slots[s] = rebuild(params, leaves(params).map((p) => tf.zerosLike(p)));
      return { count: 0, slots };
    },
    step: (state, params, grads, lrScale = 1) => {
      const ps = leaves(params);
      const t = state.count + 1;
      const slotLeaves = slotNames.map((s) => leaves(state.slots[s]!));
      const [newPs, newSlots] = tf.tidy(() => {
        if (options.fused !== false) {
          const { clipValue, clipNorm, weightDecay } = options;
          const hyper: StepHyper = { ...fused.hyper, lr: lr * lrScale, t, clipValue, clipNorm, weightDecay };
          const out = fusedOptimiserStep(fused.rule, hyper, ps, leaves(grads), slotLeaves);
          if (out) return [out.ps, out.slots] as [tf.Tensor[], tf.Tensor[][]];
        }
        const gs = preprocess(leaves(grads), ps, options);
        const outP: tf.Tensor[] = [];
        const outS: tf.Tensor[][] = slotNames.map(() => []);
        gs.forEach((g, i) => {
          const r = rule(t, g, ps[i]!, slotLeaves.map((sl) => sl[i]!), lr * lrScale);
          outP.push(r.p);
          r.slots.forEach((s, j) => outS[j]!.push(s));
        });
        return [outP, outS] as [tf.Tensor[], tf.Tensor[][]];
      });
      const slots: Record<string, Params> = {};
      slotNames.forEach((s, j) => (slots[s] = rebuild(params, newSlots[j]!)));
      return { params: rebuild(params, newPs), state: { count: t, slots } };
    },
  };
}

export interface SgdOptions extends CommonOptions {
  readonly momentum?: number;
  readonly nesterov?: boolean;
}

/**
 * SGD: θ ← θ − η g; with momentum μ: v ← μ v + g, θ ← θ − η v; Nesterov: θ ← θ − η (g + μ v)
 * (Sutskever et al. 2013, in PyTorch's form).
 */
export function sgd(lr = 0.1, options: SgdOptions = {}): Optimiser {
  const mu = options.momentum ?? 0;
  const nesterov = options.nesterov ?? false;
  const text = `SGD(${lr}${mu ? `; momentum = ${mu}` : ""}${nesterov ? ", nesterov = true" : ""})`;
  if (mu === 0) return optimiser("SGD", text, lr, [], options, (_t, g, p, _s, eta) => ({ p: tf.sub(p, tf.mul(eta, g)), slots: [] }), { rule: "sgd", hyper: {} });
  const rule: Rule = (_t, g, p, [v], eta) => {
    const v1 = tf.add(tf.mul(mu, v!), g);
    const dir = nesterov ? tf.add(g, tf.mul(mu, v1)) : v1;
    return { p: tf.sub(p, tf.mul(eta, dir)), slots: [v1] };
  };
  return optimiser("SGD", text, lr, ["velocity"], options, rule, { rule: nesterov ? "nesterov" : "momentum", hyper: { momentum: mu } });
}

export interface AdamOptions extends CommonOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

/**
 * Adam (Kingma & Ba 2015, Alg. 1): m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
 * θ ← θ − η m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ).
 * Defaults η = 0.001, β = (0.9, 0.999), ε = 1e-8.
 */
export function adam(lr = 0.001, options: AdamOptions = {}): Optimiser {
  return adamLike("Adam", `Adam(${lr})`, lr, 0, options);
}

/** AdamW: Adam with decoupled weight decay λ (default 0.01): θ ← θ − η(λθ + m̂ / (√v̂ + ε)). */
export function adamw(lr = 0.001, decay = 0.01, options: Omit<AdamOptions, "weightDecay"> = {}): Optimiser {
  return adamLike("AdamW", `AdamW(${lr}, ${decay})`, lr, decay, options);
}

function adamLike(name: string, text: string, lr: number, decoupled: number, options: AdamOptions): Optimiser {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  return optimiser(name, text, lr, ["m", "v"], options, (t, g, p, [m, v], eta) => {
    const m1 = tf.add(tf.mul(b1, m!), tf.mul(1 - b1, g));
    const v1 = tf.add(tf.mul(b2, v!), tf.mul(1 - b2, tf.square(g)));
    const mhat = tf.div(m1, 1 - b1 ** t);
    const vhat = tf.div(v1, 1 - b2 ** t);
    let dir = tf.div(mhat, tf.add(tf.sqrt(vhat), eps));
    if (decoupled !== 0) dir = tf.add(dir, tf.mul(decoupled, p));
    return { p: tf.sub(p, tf.mul(eta, dir)), slots: [m1, v1] };
  }, { rule: "adam", hyper: { beta1: b1, beta2: b2, eps, decoupled } });
}

export interface RmsPropOptions extends CommonOptions {
  readonly rho?: number;
  readonly eps?: number;
}

/** RMSProp (Tieleman & Hinton 2012; Flux defaults): v ← ρv + (1 − ρ)g², θ ← θ − η g / (√v + ε). */
export function rmsprop(lr = 0.001, options: RmsPropOptions = {}): Optimiser {
  const rho = options.rho ?? 0.9;
  const eps = options.eps ?? 1e-8;
  return optimiser("RMSProp", `RMSProp(${lr})`, lr, ["v"], options, (_t, g, p, [v], eta) => {
    const v1 = tf.add(tf.mul(rho, v!), tf.mul(1 - rho, tf.square(g)));
    return { p: tf.sub(p, tf.mul(eta, tf.div(g, tf.add(tf.sqrt(v1), eps)))), slots: [v1] };
  }, { rule: "rmsprop", hyper: { rho, eps } });
}

export interface AdaGradOptions extends CommonOptions {
  readonly eps?: number;
}

/**
 * AdaGrad (Duchi et al. 2011; Flux defaults η = 0.1, ε = 1e-8): v ← v + g²,
 * θ ← θ − η g / (√v + ε). The sum of squares only grows, so each coordinate's step shrinks
 * like 1/√t; v starts at 0 (Optimisers.jl starts it at ε, a difference of order ε).
 */
export function adagrad(lr = 0.1, options: AdaGradOptions = {}): Optimiser {
  const eps = options.eps ?? 1e-8;
  return optimiser("AdaGrad", `AdaGrad(${lr})`, lr, ["v"], options, (_t, g, p, [v], eta) => {
    const v1 = tf.add(v!, tf.square(g));
    return { p: tf.sub(p, tf.mul(eta, tf.div(g, tf.add(tf.sqrt(v1), eps)))), slots: [v1] };
  }, { rule: "adagrad", hyper: { eps } });
}
