/**
 * ADVI (Kucukelbir, Tran, Ranganath, Gelman & Blei 2017) as Stan implements it
 * (design/inference.md §5.1): a Gaussian q over the unconstrained space, mean-field
 * (ζ = μ + exp(ω) ∘ η) or full-rank (ζ = μ + L η), fitted by stochastic gradient ascent on the
 * ELBO with the reparameterisation gradient, S draws per step evaluated as one batched
 * log-density call (draws as rows, as chains are for NUTS).
 *
 * Step sizes: Stan's adaptive sequence λ ← λ + η·k^(−1/2)·g / (1 + √s_k), s_k = 0.1 g² + 0.9 s_{k−1},
 * with η chosen by Stan's search over {100, 10, 1, 0.1, 0.01} (50 iterations each from the
 * initial λ), or Adam. Convergence: every `evalElbo` iterations the relative ELBO change goes
 * into a circular buffer of max(0.1·iterations/evalElbo, 2) entries; the run stops when the
 * buffer's mean or median falls below `tolRelObj`. The fitted q is checked by Pareto k̂ of
 * log p̃ − log q over its draws (Yao, Vehtari, Simpson & Gelman 2018).
 *
 * One departure from Stan: the returned λ is the average of the iterates over the windows in
 * that buffer (Polyak–Ruppert averaging, as Dhaka et al. 2020 recommend for VI), not the last
 * iterate. With Stan's normalised steps the last iterate jitters by about η/√k in every
 * coordinate, whatever the posterior's scale: ±0.1 at η = 10 after 10,000 iterations, more than
 * a posterior sd of 0.08 in a regression we test; the average removes that noise.
 *
 * The model may change with the iteration (`modelAt`: minibatches); the driver yields to the
 * event loop after every iteration, and an aborted `signal` stops it after the current one.
 */
import { tf } from "../../core/engine.js";
import type { LogDensityModel } from "../../core/model.js";
import { fold, key, normalArray, uniformArray, type Key } from "../../core/random.js";
import { psis } from "../diagnostics/psis.js";
import { hostGradient } from "../mcmc/gradient.js";

export type AdviMethod = "meanfield" | "fullrank";

export interface AdviProgress {
  readonly phase: "adaptation" | "optimisation";
  /** Iterations done in this phase, and its length (the maximum for optimisation). */
  readonly iteration: number;
  readonly total: number;
  /** The last ELBO estimate, when there is one. */
  readonly elbo?: number;
}

export interface AdviSettings {
  readonly method?: AdviMethod;
  /** Maximum iterations (Stan's max_iter, 10,000). */
  readonly iterations?: number;
  /** Draws of η per gradient (Stan's grad_samples, 1). */
  readonly gradDraws?: number;
  /** Draws per ELBO estimate (Stan's elbo_samples, 100). */
  readonly elboDraws?: number;
  /** Iterations between ELBO estimates (Stan's eval_elbo, 100). */
  readonly evalElbo?: number;
  /** Relative ELBO tolerance (Stan's tol_rel_obj, 0.01). */
  readonly tolRelObj?: number;
  /** A fixed step size η; without it η is chosen by Stan's search. */
  readonly eta?: number;
  /** Iterations per candidate η in the search (Stan's adapt_iter, 50). */
  readonly adaptIter?: number;
  /** "stan" (the adaptive sequence, default) or "adam" (with `lr`, default 0.1). */
  readonly optimizer?: "stan" | "adam";
  readonly lr?: number;
  /** Draws from the fitted q returned (Stan's output_samples, 1,000). */
  readonly outputDraws?: number;
  readonly seed: number;
  /** Initial μ (default: uniform in (−2, 2), Stan's random inits). */
  readonly init?: ArrayLike<number>;
  /** Initial sds of q, per coordinate (default 1, Stan's ω = 0 and L = I): mean-field ω = log sd, full-rank L = diag(sd). */
  readonly initScale?: ArrayLike<number>;
  /** The model to differentiate at iteration k (minibatches); default: `model` always. */
  readonly modelAt?: (iteration: number) => LogDensityModel;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: AdviProgress) => void;
}

