/**
 * Stan's warm-up pieces as pure host-side functions (design/inference.md §3.3–3.6):
 * step-size dual averaging, the windowed schedule, and Welford estimates of the inverse metric
 * with Stan's regularisation. Everything is float64; one record per chain.
 */

// ---------------------------------------------------------------- dual averaging (§3.3)

export interface DualAveragingOptions {
  /** Target acceptance statistic δ (0.8). */
  readonly delta: number;
  /** Shrinkage γ (0.05). */
  readonly gamma: number;
  /** Early-iteration damping t0 (10). */
  readonly t0: number;
  /** Averaging decay κ (0.75). */
  readonly kappa: number;
}

export const DUAL_AVERAGING_DEFAULTS: DualAveragingOptions = { delta: 0.8, gamma: 0.05, t0: 10, kappa: 0.75 };

/** Nesterov dual-averaging state: counter t, running statistic s̄, averaged log step x̄, target μ. */
export interface DualAveraging {
  readonly t: number;
  readonly sBar: number;
  readonly xBar: number;
  readonly mu: number;
}

/** A fresh (restarted) state shrinking towards μ (Stan uses μ = log(10 ε)). */
export function dualAveragingInit(mu: number): DualAveraging {
  return { t: 0, sBar: 0, xBar: 0, mu };
}

/**
 * One update from a transition's accept statistic a:
 *   t += 1; η = 1/(t + t0); s̄ = (1 − η) s̄ + η (δ − min(a, 1)); x = μ − s̄ √t / γ;
 *   w = t^(−κ); x̄ = (1 − w) x̄ + w x; next ε = exp(x).
 * Hoffman & Gelman (2014) §3.2, Stan `stepsize_adaptation::learn_stepsize`.
 */
export function dualAveragingLearn(
  s: DualAveraging,
  acceptStat: number,
  o: DualAveragingOptions = DUAL_AVERAGING_DEFAULTS,
): { state: DualAveraging; stepSize: number } {
  const t = s.t + 1;
  const a = acceptStat > 1 ? 1 : acceptStat;
  const eta = 1 / (t + o.t0);
  const sBar = (1 - eta) * s.sBar + eta * (o.delta - a);
  const x = s.mu - (sBar * Math.sqrt(t)) / o.gamma;
  const w = Math.pow(t, -o.kappa);
  const xBar = (1 - w) * s.xBar + w * x;
  return { state: { t, sBar, xBar, mu: s.mu }, stepSize: Math.exp(x) };
}

/** The step size used after warm-up: exp(x̄). */
export function dualAveragingFinal(s: DualAveraging): number {
  return Math.exp(s.xBar);
}

// ---------------------------------------------------------------- window schedule (§3.4)

export interface WindowOptions {
  readonly initBuffer: number;
  readonly termBuffer: number;
  readonly baseWindow: number;
}

export const WINDOW_DEFAULTS: WindowOptions = { initBuffer: 75, termBuffer: 50, baseWindow: 25 };

/** Stan's windowed-adaptation counter. `adapting` is false when W < 20 (no metric adaptation). */
export interface WindowState {
  readonly warmup: number;
  readonly adapting: boolean;
  readonly initBuffer: number;
  readonly termBuffer: number;
  readonly counter: number;
  readonly size: number;
  readonly nextEnd: number;
}

/** Configure the schedule for W warm-up iterations (rescaled to 15% / 75% / 10% when the defaults do not fit). */
export function windowInit(warmup: number, o: WindowOptions = WINDOW_DEFAULTS): WindowState {
  let { initBuffer, termBuffer, baseWindow } = o;
  const adapting = warmup >= 20;
  if (adapting && initBuffer + baseWindow + termBuffer > warmup) {
    initBuffer = Math.floor(0.15 * warmup);
    termBuffer = Math.floor(0.1 * warmup);
    baseWindow = warmup - (initBuffer + termBuffer);
  }
  return { warmup, adapting, initBuffer, termBuffer, counter: 0, size: baseWindow, nextEnd: initBuffer + baseWindow - 1 };
}

/** Whether the current iteration's draw goes into the metric estimate. */
export function inSlowWindow(s: WindowState): boolean {
  return s.adapting && s.counter >= s.initBuffer && s.counter < s.warmup - s.termBuffer;
}

/**
 * Advance past the current iteration (call after `inSlowWindow`); `windowEnd` says whether a
 * slow window just ended, i.e. the metric must be recomputed and the step size re-initialised.
 */
