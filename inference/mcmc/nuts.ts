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
 * acceptance). A chain's numbers and arithmetic never depend on the other chains.
 */
import type { LogDensityModel } from "../../core/model.js";
import type { RandomStream } from "../../core/random.js";
import { copyPoint, integrator, type PhasePoint } from "./integrator.js";
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

/** Copy chain c's row (length d at offset o) from `src` to `dst`. */
function copyRow(dst: Float64Array, src: Float64Array, o: number, d: number): void {
  for (let i = 0; i < d; i++) dst[o + i] = src[o + i]!;
}

/** Per-level checkpoints of the subtree being built (design/inference.md §4.2), `[C·D]` each. */
interface Level {
  /** Momentum and velocity at the first leaf of the open block. */
  readonly pFirst: Float64Array;
  readonly vFirst: Float64Array;
  /** ρ_sub just before that leaf. */
  readonly rBefore: Float64Array;
  /** Momentum and velocity at the last leaf of the block's left half (levels ≥ 1). */
  readonly pLastLeft: Float64Array;
  readonly vLastLeft: Float64Array;
}

/** The proposal or the sample: a point without momentum, with its kinetic energy. */
interface Draw {
  readonly q: Float64Array;
  readonly lp: Float64Array;
  readonly grad: Float64Array;
  readonly k: Float64Array;
}

function copyDraw(dst: Draw, z: PhasePoint | Draw, k: number, c: number, d: number): void {
  const o = c * d;
  copyRow(dst.q, z.q, o, d);
  copyRow(dst.grad, z.grad, o, d);
  dst.lp[c] = z.lp[c]!;
  dst.k[c] = k;
}

function copyPhase(dst: PhasePoint, src: PhasePoint, c: number, d: number): void {
  const o = c * d;
  copyRow(dst.q, src.q, o, d);
  copyRow(dst.p, src.p, o, d);
  copyRow(dst.grad, src.grad, o, d);
  dst.lp[c] = src.lp[c]!;
}

/**
 * One NUTS transition of every chain with per-chain step sizes `stepSize`. The input state
 * is not modified; the result's state is new.
 */