export interface AdviResult {
  readonly method: AdviMethod;
  readonly dim: number;
  readonly mean: Float64Array;
  /** Mean-field: the standard deviations; full-rank: L row-major `[D, D]` (lower triangular). */
  readonly scale: Float64Array;
  /** Draws from q, row-major `[outputDraws, D]`, with log p̃ and log q at each. */
  readonly draws: Float32Array;
  readonly logP: Float64Array;
  readonly logQ: Float64Array;
  readonly elbo: readonly { readonly iteration: number; readonly value: number; readonly relChange?: number }[];
  readonly eta: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly interrupted: boolean;
  /** Pareto k̂ of log p̃ − log q over the draws (NaN when it cannot be fitted). */
  readonly paretoK: number;
  /** Warnings in words (divergence, k̂ > 0.7). */
  readonly warnings: readonly string[];
  readonly seconds: number;
}

/** A failed VI run, in words for the user. */
export class ViError extends Error {
  override readonly name = "ViError";
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const LOG_2PI = Math.log(2 * Math.PI);

/** The variational family's parameters λ as one vector, and what it does with them. */
interface Family {
  readonly size: number;
  initial(mu0: ArrayLike<number>, sd0?: ArrayLike<number>): Float64Array;
  /** ζ = T(η) for S draws (`eta` `[S·D]`) into `out`. */
  transform(lambda: Float64Array, eta: Float32Array, s: number, out: Float32Array): void;
  /** Σ over the draws of the λ-gradient of log p̃(T(η)) + H, averaged: into `out`. */
  gradient(lambda: Float64Array, eta: Float32Array, grads: Float64Array, s: number, out: Float64Array): void;
  entropy(lambda: Float64Array): number;
  /** log q(ζ) of a draw made from η. */
  logQ(lambda: Float64Array, eta: Float32Array, s: number, index: number): number;
  /** The scale part for the result (sds, or L). */
  scale(lambda: Float64Array): Float64Array;
}

function meanField(d: number): Family {
  return {
    size: 2 * d,
    initial: (mu0, sd0) => {
      const l = new Float64Array(2 * d);
      for (let i = 0; i < d; i++) {
        l[i] = mu0[i]!;
        l[d + i] = sd0 === undefined ? 0 : Math.log(sd0[i]!); // Stan: ω = 0, σ = 1
      }
      return l;
    },
    transform: (l, eta, s, out) => {
      for (let r = 0; r < s; r++) for (let i = 0; i < d; i++) out[r * d + i] = l[i]! + Math.exp(l[d + i]!) * eta[r * d + i]!;
    },
    gradient: (l, eta, g, s, out) => {
      out.fill(0);
      for (let r = 0; r < s; r++) {
        for (let i = 0; i < d; i++) {
          const gi = g[r * d + i]!;
          out[i]! += gi / s;
          out[d + i]! += (gi * eta[r * d + i]! * Math.exp(l[d + i]!)) / s;
        }
      }
      for (let i = 0; i < d; i++) out[d + i]! += 1;
    },
    entropy: (l) => {
      let h = 0.5 * d * (1 + LOG_2PI);
      for (let i = 0; i < d; i++) h += l[d + i]!;
      return h;
    },
    logQ: (l, eta, _s, r) => {
      let v = -0.5 * d * LOG_2PI;
      for (let i = 0; i < d; i++) v += -0.5 * eta[r * d + i]! ** 2 - l[d + i]!;
      return v;
    },
    scale: (l) => Float64Array.from({ length: d }, (_, i) => Math.exp(l[d + i]!)),
  };
}

/** Full rank: λ = (μ, L) with L stored row-major `[D, D]`, only its lower triangle used. */
function fullRank(d: number): Family {
  return {
    size: d + d * d,
    initial: (mu0, sd0) => {
      const l = new Float64Array(d + d * d);
      for (let i = 0; i < d; i++) {
        l[i] = mu0[i]!;
        l[d + i * d + i] = sd0 === undefined ? 1 : sd0[i]!; // Stan: L = I
      }
      return l;
    },
    transform: (l, eta, s, out) => {
      for (let r = 0; r < s; r++) {
        for (let i = 0; i < d; i++) {
          let z = l[i]!;
          for (let j = 0; j <= i; j++) z += l[d + i * d + j]! * eta[r * d + j]!;
          out[r * d + i] = z;
        }
      }
    },
    gradient: (l, eta, g, s, out) => {
      out.fill(0);
      for (let r = 0; r < s; r++) {
        for (let i = 0; i < d; i++) {
          const gi = g[r * d + i]! / s;
          out[i]! += gi;
          for (let j = 0; j <= i; j++) out[d + i * d + j]! += gi * eta[r * d + j]!;
        }
      }
      for (let i = 0; i < d; i++) out[d + i * d + i]! += 1 / l[d + i * d + i]!;
    },
    entropy: (l) => {
      let h = 0.5 * d * (1 + LOG_2PI);
      for (let i = 0; i < d; i++) h += Math.log(Math.abs(l[d + i * d + i]!));
      return h;
    },
    logQ: (l, eta, _s, r) => {
      let v = -0.5 * d * LOG_2PI;
      for (let i = 0; i < d; i++) v += -0.5 * eta[r * d + i]! ** 2 - Math.log(Math.abs(l[d + i * d + i]!));
      return v;
    },
    scale: (l) => Float64Array.from(l.subarray(d)),
  };
}

/** log p̃ at S rows of ζ (no gradient): one batched call. */
function logDensities(model: LogDensityModel, zeta: Float32Array, s: number): Float32Array {
  return tf.tidy(() => model.logDensity(tf.tensor2d(zeta, [s, model.dim])).dataSync() as Float32Array);
}

const median = (x: readonly number[]): number => {
  const a = [...x].sort((p, q) => p - q);
  const m = Math.floor(a.length / 2);
  return a.length % 2 === 1 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
};

/** Fit q to `model` (see the module comment). */
export async function advi(model: LogDensityModel, s: AdviSettings): Promise<AdviResult> {
  const start = performance.now();
  const d = model.dim;
  if (d === 0) throw new ViError("the model has no latent variables to approximate");
  const method = s.method ?? "meanfield";
  const maxIter = s.iterations ?? 10_000;
  const gradDraws = s.gradDraws ?? 1;
  const elboDraws = s.elboDraws ?? 100;
  const evalElbo = s.evalElbo ?? 100;
  const tol = s.tolRelObj ?? 0.01;
  const adaptIter = s.adaptIter ?? 50;
  const outputDraws = s.outputDraws ?? 1000;
  for (const [name, v] of [["iterations", maxIter], ["draws per step", gradDraws], ["ELBO draws", elboDraws], ["eval_elbo", evalElbo], ["output draws", outputDraws]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ViError(`${name} must be a positive integer, got ${v}`);
  }
  const fam = method === "meanfield" ? meanField(d) : fullRank(d);
  const root = key(s.seed);
  const mu0 = s.init ?? uniformArray(fold(root, 1), d, -2, 2);
  if (s.initScale !== undefined && (s.initScale.length !== d || Array.from(s.initScale).some((x) => !(x > 0 && Number.isFinite(x))))) {
    throw new ViError(`the initial scales must be ${d} positive numbers`);
  }
  const lambda0 = fam.initial(mu0, s.initScale);
  const modelAt = s.modelAt ?? (() => model);
  const zeta = new Float32Array(Math.max(gradDraws, elboDraws) * d);
  const grads = new Float64Array(gradDraws * d);
  const lps = new Float64Array(gradDraws);
  const g = new Float64Array(fam.size);

  /** The ELBO at λ from `elboDraws` draws, non-finite draws redrawn (Stan drops them). */
  const elboAt = (lambda: Float64Array, k: Key): number => {
    let sum = 0;
    let kept = 0;
    let dropped = 0;
    for (let round = 0; kept < elboDraws; round++) {
      const n = elboDraws - kept;
      const eta = normalArray(fold(k, round), n * d);
      const z = zeta.subarray(0, n * d);
      fam.transform(lambda, eta, n, z);
      const lp = logDensities(model, z, n);
      for (const v of lp) {
        if (Number.isFinite(v)) {
          sum += v;
          kept++;
        } else dropped++;
      }
      if (dropped >= elboDraws) throw new ViError("the model is ill-conditioned: the log density is not finite at most draws from the approximation (check the priors and the data)");
    }
    return sum / elboDraws + fam.entropy(lambda);
  };

  /** One gradient of the ELBO at λ into `g`; false when the log density or its gradient is not finite at a draw. */
  const gradientAt = (lambda: Float64Array, iteration: number, k: Key): boolean => {
    const m = modelAt(iteration);
    const eta = normalArray(k, gradDraws * d);
    const z = zeta.subarray(0, gradDraws * d);
    fam.transform(lambda, eta, gradDraws, z);
    hostGradient(m, gradDraws).evaluate(z, lps, grads);
    for (const v of lps) if (!Number.isFinite(v)) return false;
    for (const v of grads) if (!Number.isFinite(v)) return false;
    fam.gradient(lambda, eta, grads, gradDraws, g);
    return true;
  };

  /** One ascent step of λ (in place) with the chosen optimiser; `k` counts from 1. */
  const stepper = (eta: number): ((lambda: Float64Array, k: number) => void) => {
    const acc = new Float64Array(fam.size);
    if ((s.optimizer ?? "stan") === "adam") {
      const v = new Float64Array(fam.size);
      const [b1, b2, lr] = [0.9, 0.999, s.lr ?? 0.1];
      return (lambda, k) => {
        for (let i = 0; i < fam.size; i++) {
          acc[i] = b1 * acc[i]! + (1 - b1) * g[i]!;
          v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
          lambda[i]! += (lr * (acc[i]! / (1 - b1 ** k))) / (Math.sqrt(v[i]! / (1 - b2 ** k)) + 1e-8);
        }
      };
    }
    return (lambda, k) => {
      const rate = eta / Math.sqrt(k);
      for (let i = 0; i < fam.size; i++) {
        acc[i] = k === 1 ? g[i]! ** 2 : 0.1 * g[i]! ** 2 + 0.9 * acc[i]!;
        lambda[i]! += (rate * g[i]!) / (1 + Math.sqrt(acc[i]!));
      }
    };
  };

  const interrupted = (): boolean => s.signal?.aborted === true;
  const stepKey = (phase: number, k: number): Key => fold(fold(root, phase), k);

  // Step size: fixed, Adam's, or Stan's search.
  let eta = s.eta ?? 1;
  if (s.eta === undefined && (s.optimizer ?? "stan") === "stan") {
    const candidates = [100, 10, 1, 0.1, 0.01];
    const elboInit = elboAt(lambda0, fold(root, 2));
    let best = -Infinity;
    let bestEta: number | undefined;
    for (let c = 0; c < candidates.length; c++) {
      const lambda = Float64Array.from(lambda0);
      const step = stepper(candidates[c]!);
      let ok = true;
      for (let k = 1; k <= adaptIter; k++) {
        // A failed gradient counts as zero (Stan), so the candidate is judged by its ELBO.
        if (!gradientAt(lambda, k, stepKey(3 + c, k))) g.fill(0);
        step(lambda, k);
        if (lambda.some((x) => !Number.isFinite(x))) {
          ok = false;
          break;
        }
        s.onProgress?.({ phase: "adaptation", iteration: c * adaptIter + k, total: candidates.length * adaptIter });
        await nextTick();
        if (interrupted()) throw new ViError("interrupted during the step-size search: nothing to keep");
      }
      let e = -Infinity;
      if (ok) {
        try {
          e = elboAt(lambda, fold(root, 2));
        } catch {
          e = -Infinity;
        }
      }
      if (e < best && best > elboInit) break; // the previous candidate was the best
      if (c < candidates.length - 1) {
        best = e;
        bestEta = candidates[c]!;
      } else if (e > elboInit) bestEta = candidates[c]!;
      else if (bestEta === undefined || !(best > elboInit)) {
        throw new ViError("every step size tried made the ELBO worse (Stan's 'all proposed step-sizes failed'): the model may be ill-conditioned; give `eta` or try optimizer = \"adam\"");
      }
    }
    eta = bestEta!;
  }

  // Optimisation.
  const lambda = Float64Array.from(lambda0);
  const step = stepper(eta);
  const elbo: { iteration: number; value: number; relChange?: number }[] = [];
  const buffer: number[] = [];
  const bufferSize = Math.max(Math.floor((0.1 * maxIter) / evalElbo), 2);
  // Per ELBO window, the mean of its iterates; the last `bufferSize` windows are averaged at the end.
  const windowSum = new Float64Array(fam.size);
  let windowCount = 0;
  const windows: Float64Array[] = [];
  const warnings: string[] = [];
  let converged = false;
  let stopped = false;
  let k = 0;
  while (k < maxIter) {
    k++;
    if (!gradientAt(lambda, k, stepKey(20, k))) {
      throw new ViError(`the log density or its gradient is not finite at a draw from the approximation (iteration ${k}): lower the step size (eta) or check the model`);
    }
    step(lambda, k);
    for (let i = 0; i < fam.size; i++) windowSum[i]! += lambda[i]!;
    windowCount++;
    if (k % evalElbo === 0) {
      windows.push(Float64Array.from(windowSum, (x) => x / windowCount));
      if (windows.length > bufferSize) windows.shift();
      windowSum.fill(0);
      windowCount = 0;
      const value = elboAt(lambda, stepKey(21, k));
      const prev = elbo[elbo.length - 1];
      const relChange = prev === undefined ? undefined : Math.abs((value - prev.value) / prev.value);
      elbo.push({ iteration: k, value, ...(relChange !== undefined ? { relChange } : {}) });
      if (relChange !== undefined) {
        buffer.push(relChange);
        if (buffer.length > bufferSize) buffer.shift();
        const mean = buffer.reduce((a, b) => a + b, 0) / buffer.length;
        if (mean < tol || median(buffer) < tol) converged = true;
        if (k >= 10 * evalElbo && (mean > 0.5 || median(buffer) > 0.5) && !warnings.some((w) => w.includes("diverging"))) {
          warnings.push("the ELBO's relative change is above 0.5 after 10 evaluations: the optimisation may be diverging (try a smaller eta)");
        }
      }
    }
    s.onProgress?.({ phase: "optimisation", iteration: k, total: maxIter, ...(elbo.length > 0 ? { elbo: elbo[elbo.length - 1]!.value } : {}) });
    if (converged) break;
    await nextTick();
    if (interrupted()) {
      stopped = true;
      break;
    }
  }
  if (!converged && !stopped) warnings.push(`the ELBO did not converge in ${maxIter} iterations (relative tolerance ${tol}); the approximation may be poor`);

  // The returned λ: the average over the last windows (the last iterate when none finished).
  if (windows.length > 0) {
    lambda.fill(0);
    for (const w of windows) for (let i = 0; i < fam.size; i++) lambda[i]! += w[i]! / windows.length;
  }

  // Draws from q, with log p̃ and log q for the Pareto k̂ check.
  const draws = new Float32Array(outputDraws * d);
  const etaOut = normalArray(fold(root, 30), outputDraws * d);
  fam.transform(lambda, etaOut, outputDraws, draws);
  const logP = Float64Array.from(logDensities(model, draws, outputDraws));
  const logQ = Float64Array.from({ length: outputDraws }, (_, r) => fam.logQ(lambda, etaOut, outputDraws, r));
  const paretoK = psis(Float64Array.from(logP, (p, r) => (Number.isFinite(p) ? p - logQ[r]! : -Infinity))).k;
  if (paretoK > 0.7) warnings.push(`Pareto k̂ = ${paretoK.toFixed(2)} > 0.7: the approximation is poor for importance sampling and its uncertainty may be badly off (Yao et al. 2018); consider NUTS`);
  return {
    method, dim: d, mean: Float64Array.from(lambda.subarray(0, d)), scale: fam.scale(lambda), draws, logP, logQ, elbo, eta,
    iterations: k, converged, interrupted: stopped, paretoK, warnings, seconds: (performance.now() - start) / 1000,
  };
}