export function windowStep(s: WindowState): { state: WindowState; windowEnd: boolean } {
  if (!s.adapting) return { state: { ...s, counter: s.counter + 1 }, windowEnd: false };
  if (s.counter === s.nextEnd && s.counter !== s.warmup) {
    let { size, nextEnd } = s;
    const last = s.warmup - s.termBuffer - 1;
    if (nextEnd !== last) {
      size *= 2;
      nextEnd = s.counter + size;
      if (nextEnd !== last && nextEnd + 2 * size >= s.warmup - s.termBuffer) nextEnd = last;
    }
    return { state: { ...s, counter: s.counter + 1, size, nextEnd }, windowEnd: true };
  }
  return { state: { ...s, counter: s.counter + 1 }, windowEnd: false };
}

/**
 * The schedule as inclusive iteration ranges: the initial fast buffer, each slow window, and
 * the terminal fast buffer (empty ranges left out); one range [0, W−1] when W < 20.
 */
export function windowSchedule(warmup: number, o: WindowOptions = WINDOW_DEFAULTS): [number, number][] {
  let s = windowInit(warmup, o);
  if (!s.adapting) return [[0, warmup - 1]];
  const out: [number, number][] = [];
  if (s.initBuffer > 0) out.push([0, s.initBuffer - 1]);
  let start = s.initBuffer;
  for (let i = 0; i < warmup; i++) {
    const r = windowStep(s);
    if (r.windowEnd) {
      out.push([start, i]);
      start = i + 1;
    }
    s = r.state;
  }
  if (start <= warmup - 1) out.push([start, warmup - 1]);
  return out;
}

// ---------------------------------------------------------------- Welford estimates (§3.5, §3.6)

/** Running mean and sum of squared deviations (diagonal) or of outer products (dense, row-major D × D). */
export interface Welford {
  readonly kind: "diag" | "dense";
  readonly dim: number;
  n: number;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
}

export function welfordInit(kind: "diag" | "dense", dim: number): Welford {
  return { kind, dim, n: 0, mean: new Float64Array(dim), m2: new Float64Array(kind === "diag" ? dim : dim * dim) };
}

/**
 * Add one draw (mutates the accumulator, which is chain-private scratch):
 * n += 1; δ = x − mean; mean += δ/n; M2 += δ ∘ (x − mean) (diag) or (x − mean)δᵀ (dense).
 * Welford (1962), Technometrics 4(3).
 */
export function welfordAdd(w: Welford, x: ArrayLike<number>): void {
  const d = w.dim;
  w.n += 1;
  const delta = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    delta[i] = x[i]! - w.mean[i]!;
    w.mean[i] = w.mean[i]! + delta[i]! / w.n;
  }
  if (w.kind === "diag") {
    for (let i = 0; i < d; i++) w.m2[i] = w.m2[i]! + delta[i]! * (x[i]! - w.mean[i]!);
  } else {
    for (let i = 0; i < d; i++) {
      const ai = x[i]! - w.mean[i]!;
      for (let j = 0; j < d; j++) w.m2[i * d + j] = w.m2[i * d + j]! + ai * delta[j]!;
    }
  }
}

/** Unbiased sample (co)variance M2/(n − 1); needs n ≥ 2. */
export function welfordVariance(w: Welford): Float64Array {
  if (w.n < 2) throw new RangeError("Welford variance needs at least two draws");
  return w.m2.map((v) => v / (w.n - 1));
}

/** Raised when an adapted metric is not finite. */
export class MetricAdaptationError extends Error {
  override readonly name = "MetricAdaptationError";
}

/**
 * Stan's regularised inverse metric: (n/(n+5))·S + 1e-3·(5/(n+5))·I, S the sample (co)variance
 * (Stan `var_adaptation` / `covar_adaptation`), made exactly symmetric in the dense case. Throws
 * when the result is not finite.
 */
export function regularisedMetric(w: Welford): Float64Array {
  const n = w.n;
  const s = welfordVariance(w);
  const a = n / (n + 5);
  const b = 1e-3 * (5 / (n + 5));
  const d = w.dim;
  const out = s.map((v) => a * v);
  if (w.kind === "diag") for (let i = 0; i < d; i++) out[i] = out[i]! + b;
  else {
    // the outer-product update is symmetric only up to rounding: make it exactly so
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) {
        const m = 0.5 * (out[i * d + j]! + out[j * d + i]!);
        out[i * d + j] = m;
        out[j * d + i] = m;
      }
      out[i * d + i] = out[i * d + i]! + b;
    }
  }
  for (const v of out) if (!Number.isFinite(v)) throw new MetricAdaptationError("numerical overflow in metric adaptation");
  return out;
}
