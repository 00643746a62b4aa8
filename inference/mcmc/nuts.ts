/**
 * The No-U-Turn Sampler as Stan implements it (multinomial sampling, biased progressive
 * sampling at the top level, generalised U-turn criterion with the extra checks across merged
 * subtrees, divergence when ΔH > 1000), run for all C chains in LOCKSTEP
 * (design/inference.md §2 and §4.2).
 *
 * In lockstep every chain is at the same doubling j and the same leaf n, so which checkpoint
 * to write and which blocks complete at a leaf are constants of the loop. Each leaf is ONE
 * batched model gradient for all chains; everything else (momenta, energies, log weights, the
 * multinomial choice, U-turn sums and checks, checkpoints) is float64 host arithmetic on
 * row-major `[C·D]` arrays, chain by chain, as Stan computes it in double precision. A chain
 * that has stopped (its subtree invalid, or its trajectory finished) is skipped: its row still
 * goes to the batched gradient, frozen, and the result is ignored.
 *
 * Randomness, per chain and per transition, from that chain's own stream and in this order:
 * D normals (momentum); then per doubling j: one uniform (direction: forward when u > 0.5),
 * one uniform per leaf built (for the progressive multinomial choice inside the subtree; a
 * subtree stops early once no chain's subtree is valid), one uniform (biased top-level
 * acceptance). A chain's numbers and arithmetic never depend on the other chains, so a chain
 * run alone (C = 1, as the host engine's worker threads run them) gives the same draws.
 *
 * Every buffer lives in a workspace made once per kernel (`nutsWorkspace`), so a transition
 * allocates only its C-length statistics: with a float64 model whose gradient costs a fraction
 * of a microsecond (the host engine), the sampler's own per-leaf work is the cost.
 */
import type { RandomStream } from "../../core/keys.js";
import type { HostGradient } from "./float64-gradient.js";
import { integrator, type Integrator, type PhasePoint } from "./integrator.js";
import { drawMomentum, velocityRow, type Metric } from "./metric.js";
import type { ChainState, TransitionResult } from "./state.js";

export interface NutsOptions {
  /** Maximum tree depth (Stan default 10: at most 2^10 − 1 leapfrogs). */
  readonly maxDepth: number;
  /** Energy error beyond which a leaf is divergent (Stan: 1000). */
  readonly maxDeltaH?: number;
  /**
   * Inside a subtree of depth j, check every k leaves whether any chain is still valid and
   * stop early if none is: k = kCheck(j). Default 1: the validity flags live on the host, so
   * checking after every leaf is free and never spends a gradient on a subtree that no chain
   * needs; return Infinity to never stop early. The draws do not depend on k.
   */
  readonly kCheck?: (depth: number) => number;
}

/** log(exp(a) + exp(b)) = max + log1p(exp(min − max)), and −∞ when both are −∞. */
function logAddExp(a: number, b: number): number {
  const mx = a > b ? a : b;
  if (mx === -Infinity) return -Infinity;
  const mn = a > b ? b : a;
  return mx + Math.log1p(Math.exp(mn - mx));
}

/** Copy `d` numbers from `src[so …)` to `dst[o …)`. */
function copy(dst: Float64Array, o: number, src: Float64Array, so: number, d: number): void {
  for (let i = 0; i < d; i++) dst[o + i] = src[so + i]!;
}

/** A point without momentum, with its kinetic energy: the proposal or the sample. */
interface Draw {
  readonly q: Float64Array;
  readonly lp: Float64Array;
  readonly grad: Float64Array;
  readonly k: Float64Array;
}

function draws(C: number, D: number): Draw {
  return { q: new Float64Array(C * D), lp: new Float64Array(C), grad: new Float64Array(C * D), k: new Float64Array(C) };
}

function phase(C: number, D: number): PhasePoint {
  return { q: new Float64Array(C * D), p: new Float64Array(C * D), lp: new Float64Array(C), grad: new Float64Array(C * D) };
}

function copyDraw(dst: Draw, z: PhasePoint | Draw, k: number, c: number, d: number): void {
  const o = c * d;
  copy(dst.q, o, z.q, o, d);
  copy(dst.grad, o, z.grad, o, d);
  dst.lp[c] = z.lp[c]!;
  dst.k[c] = k;
}

function copyPhase(dst: PhasePoint, src: PhasePoint, c: number, d: number): void {
  const o = c * d;
  copy(dst.q, o, src.q, o, d);
  copy(dst.p, o, src.p, o, d);
  copy(dst.grad, o, src.grad, o, d);
  dst.lp[c] = src.lp[c]!;
}

/** One NUTS transition of every chain with per-chain step sizes (see `nutsWorkspace`). */
export type NutsTransition = (metric: Metric, state: ChainState, stepSize: readonly number[], streams: readonly RandomStream[]) => TransitionResult;

