/**
 * The No-U-Turn Sampler as Stan implements it (multinomial sampling, biased progressive
 * sampling at the top level, generalised U-turn criterion with the extra checks across merged
 * subtrees, divergence when ΔH > 1000), run for all C chains in LOCKSTEP
 * (design/inference.md §2 and §4.2).
 *
 * In lockstep every chain is at the same doubling j and the same leaf n, so which checkpoint
 * to write and which blocks complete at a leaf are host-side constants. Each leaf is one
 * batched leapfrog for all chains; chains that have stopped are frozen with `where` masks.
 * The host reads one boolean per doubling (does any chain still grow?) and, inside long
 * subtrees, one every `kCheck` leaves (is any subtree still valid?).
 *
 * Randomness, per chain and per transition, from that chain's own stream and in this order:
 * D normals (momentum); then per doubling j: one uniform (direction: forward when u > 0.5),
 * 2^j uniforms (one per leaf, for the progressive multinomial choice inside the subtree), one
 * uniform (biased top-level acceptance). A chain's numbers never depend on the other chains.
 */
import { tf } from "../../core/engine.js";
import type { LogDensityModel } from "../../core/model.js";
import type { RandomStream } from "../../core/random.js";
import { leapfrog, type PhasePoint } from "./integrator.js";
import { drawMomentum, kinetic, velocity, type Metric } from "./metric.js";
import type { ChainState, TransitionResult } from "./state.js";
import { arena, logAddExp, select, tidy, widen } from "./tensors.js";

export interface NutsOptions {
  /** Maximum tree depth (Stan default 10: at most 2^10 − 1 leapfrogs). */
  readonly maxDepth: number;
  /** Energy error beyond which a leaf is divergent (Stan: 1000). */
  readonly maxDeltaH?: number;
  /**
   * Inside a subtree of depth j, check every k leaves whether any chain is still valid and
   * stop early if none is: k = kCheck(j). Default max(4, 2^j / 8) (§4.4); return Infinity to
   * never check.
   */
  readonly kCheck?: (depth: number) => number;
}

interface Sample {
  readonly q: tf.Tensor2D;
  readonly lp: tf.Tensor1D;
  readonly grad: tf.Tensor2D;
  readonly k: tf.Tensor1D;
}

function uniforms(streams: readonly RandomStream[]): tf.Tensor1D {
  return tf.tensor1d(Float32Array.from(streams, (s) => s.uniform()));
}

function selectPoint(m: tf.Tensor1D, a: PhasePoint, b: PhasePoint, wide = widen(m, a.q.shape[1])): PhasePoint {
  return { q: select(wide, a.q, b.q), p: select(wide, a.p, b.p), lp: select(m, a.lp, b.lp), grad: select(wide, a.grad, b.grad) };
}