export function nutsTransition(
  model: LogDensityModel,
  metric: Metric,
  state: ChainState,
  stepSize: readonly number[],
  streams: readonly RandomStream[],
  options: NutsOptions,
): TransitionResult {
  const C = stepSize.length;
  const D = model.dim;
  const CD = C * D;
  const maxDeltaH = options.maxDeltaH ?? 1000;
  const kCheck = options.kCheck ?? (() => 1);
  const leap = integrator(model, metric, C);
  const f64 = (n: number): Float64Array => new Float64Array(n);

  const lp0 = state.lp;
  const p0 = drawMomentum(metric, streams);
  const start: PhasePoint = { q: state.q, p: p0, lp: state.lp, grad: state.grad };
  const fwd = copyPoint(start);
  const back = copyPoint(start);
  const z: PhasePoint = { q: f64(CD), p: f64(CD), lp: f64(C), grad: f64(CD) };
  const vN = f64(CD);
  const k0 = f64(C);
  for (let c = 0; c < C; c++) {
    velocityRow(metric, c, p0, c * D, vN, c * D);
    let s = 0;
    for (let i = c * D; i < (c + 1) * D; i++) s += p0[i]! * vN[i]!;
    k0[c] = 0.5 * s;
  }
  const sample: Draw = { q: state.q.slice(), lp: state.lp.slice(), grad: state.grad.slice(), k: k0.slice() };
  const prop: Draw = { q: f64(CD), lp: f64(C), grad: f64(CD), k: f64(C) };
  const rho = p0.slice();
  const rhoSub = f64(CD);
  const pbb = p0.slice(), pbf = p0.slice(), pfb = p0.slice(), pff = p0.slice();
  const levels: Level[] = [];
  // per chain
  const logW = f64(C);
  const logWsub = f64(C);
  const active = new Uint8Array(C).fill(1);
  const valid = new Uint8Array(C);
  const forward = new Uint8Array(C);
  const h = f64(C);
  const u = f64(C);
  const depth = f64(C);
  const nLeap = f64(C);
  const sumMetro = f64(C);
  const divergent = f64(C);
  // velocities of the four boundary momenta of one chain at the top-level check
  const vbb = f64(D), vbf = f64(D), vfb = f64(D), vff = f64(D);
  let gradientCalls = 0;

  for (let j = 0; j < options.maxDepth; j++) {
    if (!active.includes(1)) break;
    if (levels.length <= j) {
      levels.push({ pFirst: f64(CD), vFirst: f64(CD), rBefore: f64(CD), pLastLeft: f64(CD), vLastLeft: f64(CD) });
    }
    for (let c = 0; c < C; c++) {
      forward[c] = streams[c]!.uniform() > 0.5 ? 1 : 0;
      valid[c] = active[c]!;
      if (active[c] === 0) continue;
      h[c] = forward[c] ? stepSize[c]! : -stepSize[c]!;
      copyPhase(z, forward[c] ? fwd : back, c, D);
      logWsub[c] = -Infinity;
      rhoSub.fill(0, c * D, (c + 1) * D);
    }
    const k = kCheck(j);
    for (let n = 0; n < 2 ** j; n++) {
      if (n > 0 && n % k === 0 && !valid.includes(1)) break;
      for (let c = 0; c < C; c++) u[c] = streams[c]!.uniform();
      leap.step(z, h, valid);
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
          const size = 2 ** i;
          const L = levels[i]!;
          if (n % size === 0) {
            copyRow(L.pFirst, z.p, o, D);
            copyRow(L.vFirst, vN, o, D);
            copyRow(L.rBefore, rhoSub, o, D);
          }
          if (i >= 1 && n % size === size / 2 - 1) {
            copyRow(L.pLastLeft, z.p, o, D);
            copyRow(L.vLastLeft, vN, o, D);
          }
        }
        for (let i = o; i < o + D; i++) rhoSub[i] = rhoSub[i]! + z.p[i]!;
        // U-turn checks of every block that completes at leaf n: v_a·ρ > 0 and v_b·ρ > 0 for
        // the whole block, left half + first leaf of the right half, last leaf of the left
        // half + right half (Stan's build_tree with the extra checks)
        let ok = !div;
        for (let i = 1; i <= j && ok; i++) {
          if ((n + 1) % 2 ** i !== 0) continue;
          const L = levels[i]!;
          const R = levels[i - 1]!;
          let a1 = 0, b1 = 0, a2 = 0, b2 = 0, a3 = 0, b3 = 0;
          for (let x = o; x < o + D; x++) {
            const blk = rhoSub[x]! - L.rBefore[x]!;
            a1 += L.vFirst[x]! * blk;
            b1 += vN[x]! * blk;
            const left = R.rBefore[x]! - L.rBefore[x]! + R.pFirst[x]!;
            a2 += L.vFirst[x]! * left;
            b2 += R.vFirst[x]! * left;
            const right = rhoSub[x]! - R.rBefore[x]! + L.pLastLeft[x]!;
            a3 += L.vLastLeft[x]! * right;
            b3 += vN[x]! * right;
          }
          ok = a1 > 0 && b1 > 0 && a2 > 0 && b2 > 0 && a3 > 0 && b3 > 0;
        }
        if (div) divergent[c] = 1;
        if (!ok) valid[c] = 0;
      }
    }
    // merge the subtree into the trajectory (chains still active whose subtree is valid)
    const first = levels[j]!.pFirst;
    for (let c = 0; c < C; c++) {
      const uTop = streams[c]!.uniform();
      if (active[c] === 0) continue;
      if (valid[c] === 0) {
        active[c] = 0;
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
        copyRow(pbf, pff, o, D);
        copyRow(pfb, first, o, D);
        copyRow(pff, z.p, o, D);
        copyPhase(fwd, z, c, D);
      } else {
        copyRow(pfb, pbb, o, D);
        copyRow(pbf, first, o, D);
        copyRow(pbb, z.p, o, D);
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
      if (!(a1 > 0 && b1 > 0 && a2 > 0 && b2 > 0 && a3 > 0 && b3 > 0)) active[c] = 0;
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