/**
 * The NUTS transition of the `gradient.chains` chains of `gradient`, with its buffers made
 * once. The input state is never written; the result's state arrays belong to the workspace
 * and are written again two transitions later (a transition writes the sample into whichever
 * of two buffers does not hold its input), so keep a copy of what must outlive that.
 */
export function nutsWorkspace(gradient: HostGradient, options: NutsOptions): NutsTransition {
  const ws = new Workspace(gradient, options);
  return (metric, state, stepSize, streams) => ws.transition(metric, state, stepSize, streams);
}

/**
 * The buffers and the transition. A class rather than a closure: V8 keeps type feedback and
 * optimised code per closure, so a closure made per run would be re-learnt by every run.
 */
class Workspace {
  private readonly C: number;
  private readonly D: number;
  private readonly maxDepth: number;
  private readonly maxDeltaH: number;
  private readonly kCheck: (depth: number) => number;
  private readonly p0: Float64Array;
  private readonly vN: Float64Array;
  private readonly k0: Float64Array;
  private readonly fwd: PhasePoint;
  private readonly back: PhasePoint;
  private readonly z: PhasePoint;
  private readonly samples: readonly [Draw, Draw];
  private readonly prop: Draw;
  private readonly rho: Float64Array;
  private readonly rhoSub: Float64Array;
  private readonly pbb: Float64Array;
  private readonly pbf: Float64Array;
  private readonly pfb: Float64Array;
  private readonly pff: Float64Array;
  // per-level checkpoints of the subtree being built (design/inference.md §4.2), level i at
  // offset i·C·D: momentum and velocity at the first leaf of the open block and ρ_sub just
  // before it; momentum and velocity at the last leaf of the block's left half (levels ≥ 1)
  private readonly pFirst: Float64Array;
  private readonly vFirst: Float64Array;
  private readonly rBefore: Float64Array;
  private readonly pLastLeft: Float64Array;
  private readonly vLastLeft: Float64Array;
  // per chain
  private readonly logW: Float64Array;
  private readonly logWsub: Float64Array;
  private readonly active: Uint8Array;
  private readonly valid: Uint8Array;
  private readonly forward: Uint8Array;
  private readonly h: Float64Array;
  private readonly u: Float64Array;
  private readonly sumMetro: Float64Array;
  // velocities of the four boundary momenta of one chain at the top-level check
  private readonly vbb: Float64Array;
  private readonly vbf: Float64Array;
  private readonly vfb: Float64Array;
  private readonly vff: Float64Array;
  private leap: Integrator | undefined;
  private leapMetric: Metric | undefined;

  constructor(private readonly gradient: HostGradient, options: NutsOptions) {
    const C = (this.C = gradient.chains);
    const D = (this.D = gradient.dim);
    const CD = C * D;
    this.maxDepth = options.maxDepth;
    this.maxDeltaH = options.maxDeltaH ?? 1000;
    this.kCheck = options.kCheck ?? (() => 1);
    const f64 = (n: number): Float64Array => new Float64Array(n);
    this.p0 = f64(CD);
    this.vN = f64(CD);
    this.k0 = f64(C);
    this.fwd = phase(C, D);
    this.back = phase(C, D);
    this.z = phase(C, D);
    this.samples = [draws(C, D), draws(C, D)];
    this.prop = draws(C, D);
    this.rho = f64(CD);
    this.rhoSub = f64(CD);
    this.pbb = f64(CD);
    this.pbf = f64(CD);
    this.pfb = f64(CD);
    this.pff = f64(CD);
    const L = this.maxDepth * CD;
    this.pFirst = f64(L);
    this.vFirst = f64(L);
    this.rBefore = f64(L);
    this.pLastLeft = f64(L);
    this.vLastLeft = f64(L);
    this.logW = f64(C);
    this.logWsub = f64(C);
    this.active = new Uint8Array(C);
    this.valid = new Uint8Array(C);
    this.forward = new Uint8Array(C);
    this.h = f64(C);
    this.u = f64(C);
    this.sumMetro = f64(C);
    this.vbb = f64(D);
    this.vbf = f64(D);
    this.vfb = f64(D);
    this.vff = f64(D);
  }

