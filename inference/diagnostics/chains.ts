/**
 * Draws of one scalar quantity held as chains, and the elementary operations of the
 * rank-normalised diagnostics: splitting, rank normalisation, folding and the type-7 quantile.
 *
 * Shape contract: `Chains` is `chains[m][n]`, draw n of chain m; every chain has the same
 * length. Reference: Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), Bayesian Analysis
 * 16(2), arXiv:1903.08008, sections 4.1–4.2.
 */
import { normalQuantile64 as normalQuantile } from "../../core/special-host.js";

/** Draws of one scalar: `chains[m][n]` is draw n of chain m (plain arrays or Float64Arrays). */
export type Chains = readonly ArrayLike<number>[];

/** Number of draws per chain; throws when the chains have different lengths. */
export function drawsPerChain(chains: Chains): number {
  const n = chains[0]?.length ?? 0;
  for (const c of chains) {
    if (c.length !== n) throw new RangeError(`chains have different lengths (${n} and ${c.length})`);
  }
  return n;
}

/** All draws of all chains, chain after chain, as one Float64Array. */
export function pooled(chains: Chains): Float64Array {
  const n = drawsPerChain(chains);
  const out = new Float64Array(n * chains.length);
  chains.forEach((c, m) => {
    for (let i = 0; i < n; i++) out[m * n + i] = c[i]!;
  });
  return out;
}

/** Apply `f` to every draw, keeping the chain structure. */
export function mapChains(chains: Chains, f: (x: number) => number): Float64Array[] {
  return chains.map((c) => Float64Array.from(c as ArrayLike<number>, f));
}

/**
 * True when the diagnostics are undefined: no draws, a non-finite draw, or all draws equal.
 * (posterior's `should_return_NA`, Stan's `is_finite_and_varies`.)
 */
export function isDegenerate(chains: Chains): boolean {
  let first = NaN;
  let varies = false;
  let any = false;
  for (const c of chains) {
    for (let i = 0; i < c.length; i++) {
      const x = c[i]!;
      if (!Number.isFinite(x)) return true;
      if (!any) {
        first = x;
        any = true;
      } else if (x !== first) varies = true;
    }
  }
  return !any || !varies;
}

/**
 * Split every chain into its first and last ⌊N/2⌋ draws (the middle draw of an odd-length chain
 * is dropped): M chains of N draws → 2M chains of ⌊N/2⌋ draws, halves in chain order.
 */
export function splitChains(chains: Chains): Float64Array[] {
  const n = drawsPerChain(chains);
  const half = Math.floor(n / 2);
  const out: Float64Array[] = [];
  for (const c of chains) {
    const first = new Float64Array(half);
    const second = new Float64Array(half);
    for (let i = 0; i < half; i++) {
      first[i] = c[i]!;
      second[i] = c[n - half + i]!;
    }
    out.push(first, second);
  }
  return out;
}

/**
 * Average ranks (1-based; ties share the mean of their ranks) of `x`: the first and last
 * positions of each value in a sorted copy (the typed array's native sort, several times
 * faster than sorting indices with a comparator; the summary ranks every scalar four times).
 */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const s = x.length;
  const sorted = Float64Array.from(x).sort();
  const ranks = new Float64Array(s);
  for (let i = 0; i < s; i++) {
    const v = x[i]!;
    // first index with sorted[k] ≥ v, then first with sorted[k] > v
    let lo = 0;
    let hi = s;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    hi = s;
    while (end < hi) {
      const mid = (end + hi) >>> 1;
      if (sorted[mid]! <= v) end = mid + 1;
      else hi = mid;
    }
    ranks[i] = (lo + end - 1) / 2 + 1;
  }
  return ranks;
}

/**
 * Rank normalisation: rank all S draws jointly (average ranks for ties) and map rank r to
 * z = Φ⁻¹((r − 3/8)/(S + 1/4)) (Blom's offset). Keeps the chain structure.
 */
export function rankNormalize(chains: Chains): Float64Array[] {
  const n = drawsPerChain(chains);
  const all = pooled(chains);
  const ranks = averageRanks(all);
  const s = all.length;
  const scores = blomScores(s);
  return chains.map((_, m) => {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = ranks[m * n + i]!;
      // whole ranks from the table; a tie's half-way rank directly
      z[i] = Number.isInteger(r) ? scores[r - 1]! : normalQuantile((r - 0.375) / (s + 0.25));
    }
    return z;
  });
}

/** Φ⁻¹((r − 3/8)/(S + 1/4)) for r = 1 … S, the last S's kept: every scalar of a summary has the same S. */
let blom: Float64Array = new Float64Array(0);
function blomScores(s: number): Float64Array {
  if (blom.length !== s) {
    blom = new Float64Array(s);
    for (let r = 1; r <= s; r++) blom[r - 1] = normalQuantile((r - 0.375) / (s + 0.25));
  }
  return blom;
}

/**
 * Sample quantile of R's type 7 (the default of R, numpy and posterior): with the sorted
 * draws x₍₁₎ ≤ … ≤ x₍S₎ and h = (S − 1)p, Q(p) = x₍⌊h⌋+1₎ + (h − ⌊h⌋)(x₍⌊h⌋+2₎ − x₍⌊h⌋+1₎).
 * Hyndman & Fan (1996), The American Statistician 50(4). NaN for empty or non-finite input.
 */
export function quantile(x: ArrayLike<number> | Chains, p: number): number {
  return quantileSorted(sortedDraws(x), p);
}

/** Type-7 quantile of draws already sorted ascending. */
export function quantileSorted(sorted: Float64Array, p: number): number {
  const s = sorted.length;
  if (s === 0 || !(p >= 0 && p <= 1)) return NaN;
  if (!Number.isFinite(sorted[0]!) || !Number.isFinite(sorted[s - 1]!)) return NaN;
  const h = (s - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  if (lo + 1 >= s) return a;
  return a + (h - lo) * (sorted[lo + 1]! - a);
}

/** All draws sorted ascending (NaN sorts last, so `quantileSorted` sees it). */
export function sortedDraws(x: ArrayLike<number> | Chains): Float64Array {
  const flat = isChains(x) ? pooled(x) : Float64Array.from(x);
  return flat.sort();
}

function isChains(x: ArrayLike<number> | Chains): x is Chains {
  return x.length > 0 && typeof (x as ArrayLike<unknown>)[0] === "object";
}

/** Arithmetic mean. */
export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/** Sample variance with divisor n − 1 (two-pass). */
export function variance(x: ArrayLike<number>): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - m) ** 2;
  return s / (x.length - 1);
}
