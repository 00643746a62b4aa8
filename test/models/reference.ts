/**
 * Hand-written float64 log densities for the model catalogue, written directly from the
 * textbook densities and Stan's constraint transforms (inference.md section 7), with no use of
 * the interpreter or of distributions/. Each takes the flat unconstrained vector q.
 */

export const LOG_2PI = Math.log(2 * Math.PI);

/** Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0. */
export function lgamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61503916999185,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * LOG_2PI + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export const normalLp = (x: number, mu: number, s: number): number => -0.5 * ((x - mu) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
export const halfNormalLp = (x: number, s: number): number => Math.log(2) + normalLp(x, 0, s);
export const halfCauchyLp = (x: number, s: number): number => Math.log(2 / Math.PI) - Math.log(s) - Math.log1p((x / s) ** 2);
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
/** log Bernoulli(y | logit = eta). */
export const bernoulliLogitLp = (y: number, eta: number): number => (y === 1 ? -softplus(-eta) : -softplus(eta));

/** Positive: x = exp(y), log J = y. */
export const positive = (y: number): { x: number; logJ: number } => ({ x: Math.exp(y), logJ: y });

/** Simplex by ILR: z = Σ_i y_i v_i (Helmert rows), x = softmax(z), log J = Σ log x + ½ log K. */
export function simplexIlr(y: readonly number[]): { x: number[]; logJ: number } {
  const k = y.length + 1;
  const z = new Array<number>(k).fill(0);
  for (let i = 1; i < k; i++) {
    const s = 1 / Math.sqrt(i * (i + 1));
    for (let j = 0; j < i; j++) z[j]! += y[i - 1]! * s;
    z[i]! -= y[i - 1]! * i * s;
  }
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((a, b) => a + Math.exp(b - m), 0));
  const x = z.map((v) => Math.exp(v - lse));
  return { x, logJ: z.reduce((a, b) => a + b - lse, 0) + 0.5 * Math.log(k) };
}

/** Cholesky factor of a correlation matrix from K(K−1)/2 values (inference.md 7.3). */
export function choleskyCorr(y: readonly number[], k: number): { L: number[][]; logJ: number } {
  const c = y.map(Math.tanh);
  let logJ = c.reduce((a, v) => a + Math.log(1 - v * v), 0);
  const L = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  L[0]![0] = 1;
  let n = 0;
  for (let i = 1; i < k; i++) {
    L[i]![0] = c[n++]!;
    let ss = L[i]![0]! ** 2;
    for (let j = 1; j < i; j++) {
      logJ += 0.5 * Math.log1p(-ss);
      L[i]![j] = c[n++]! * Math.sqrt(1 - ss);
      ss += L[i]![j]! ** 2;
    }
    L[i]![i] = Math.sqrt(1 - ss);
  }
  return { L, logJ };
}

/** LKJ on Cholesky factors: Σ_{i≥2} (K − i + 2η − 2) log L_ii − log c_K(η) (LKJ 2009 eq. 16; Stan lkj_corr_cholesky). */
export function lkjCholeskyLp(L: readonly (readonly number[])[], eta: number): number {
  const k = L.length;
  let lp = 0;
  for (let i = 2; i <= k; i++) lp += (k - i + 2 * eta - 2) * Math.log(L[i - 1]![i - 1]!);
  let logC = 0;
  for (let j = 1; j < k; j++) {
    const b = eta + (k - j - 1) / 2;
    logC += (2 * eta - 2 + k - j) * (k - j) * Math.log(2) + (k - j) * (2 * lgamma(b) - lgamma(2 * b));
  }
  return lp - logC;
}

/** A seeded uniform generator (mulberry32), for reproducible test points. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