  transition(metric: Metric, state: ChainState, stepSize: readonly number[], streams: readonly RandomStream[]): TransitionResult {
    const { C, D, maxDepth, maxDeltaH, kCheck, p0, vN, k0, fwd, back, z, samples, prop, rho, rhoSub, pbb, pbf, pfb, pff } = this;
    const { pFirst, vFirst, rBefore, pLastLeft, vLastLeft, logW, logWsub, active, valid, forward, h, u, sumMetro, vbb, vbf, vfb, vff } = this;
    const CD = C * D;
    const f64 = (n: number): Float64Array => new Float64Array(n);
    if (stepSize.length !== C || streams.length !== C) throw new RangeError(`${stepSize.length} step sizes and ${streams.length} streams for ${C} chains`);
    if (metric !== this.leapMetric || this.leap === undefined) {
      this.leap = integrator(this.gradient, metric);
      this.leapMetric = metric;
    }
    const step = this.leap;
    const sample = state.q === samples[0].q ? samples[1] : samples[0];
    const lp0 = state.lp;
    const depth = f64(C);
    const nLeap = f64(C);
    const divergent = f64(C);
    drawMomentum(metric, streams, p0);
    fwd.q.set(state.q); fwd.p.set(p0); fwd.lp.set(state.lp); fwd.grad.set(state.grad);
    back.q.set(state.q); back.p.set(p0); back.lp.set(state.lp); back.grad.set(state.grad);
    for (let c = 0; c < C; c++) {
      velocityRow(metric, c, p0, c * D, vN, c * D);
      let s = 0;
      for (let i = c * D; i < (c + 1) * D; i++) s += p0[i]! * vN[i]!;
      k0[c] = 0.5 * s;
    }
    sample.q.set(state.q); sample.lp.set(state.lp); sample.grad.set(state.grad); sample.k.set(k0);
    rho.set(p0); pbb.set(p0); pbf.set(p0); pfb.set(p0); pff.set(p0);
    logW.fill(0);
    active.fill(1);
    sumMetro.fill(0);
    let nActive = C;
    let gradientCalls = 0;

    for (let j = 0; j < maxDepth && nActive > 0; j++) {
      let nValid = 0;
      for (let c = 0; c < C; c++) {
        forward[c] = streams[c]!.uniform() > 0.5 ? 1 : 0;
        valid[c] = active[c]!;
        if (active[c] === 0) continue;
        nValid += 1;
        h[c] = forward[c] ? stepSize[c]! : -stepSize[c]!;
        copyPhase(z, forward[c] ? fwd : back, c, D);
        logWsub[c] = -Infinity;
        rhoSub.fill(0, c * D, (c + 1) * D);
      }
      const k = kCheck(j);
      const leaves = 1 << j;
      for (let n = 0; n < leaves; n++) {
        if (n > 0 && n % k === 0 && nValid === 0) break;
        for (let c = 0; c < C; c++) u[c] = streams[c]!.uniform();
        step.step(z, h, valid);
        gradientCalls += 1;
        for (let c = 0; c < C; c++) {
          if (valid[c] === 0) continue;
          const o = c * D;
          // velocity and kinetic energy of the new point
          velocityRow(metric, c, z.p, o, vN, o);
          let pv = 0;
          for (let i = o; i < o + D; i++) pv += z.p[i]! * vN[i]!;
          const kN = 0.5 * pv;
          // log weight lw = −ΔH = (lp − lp0) − (K − K0), each difference first (§1.3); NaN is −∞
          let lw = z.lp[c]! - lp0[c]! - (kN - k0[c]!);
          if (Number.isNaN(lw)) lw = -Infinity;
          const div = lw < -maxDeltaH; // ΔH > maxΔH
          nLeap[c] = nLeap[c]! + 1;
          sumMetro[c] = sumMetro[c]! + (lw > 0 ? 1 : Math.exp(lw));
          // progressive multinomial choice: take the new leaf with probability w_n / W_sub
          const lwSub = logAddExp(logWsub[c]!, lw);
          if (u[c]! < Math.exp(lw - lwSub)) copyDraw(prop, z, kN, c, D);
          logWsub[c] = lwSub;
          // checkpoints of every level whose block opens or whose left half closes at leaf n
          // (before ρ_sub takes this leaf, so R_before holds the sum up to the previous leaf)
          for (let i = 0; i <= j; i++) {
            const size = 1 << i;
            const at = i * CD + o;
            const pos = n & (size - 1);
            if (pos === 0) {
              copy(pFirst, at, z.p, o, D);
              copy(vFirst, at, vN, o, D);
              copy(rBefore, at, rhoSub, o, D);
            }
            if (i >= 1 && pos === (size >> 1) - 1) {
              copy(pLastLeft, at, z.p, o, D);
              copy(vLastLeft, at, vN, o, D);
            }
          }
          for (let i = o; i < o + D; i++) rhoSub[i] = rhoSub[i]! + z.p[i]!;
          // U-turn checks of every block that completes at leaf n: v_a·ρ > 0 and v_b·ρ > 0 for
          // the whole block, left half + first leaf of the right half, last leaf of the left
          // half + right half (Stan's build_tree with the extra checks)
          let ok = !div;
          for (let i = 1; i <= j && ok; i++) {
            if (((n + 1) & ((1 << i) - 1)) !== 0) continue;
            const L = i * CD;
            const R = (i - 1) * CD;
            let a1 = 0, b1 = 0, a2 = 0, b2 = 0, a3 = 0, b3 = 0;
            for (let x = o; x < o + D; x++) {
              const blk = rhoSub[x]! - rBefore[L + x]!;
              a1 += vFirst[L + x]! * blk;
              b1 += vN[x]! * blk;
              const left = rBefore[R + x]! - rBefore[L + x]! + pFirst[R + x]!;
              a2 += vFirst[L + x]! * left;
              b2 += vFirst[R + x]! * left;
              const right = rhoSub[x]! - rBefore[R + x]! + pLastLeft[L + x]!;
              a3 += vLastLeft[L + x]! * right;
              b3 += vN[x]! * right;
            }
            ok = a1 > 0 && b1 > 0 && a2 > 0 && b2 > 0 && a3 > 0 && b3 > 0;
          }
          if (div) divergent[c] = 1;
          if (!ok) {
            valid[c] = 0;
            nValid -= 1;
          }
        }
      }
      // merge the subtree into the trajectory (chains still active whose subtree is valid)
      const first = j * CD;
      for (let c = 0; c < C; c++) {
        const uTop = streams[c]!.uniform();
        if (active[c] === 0) continue;
        if (valid[c] === 0) {
          active[c] = 0;
          nActive -= 1;
          continue;
        }
        const o = c * D;
        depth[c] = depth[c]! + 1;
        // biased progressive sampling: exp(·) > 1 (always taken) when the subtree outweighs the trajectory
        if (uTop < Math.exp(logWsub[c]! - logW[c]!)) copyDraw(sample, prop, prop.k[c]!, c, D);
        logW[c] = logAddExp(logW[c]!, logWsub[c]!);
        // forward: the old trajectory is the backward part; backward: the mirror image
        const fw = forward[c] === 1;
        if (fw) {
          copy(pbf, o, pff, o, D);
          copy(pfb, o, pFirst, first + o, D);
          copy(pff, o, z.p, o, D);
          copyPhase(fwd, z, c, D);
        } else {
          copy(pfb, o, pbb, o, D);
          copy(pbf, o, pFirst, first + o, D);
          copy(pbb, o, z.p, o, D);
          copyPhase(back, z, c, D);
        }
        // the three top-level U-turn checks ("no U-turn yet"; strict, so a zero product terminates)
        velocityRow(metric, c, pbb, o, vbb, 0);
        velocityRow(metric, c, pbf, o, vbf, 0);
        velocityRow(metric, c, pfb, o, vfb, 0);
        velocityRow(metric, c, pff, o, vff, 0);
        let a1 = 0, b1 = 0, a2 = 0, b2 = 0, a3 = 0, b3 = 0;
        for (let i = 0; i < D; i++) {
          const x = o + i;
          const rB = fw ? rho[x]! : rhoSub[x]!;
          const rF = fw ? rhoSub[x]! : rho[x]!;
          const whole = rB + rF;
          a1 += vbb[i]! * whole;
          b1 += vff[i]! * whole;
          const backPlus = rB + pfb[x]!;
          a2 += vbb[i]! * backPlus;
          b2 += vfb[i]! * backPlus;
          const fwdPlus = rF + pbf[x]!;
          a3 += vbf[i]! * fwdPlus;
          b3 += vff[i]! * fwdPlus;
          rho[x] = whole;
        }
        if (!(a1 > 0 && b1 > 0 && a2 > 0 && b2 > 0 && a3 > 0 && b3 > 0)) {
          active[c] = 0;
          nActive -= 1;
        }
      }
    }

    const acceptStat = f64(C);
    const energy = f64(C);
    for (let c = 0; c < C; c++) {
      acceptStat[c] = sumMetro[c]! / Math.max(nLeap[c]!, 1);
      energy[c] = sample.k[c]! - sample.lp[c]!;
    }
    return {
      state: { q: sample.q, lp: sample.lp, grad: sample.grad },
      stats: {
        lp: sample.lp.slice(),
        acceptStat,
        stepSize: Float64Array.from(stepSize),
        treeDepth: depth,
        nLeapfrog: nLeap,
        divergent,
        energy,
      },
      gradientCalls,
    };
  }
}

/** One NUTS transition (a workspace used once; kernels keep theirs, see `nutsWorkspace`). */
export function nutsTransition(
  gradient: HostGradient,
  metric: Metric,
  state: ChainState,
  stepSize: readonly number[],
  streams: readonly RandomStream[],
  options: NutsOptions,
): TransitionResult {
  return nutsWorkspace(gradient, options)(metric, state, stepSize, streams);
}
