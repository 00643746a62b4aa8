/**
 * Autocovariance of a series via the FFT, O(N log N).
 *
 * γ(t) = (1/N) Σ_{n=0}^{N−1−t} (y_n − ȳ)(y_{n+t} − ȳ), t = 0 … N−1 (the biased estimate Geyer
 * (1992) recommends). The centred series is zero-padded to a power of two ≥ 2N so the circular
 * correlation equals the linear one (Wiener–Khinchin: γ = IFFT(|FFT(y)|²)/N).
 */

/** In-place iterative radix-2 complex FFT (`inverse` gives the unscaled inverse transform). */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n !== im.length || (n & (n - 1)) !== 0) throw new RangeError(`FFT length must be a power of two, got ${n}`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]!;
      re[i] = re[j]!;
      re[j] = t;
      t = im[i]!;
      im[i] = im[j]!;
      im[j] = t;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const ang = (sign * 2 * Math.PI) / len;
    // Twiddles from cos/sin directly (not by recurrence) to keep the error at O(ε log N).
    const wr = new Float64Array(half);
    const wi = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      wr[k] = Math.cos(ang * k);
      wi[k] = Math.sin(ang * k);
    }
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k++) {
        const a = start + k;
        const b = a + half;
        const xr = re[b]! * wr[k]! - im[b]! * wi[k]!;
        const xi = re[b]! * wi[k]! + im[b]! * wr[k]!;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

/** Biased autocovariance γ(0 … N−1) of `y` (see the module comment). */
export function autocovariance(y: ArrayLike<number>): Float64Array {
  const n = y.length;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let m = 0;
  for (let i = 0; i < n; i++) m += y[i]!;
  m /= n;
  for (let i = 0; i < n; i++) re[i] = y[i]! - m;
  fft(re, im);
  for (let k = 0; k < size; k++) {
    re[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    im[k] = 0;
  }
  fft(re, im, true);
  const out = new Float64Array(n);
  // 1/size undoes the unscaled inverse transform, 1/n is the biased estimator's divisor.
  for (let t = 0; t < n; t++) out[t] = re[t]! / (size * n);
  return out;
}
