/**
 * Exact host-side samplers (float64) for draws that have no simple tensor form.
 * Poisson and binomial use the order-statistic recursions of Devroye (1986), "Non-Uniform
 * Random Variate Generation", ch. X: O(log n) gamma/beta draws, exact for every parameter.
 */
import type { RandomStream } from "../core/random.js";

/** Beta(a, b) as G_a/(G_a + G_b). */
export function betaDraw(s: RandomStream, a: number, b: number): number {
  const x = s.gamma(a);
  const y = s.gamma(b);
  return x / (x + y);
}

/** Binomial(n, p), n a non-negative integer. */
export function binomialDraw(s: RandomStream, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 40) {
    let k = 0;
    for (let i = 0; i < n; i++) if (s.uniform() < p) k++;
    return k;
  }
  // The a-th smallest of n uniforms is Beta(a, n + 1 − a); condition on which side of p it falls.
  const a = 1 + Math.floor(n / 2);
  const b = n + 1 - a;
  const x = betaDraw(s, a, b);
  return x >= p ? binomialDraw(s, a - 1, p / x) : a + binomialDraw(s, b - 1, (p - x) / (1 - x));
}

/** Poisson(lambda). */
export function poissonDraw(s: RandomStream, lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda < 12) {
    // Multiply uniforms until the product drops below e^{−λ} (Knuth).
    const limit = Math.exp(-lambda);
    let k = 0;
    let prod = s.uniform();
    while (prod > limit) {
      k++;
      prod *= s.uniform();
    }
    return k;
  }
  // T_m, the m-th arrival of a unit-rate Poisson process, is Gamma(m). If T_m < λ the count
  // is m plus a Poisson(λ − T_m); otherwise the first m − 1 arrivals are uniform on (0, T_m).
  const m = Math.floor(0.875 * lambda);
  const t = s.gamma(m);
  return t < lambda ? m + poissonDraw(s, lambda - t) : binomialDraw(s, m - 1, lambda / t);
}
