/**
 * TEST-ONLY reference: a direct, recursive, float64 transcription of Stan's NUTS transition
 * (`base_nuts::transition` and `build_tree`, design/inference.md §2.2–2.3) for one chain with
 * a diagonal inverse metric, in plain JS numbers. Used to check the lockstep builder.
 *
 * Random numbers are consumed from `rng` in the same order as the lockstep sampler (momentum
 * normals; per doubling a direction uniform, 2^j leaf uniforms, a top-level uniform), so both
 * see the same momenta and directions. Stan's recursive right-vs-left choices use a separate
 * `choice` stream: which leaf is drawn has the same distribution but not the same values.
 */
import type { RandomStream } from "../../../core/random.js";

export interface RefPoint {
  q: Float64Array;
  p: Float64Array;
  lp: number;
  grad: Float64Array;
}

export interface RefModel {
  readonly dim: number;
  logDensity(q: Float64Array): { lp: number; grad: Float64Array };
}

/** A leapfrog step (or a mock of one) from z with signed step h. */
export type RefIntegrator = (z: RefPoint, h: number) => RefPoint;

export interface RefSetup {
  readonly invMetric: Float64Array;
  readonly integrate: RefIntegrator;
  /** H(z) = −lp + ½ Σ m p² unless a mock Hamiltonian is given. */
  readonly hamiltonian?: (z: RefPoint) => number;
  readonly maxDeltaH?: number;
}

export function refLeapfrog(model: RefModel, invMetric: Float64Array): RefIntegrator {
  return (z, h) => {
    const d = model.dim;
    const pHalf = z.p.map((p, i) => p + 0.5 * h * z.grad[i]!);
    const q = z.q.map((x, i) => x + h * invMetric[i]! * pHalf[i]!);
    const { lp, grad } = model.logDensity(q);
    const p = new Float64Array(d);
    for (let i = 0; i < d; i++) p[i] = pHalf[i]! + 0.5 * h * grad[i]!;
    return { q, p, lp, grad };
  };
}

const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
const add = (a: Float64Array, b: Float64Array): Float64Array => a.map((x, i) => x + b[i]!);
const logAddExp = (a: number, b: number): number => {
  const m = Math.max(a, b);
  return m === -Infinity ? -Infinity : m + Math.log1p(Math.exp(-Math.abs(a - b)));
};

export interface TreeStats {
  nLeapfrog: number;
  sumMetro: number;
  divergent: boolean;
}

export interface TreeResult {
  valid: boolean;
  prop: RefPoint;
  logW: number;
  pBeg: Float64Array;
  pEnd: Float64Array;
  rho: Float64Array;
  /** The far end reached (for the mock facts). */
  end: RefPoint;
}

function sharp(s: RefSetup, p: Float64Array): Float64Array {
  return p.map((x, i) => x * s.invMetric[i]!);
}

function crit(s: RefSetup, pMinus: Float64Array, pPlus: Float64Array, rho: Float64Array): boolean {
  return dot(sharp(s, pPlus), rho) > 0 && dot(sharp(s, pMinus), rho) > 0;
}

export function refHamiltonian(s: RefSetup, z: RefPoint): number {
  if (s.hamiltonian) return s.hamiltonian(z);
  return -z.lp + 0.5 * dot(z.p, sharp(s, z.p));
}