/**
 * One NUTS transition of every chain with per-chain step sizes `stepSize`. The input state
 * stays owned by the caller; the result's state is new.
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
  const maxDeltaH = options.maxDeltaH ?? 1000;
  const kCheck = options.kCheck ?? ((j: number) => Math.max(4, 2 ** j / 8));
  const A = arena();

  const eps = A.own(tf.tensor2d(Float32Array.from(stepSize), [C, 1]));
  // constants of the whole transition, uploaded once instead of at every leaf
  const c = A.own({
    half: tf.scalar(0.5),
    zero: tf.scalar(0),
    one: tf.scalar(1),
    negMaxDeltaH: tf.scalar(-maxDeltaH),
    negInf: tf.fill([C], -Infinity) as tf.Tensor1D,
    zeros: tf.zeros([C]) as tf.Tensor1D,
    zerosCD: tf.zeros([C, D]) as tf.Tensor2D,
  });
  const p0 = A.own(drawMomentum(metric, streams));
  const k0 = A.own(kinetic(metric, p0));
  const lp0 = state.lp;
  const start: PhasePoint = { q: state.q, p: p0, lp: state.lp, grad: state.grad };
  let back = start;
  let fwd = start;
  let sample: Sample = { q: state.q, lp: state.lp, grad: state.grad, k: k0 };
  // tensors are immutable, so the zero-initialised accumulators can share one constant
  let logW = c.zeros;
  let rho = p0;
  let pbb = p0, pbf = p0, pfb = p0, pff = p0;
  let active = A.own(tf.ones([C], "bool") as tf.Tensor1D);
  let depth = c.zeros;
  let nLeap = c.zeros;
  let sumMetro = c.zeros;
  let divergent = A.own(tf.zeros([C], "bool") as tf.Tensor1D);
  let gradientCalls = 0;

  const roots = (): unknown[] => [
    back, fwd, sample, logW, rho, pbb, pbf, pfb, pff, active, depth, nLeap, sumMetro, divergent, eps, k0, c,
  ];

  for (let j = 0; j < options.maxDepth; j++) {
    if (j > 0) {
      const any = tf.any(active);
      const go = any.dataSync()[0];
      any.dispose();
      if (!go) break;
    }
    const forward = A.own(tf.tidy(() => tf.greater(uniforms(streams), 0.5)) as tf.Tensor1D);
    const h = A.own(tf.tidy(() => select(forward, eps, tf.neg(eps))));
    const halfH = A.own(tf.mul(c.half, h) as tf.Tensor2D);
    let z: PhasePoint = A.own(tidy(() => selectPoint(forward, fwd, back)));
    let valid = active;
    let logWsub = c.negInf;
    let rhoSub = c.zerosCD;
    let prop: Sample = { ...sample };
    const pFirst: tf.Tensor2D[] = [];
    const rBefore: tf.Tensor2D[] = [];
    const pLastLeft: tf.Tensor2D[] = [];
    // velocities Minv·p of the checkpointed momenta, computed once per leaf
    const vFirst: tf.Tensor2D[] = [];
    const vLastLeft: tf.Tensor2D[] = [];
    const k = kCheck(j);
    for (let n = 0; n < 2 ** j; n++) {
      if (n > 0 && n % k === 0) {
        const any = tf.any(valid);
        const go = any.dataSync()[0];
        any.dispose();
        if (!go) break;
      }
      const u = uniforms(streams);
      const zNew = A.own(leapfrog(model, metric, z, h, halfH));
      gradientCalls += 1;
      const rPrev = rhoSub;
      // one scope per leaf: the leaf's statistics, its checkpoints and its U-turn checks
      const step = A.own(
        tidy(() => {
          const live = valid;
          const liveF = tf.cast(live, "float32");
          const vN = velocity(metric, zNew.p);
          // inline row dot / widen: this scope already frees their intermediates
          const kN = tf.mul(c.half, tf.sum(tf.mul(zNew.p, vN), 1)) as tf.Tensor1D;
          // log weight lw = −ΔH = (lp − lp0) − (K − K0), bit for bit −((lp0 − lp) + (K − K0))
          // (negation is exact); NaN becomes −∞ (an impossible point)
          const lwRaw = tf.sub(tf.sub(zNew.lp, lp0), tf.sub(kN, k0)) as tf.Tensor1D;
          const lw = select(tf.isNaN(lwRaw) as tf.Tensor1D, c.negInf, lwRaw);
          // ΔH > maxΔH ⇔ lw < −maxΔH
          const div = tf.logicalAnd(live, tf.less(lw, c.negMaxDeltaH)) as tf.Tensor1D;
          const nLeapN = tf.add(nLeap, liveF) as tf.Tensor1D;
          const metro = tf.minimum(tf.exp(lw), c.one); // = (lw > 0) ? 1 : exp(lw)
          const sumMetroN = tf.add(sumMetro, tf.mul(metro, liveF)) as tf.Tensor1D;
          // progressive multinomial choice: take the new leaf with probability w_n / W_sub.
          // The proposal, ρ, W_sub and end point of a chain that is no longer valid are never
          // read again (the merge masks them with active ∧ valid), so they are updated without
          // a mask; letting an invalid chain's end point integrate on (instead of freezing it)
          // only continues its Hamiltonian trajectory.
          // log(W_sub + w_n) as logAddExp (tensors.ts) computes it, with −|a − b| written as
          // min − max: bit for bit the same because lw is never NaN (the two forms differ only
          // where the second operand is NaN), and one kernel fewer
          const mx = tf.maximum(logWsub, lw);
          const sum = tf.add(mx, tf.log1p(tf.exp(tf.sub(tf.minimum(logWsub, lw), mx)))) as tf.Tensor1D;
          const logWnew = select(tf.equal(mx, c.negInf) as tf.Tensor1D, mx as tf.Tensor1D, sum);
          const take = tf.less(u, tf.exp(tf.sub(lw, logWnew))) as tf.Tensor1D;
          const takeW = tf.tile(tf.reshape(take, [C, 1]), [1, D]) as tf.Tensor2D;
          const propN = {
            q: select(takeW, zNew.q, prop.q),
            lp: select(take, zNew.lp, prop.lp),
            grad: select(takeW, zNew.grad, prop.grad),
            k: select(take, kN, prop.k),
          };
          const rhoN = tf.add(rhoSub, zNew.p) as tf.Tensor2D;
          // checkpoints of every level whose block opens or whose left half closes at leaf n
          // (vN is part of the result, so it outlives this scope)
          for (let i = 0; i <= j; i++) {
            const size = 2 ** i;
            if (n % size === 0) {
              pFirst[i] = zNew.p;
              vFirst[i] = vN;
              rBefore[i] = rPrev;
            }
            if (i >= 1 && n % size === size / 2 - 1) {
              pLastLeft[i] = zNew.p;
              vLastLeft[i] = vN;
            }
          }
          // U-turn checks of every block that completes at leaf n, all in one batch: for each
          // check c, v_a·ρ > 0 and v_b·ρ > 0 (rows of `va`, `vb`, `rho` stacked to [checks, C, D])
          const va: tf.Tensor2D[] = [];
          const vb: tf.Tensor2D[] = [];
          const rr: tf.Tensor2D[] = [];
          for (let i = 1; i <= j; i++) {
            if ((n + 1) % 2 ** i !== 0) continue;
            va.push(vFirst[i]!, vFirst[i]!, vLastLeft[i]!);
            vb.push(vN, vFirst[i - 1]!, vN);
            rr.push(
              tf.sub(rhoN, rBefore[i]!), // the whole block
              tf.add(tf.sub(rBefore[i - 1]!, rBefore[i]!), pFirst[i - 1]!), // left half + first leaf of the right half
              tf.add(tf.sub(rhoN, rBefore[i - 1]!), pLastLeft[i]!), // last leaf of the left half + right half
            );
          }
          let acc = tf.logicalNot(div) as tf.Tensor1D;
          if (rr.length > 0) {
            const rho3 = tf.stack(rr);
            const dots = (v: tf.Tensor2D[]): tf.Tensor => tf.sum(tf.mul(tf.stack(v), rho3), 2);
            const noTurn = tf.all(tf.logicalAnd(tf.greater(dots(va), c.zero), tf.greater(dots(vb), c.zero)), 0);
            acc = tf.logicalAnd(acc, noTurn) as tf.Tensor1D;
          }
          return {
            nLeapN, sumMetroN, propN, rhoN, vN,
            logWsubN: logWnew,
            zN: zNew,
            valid: tf.logicalAnd(valid, acc) as tf.Tensor1D,
            divergent: tf.logicalOr(divergent, div) as tf.Tensor1D,
          };
        }),
      );
      u.dispose();
      rhoSub = step.rhoN;
      valid = step.valid;
      divergent = step.divergent;
      nLeap = step.nLeapN;
      sumMetro = step.sumMetroN;
      prop = step.propN;
      logWsub = step.logWsubN;
      z = step.zN;
      A.sweep([...roots(), z, prop, valid, logWsub, rhoSub, pFirst, rBefore, pLastLeft, vFirst, vLastLeft, forward, h, halfH]);
    }
    // merge the subtree into the trajectory (chains still active whose subtree is valid)
    const u = uniforms(streams);
    const first = pFirst[j]!;
    const merged = A.own(
      tidy(() => {
        const m = tf.logicalAnd(active, valid) as tf.Tensor1D;
        const fm = tf.logicalAnd(m, forward) as tf.Tensor1D;
        const bm = tf.logicalAnd(m, tf.logicalNot(forward)) as tf.Tensor1D;
        const accept = tf.logicalAnd(m, tf.less(u, tf.exp(tf.sub(logWsub, logW)))) as tf.Tensor1D;
        // the five masks widened to [C, D] together: stack, tile once, unstack
        const [mW, fmW, bmW, forwardW, acceptW] = tf.unstack(
          tf.tile(tf.reshape(tf.stack([m, fm, bm, forward, accept]), [5, C, 1]), [1, 1, D]),
        ) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const sampleN: Sample = {
          q: select(acceptW, prop.q, sample.q),
          lp: select(accept, prop.lp, sample.lp),
          grad: select(acceptW, prop.grad, sample.grad),
          k: select(accept, prop.k, sample.k),
        };
        const logWN = select(m, logAddExp(logW, logWsub), logW);
        // forward: the old trajectory is the backward part; backward: the mirror image
        const pbfN = select(fmW, pff, select(bmW, first, pbf));
        const pfbN = select(fmW, first, select(bmW, pbb, pfb));
        const pffN = select(fmW, z.p, pff);
        const pbbN = select(bmW, z.p, pbb);
        const rhoB = select(forwardW, rho, rhoSub);
        const rhoF = select(forwardW, rhoSub, rho);
        const rhoN = tf.add(rhoB, rhoF) as tf.Tensor2D;
        // the three top-level U-turn checks in one batch (as at the leaves): for each check,
        // v_a·ρ > 0 and v_b·ρ > 0 ("no U-turn yet"; strict, so a zero product terminates),
        // with each end point's velocity computed once
        const [vbb, vff, vfb, vbf] = [pbbN, pffN, pfbN, pbfN].map((x) => velocity(metric, x)) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const rho3 = tf.stack([rhoN, tf.add(rhoB, pfbN), tf.add(rhoF, pbfN)]);
        const dots = (v: tf.Tensor2D[]): tf.Tensor => tf.sum(tf.mul(tf.stack(v), rho3), 2);
        const topOk = tf.all(tf.logicalAnd(tf.greater(dots([vbb, vbb, vbf]), c.zero), tf.greater(dots([vff, vfb, vff]), c.zero)), 0);
        return {
          sampleN, logWN, pbfN, pfbN, pffN, pbbN,
          rhoN: select(mW, rhoN, rho),
          fwdN: selectPoint(fm, z, fwd, fmW),
          backN: selectPoint(bm, z, back, bmW),
          depthN: tf.add(depth, tf.cast(m, "float32")) as tf.Tensor1D,
          activeN: tf.logicalAnd(m, topOk) as tf.Tensor1D,
        };
      }),
    );
    u.dispose();
    sample = merged.sampleN;
    logW = merged.logWN;
    pbf = merged.pbfN;
    pfb = merged.pfbN;
    pff = merged.pffN;
    pbb = merged.pbbN;
    rho = merged.rhoN;
    fwd = merged.fwdN;
    back = merged.backN;
    depth = merged.depthN;
    active = merged.activeN;
    A.sweep(roots());
  }

  // one host read for all six statistic rows, `[6, C]`
  const packed = tf.tidy(() =>
    tf.stack([
      sample.lp,
      tf.div(sumMetro, tf.maximum(nLeap, 1)),
      depth,
      nLeap,
      tf.cast(divergent, "float32"),
      tf.sub(sample.k, sample.lp),
    ]),
  );
  const flat = packed.dataSync();
  packed.dispose();
  const host = [0, 1, 2, 3, 4, 5].map((r) => Float64Array.from(flat.subarray(r * C, (r + 1) * C)));
  const next = tidy(() => ({ q: sample.q.clone(), lp: sample.lp.clone(), grad: sample.grad.clone() }));
  A.release([]);
  return {
    state: next,
    stats: {
      lp: host[0]!,
      acceptStat: host[1]!,
      stepSize: Float64Array.from(stepSize),
      treeDepth: host[2]!,
      nLeapfrog: host[3]!,
      divergent: host[4]!,
      energy: host[5]!,
    },
    gradientCalls,
  };
}