/** Stan's recursive build_tree from the end point z (depth d, signed step h, initial energy H0). */
export function buildTree(s: RefSetup, d: number, z: RefPoint, h: number, H0: number, stats: TreeStats, choice: RandomStream): TreeResult {
  if (d === 0) {
    const zn = s.integrate(z, h);
    stats.nLeapfrog += 1;
    let hn = refHamiltonian(s, zn);
    if (Number.isNaN(hn)) hn = Infinity;
    const divergent = hn - H0 > (s.maxDeltaH ?? 1000);
    if (divergent) stats.divergent = true;
    const lw = H0 - hn;
    stats.sumMetro += lw > 0 ? 1 : Math.exp(lw);
    return { valid: !divergent, prop: zn, logW: lw, pBeg: zn.p, pEnd: zn.p, rho: zn.p.slice(), end: zn };
  }
  const left = buildTree(s, d - 1, z, h, H0, stats, choice);
  if (!left.valid) return left;
  const right = buildTree(s, d - 1, left.end, h, H0, stats, choice);
  if (!right.valid) return right;
  const logW = logAddExp(left.logW, right.logW);
  const prop = choice.uniform() < Math.exp(right.logW - logW) ? right.prop : left.prop;
  const rho = add(left.rho, right.rho);
  const valid =
    crit(s, left.pBeg, right.pEnd, rho) &&
    crit(s, left.pBeg, right.pBeg, add(left.rho, right.pBeg)) &&
    crit(s, left.pEnd, right.pEnd, add(right.rho, left.pEnd));
  return { valid, prop, logW, pBeg: left.pBeg, pEnd: right.pEnd, rho, end: right.end };
}

export interface RefTransition {
  q: Float64Array;
  lp: number;
  depth: number;
  nLeapfrog: number;
  divergent: boolean;
  acceptStat: number;
  energy: number;
}

/** One Stan NUTS transition from (q0, lp0, grad0) with step size eps (jitter 0). */
export function referenceTransition(
  s: RefSetup,
  start: { q: Float64Array; lp: number; grad: Float64Array },
  eps: number,
  maxDepth: number,
  rng: RandomStream,
  choice: RandomStream,
): RefTransition {
  const d = start.q.length;
  const p0 = new Float64Array(d);
  for (let i = 0; i < d; i++) p0[i] = rng.normal() / Math.sqrt(s.invMetric[i]!);
  const z0: RefPoint = { q: start.q, p: p0, lp: start.lp, grad: start.grad };
  const H0 = refHamiltonian(s, z0);
  let fwd = z0;
  let back = z0;
  let sample = z0;
  let pbb: Float64Array = p0, pbf: Float64Array = p0, pfb: Float64Array = p0, pff: Float64Array = p0;
  let rho: Float64Array = p0.slice();
  let logW = 0;
  let depth = 0;
  const stats: TreeStats = { nLeapfrog: 0, sumMetro: 0, divergent: false };
  while (depth < maxDepth) {
    let rhoF: Float64Array;
    let rhoB: Float64Array;
    const goForward = rng.uniform() > 0.5;
    let t: TreeResult;
    if (goForward) {
      rhoB = rho;
      pbf = pff;
      t = buildTree(s, depth, fwd, eps, H0, stats, choice);
      rhoF = t.rho;
      pfb = t.pBeg;
      pff = t.pEnd;
      fwd = t.end;
    } else {
      rhoF = rho;
      pfb = pbb;
      t = buildTree(s, depth, back, -eps, H0, stats, choice);
      rhoB = t.rho;
      pbf = t.pBeg;
      pbb = t.pEnd;
      back = t.end;
    }
    for (let n = 0; n < 2 ** depth; n++) rng.uniform(); // the lockstep sampler's leaf uniforms
    const u = rng.uniform();
    if (!t.valid) break;
    depth += 1;
    if (t.logW > logW || u < Math.exp(t.logW - logW)) sample = t.prop;
    logW = logAddExp(logW, t.logW);
    rho = add(rhoB, rhoF);
    const cont = crit(s, pbb, pff, rho) && crit(s, pbb, pfb, add(rhoB, pfb)) && crit(s, pbf, pff, add(rhoF, pbf));
    if (!cont) break;
  }
  return {
    q: sample.q,
    lp: sample.lp,
    depth,
    nLeapfrog: stats.nLeapfrog,
    divergent: stats.divergent,
    acceptStat: stats.sumMetro / stats.nLeapfrog,
    energy: refHamiltonian(s, sample),
  };
}
