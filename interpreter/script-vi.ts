/**
 * The script side of variational inference: `ADVI(; method, eta, optimizer, lr)` and
 * `BayesByBackprop(optimiser; local, rho, covariance, rank)` make algorithm values, and `vi(inst, alg; ...)` fits
 * them (interpreter/vi.ts), returning a posterior of draws from the approximation.
 * ADVI's keywords: iterations, draws, draws_per_step, seed, tol, batchsize, elbo_draws,
 * eval_elbo. Bayes by Backprop's: epochs, batchsize, lr, draws, draws_per_step, seed,
 * validation, patience, schedule (as `train` has them).
 */
import type { Span } from "../grammar/ast.js";
import type { AdviMethod, AdviProgress } from "../inference/vi/advi.js";
import { COVARIANCES, type Covariance } from "../inference/vi/gaussian-q.js";
import type { TrainProgress } from "../inference/train.js";
import { OPTIMISERS, type Optimiser } from "../nn/index.js";
import { defined } from "../core/defined.js";
import { builtin } from "./builtins-math.js";
import { DlmError } from "./errors.js";
import type { ModelInstance } from "./instance.js";
import type { Posterior } from "./posterior.js";
import { scheduleOf, type TrainReporter, type TrainRun } from "./script-train.js";
import { asInt, asNumber, asString, describeValue, type Value } from "./value.js";
import { viPosterior, type BbbOptions, type ViOptions } from "./vi.js";

/** The size of a `vi` run, for progress reporting. */
export interface ViRun {
  readonly iterations: number;
}

export interface ViReporter {
  update(p: AdviProgress): void;
  stop(end: { readonly interrupted: boolean }): void;
}

export interface ViHost {
  readonly seed: number;
  readonly signal?: AbortSignal | undefined;
  /** ADVI's progress. */
  readonly progress?: ((run: ViRun) => ViReporter) | undefined;
  /** Bayes by Backprop's progress: the training driver's, by epochs. */
  readonly trainProgress?: ((run: TrainRun) => TrainReporter) | undefined;
  readonly err: (line: string) => void;
  readonly instanceOf: (v: Value, span: Span, what: string) => ModelInstance;
}

interface AdviSpec {
  readonly kind: "advi";
  readonly method: AdviMethod;
  readonly eta?: number;
  readonly optimizer?: "stan" | "adam";
  readonly lr?: number;
}

interface BbbSpec {
  readonly kind: "bbb";
  readonly optimiser?: Optimiser;
  readonly local?: boolean;
  readonly rho?: number;
  readonly covariance?: Covariance;
  readonly rank?: number;
}

const ADVI_ONLY = ["iterations", "tol", "elbo_draws", "eval_elbo"];
const BBB_ONLY = ["epochs", "lr", "validation", "patience", "schedule"];
export const VI_KEYWORDS: readonly string[] = ["draws", "draws_per_step", "seed", "batchsize", ...ADVI_ONLY, ...BBB_ONLY];

/** Bayes by Backprop's default optimiser: Adam with this learning rate (the `lr` keyword of `vi` changes it). */
const BBB_LR = 0.01;
const BBB_EPOCHS = 100;

/**
 * `ADVI(...)` and `BayesByBackprop(...)`: the algorithm values `vi` takes. Their arguments, and
 * `vi`'s, are bound against builtin-signatures.ts before these run.
 */
export function viBuiltins(): Value[] {
  return [
    builtin("ADVI", (_args, kwargs, span) => {
      const method = kwargs.has("method") ? asString(kwargs.get("method")!, span, "method") : "meanfield";
      if (method !== "meanfield" && method !== "fullrank") throw new DlmError(`ADVI's method must be "meanfield" or "fullrank", got "${method}"`, span);
      const optimizer = kwargs.has("optimizer") ? asString(kwargs.get("optimizer")!, span, "optimizer") : undefined;
      if (optimizer !== undefined && optimizer !== "stan" && optimizer !== "adam") throw new DlmError(`ADVI's optimizer must be "stan" (Stan's adaptive step sizes) or "adam", got "${optimizer}"`, span);
      const num = (k: string): number | undefined => {
        if (!kwargs.has(k)) return undefined;
        const v = asNumber(kwargs.get(k)!, span, k);
        if (!(v > 0)) throw new DlmError(`ADVI's ${k} must be positive, got ${v}`, span);
        return v;
      };
      const eta = num("eta");
      const lr = num("lr");
      const spec: AdviSpec = { kind: "advi", method, ...(eta !== undefined ? { eta } : {}), ...(optimizer !== undefined ? { optimizer } : {}), ...(lr !== undefined ? { lr } : {}) };
      const text = `ADVI(method = "${method}"${eta !== undefined ? `, eta = ${eta}` : ""}${optimizer !== undefined ? `, optimizer = "${optimizer}"` : ""}${lr !== undefined ? `, lr = ${lr}` : ""})`;
      return { kind: "opaque", tag: "vi algorithm", payload: spec, show: text };
    }),
    builtin("BayesByBackprop", (args, kwargs, span) => {
      const o = args[0];
      if (o !== undefined && !(o.kind === "opaque" && o.tag === "optimiser")) {
        throw new DlmError(`BayesByBackprop's argument should be an optimiser such as Adam(0.01), but it is ${describeValue(o)}`, span, `the optimisers: ${Object.keys(OPTIMISERS).join(", ")}`);
      }
      const local = kwargs.get("local");
      if (local !== undefined && local.kind !== "bool") throw new DlmError(`local should be true or false, but it is ${describeValue(local)}`, span);
      const rho = kwargs.has("rho") ? asNumber(kwargs.get("rho")!, span, "rho") : undefined;
      if (rho !== undefined && !Number.isFinite(rho)) throw new DlmError(`rho must be finite, got ${rho}`, span);
      const named = kwargs.has("covariance") ? asString(kwargs.get("covariance")!, span, "covariance") : undefined;
      const covariance = named === undefined ? undefined : COVARIANCES.find((c) => c === named);
      if (named !== undefined && covariance === undefined) throw new DlmError(`BayesByBackprop's covariance must be ${COVARIANCES.map((c) => `"${c}"`).join(", ")}, got "${named}"`, span);
      const rank = kwargs.has("rank") ? asInt(kwargs.get("rank")!, span, "rank") : undefined;
      if (rank !== undefined && covariance !== "lowrank") throw new DlmError("rank is the number of columns of a low-rank covariance", span, 'give `covariance = "lowrank"` with it');
      if (rank !== undefined && rank < 1) throw new DlmError(`rank must be at least 1, got ${rank}`, span);
      if (covariance !== undefined && covariance !== "meanfield" && local?.v === true) {
        throw new DlmError(`local reparameterisation needs a factorised q, not covariance = "${covariance}"`, span, "leave out `local`: with a correlated q every layer runs on the drawn weights");
      }
      const optimiser = o?.payload as Optimiser | undefined;
      const spec: BbbSpec = { kind: "bbb", ...defined({ optimiser, local: local?.v, rho, covariance, rank }) };
      const parts = [optimiser?.describe(), local !== undefined ? `local = ${String(local.v)}` : undefined, rho !== undefined ? `rho = ${rho}` : undefined,
        covariance !== undefined ? `covariance = "${covariance}"` : undefined, rank !== undefined ? `rank = ${rank}` : undefined].filter((x) => x !== undefined);
      return { kind: "opaque", tag: "vi algorithm", payload: spec, show: `BayesByBackprop(${parts.join(", ")})` };
    }),
  ];
}

/** Run `vi(...)` of a script: the promise of the posterior. */
export async function runVi(host: ViHost, args: readonly Value[], kwargs: ReadonlyMap<string, Value>, span: Span): Promise<Posterior> {
  const inst = host.instanceOf(args[0]!, span, "the first argument of `vi`");
  const alg = args[1];
  if (alg !== undefined && !(alg.kind === "opaque" && alg.tag === "vi algorithm")) {
    throw new DlmError(`the second argument of \`vi\` should be ADVI(...) or BayesByBackprop(...), but it is ${describeValue(alg)}`, span);
  }
  const spec = (alg?.payload ?? { kind: "advi", method: "meanfield" }) as AdviSpec | BbbSpec;
  const foreign = (spec.kind === "advi" ? BBB_ONLY : ADVI_ONLY).find((k) => kwargs.has(k));
  if (foreign !== undefined) {
    throw new DlmError(`\`${foreign}\` is a keyword of ${spec.kind === "advi" ? "BayesByBackprop" : "ADVI"}, not of ${spec.kind === "advi" ? "ADVI" : "BayesByBackprop"}`, span,
      spec.kind === "advi" ? "ADVI runs by iterations (`iterations`, `tol`)" : "Bayes by Backprop runs by epochs (`epochs`, `batchsize`, `lr`)");
  }
  const int = (k: string, min = 1): number | undefined => {
    if (!kwargs.has(k)) return undefined;
    const v = asInt(kwargs.get(k)!, span, k);
    if (v < min) throw new DlmError(`${k} must be at least ${min}, got ${v}`, span);
    return v;
  };
  const seed = int("seed", 0) ?? host.seed;
  const common = defined({ gradDraws: int("draws_per_step"), draws: int("draws"), batchSize: int("batchsize") });
  const signal = host.signal !== undefined ? { signal: host.signal } : {};
  if (spec.kind === "bbb") return runBbb(host, spec, kwargs, span, { seed, ...common, ...signal, epochs: int("epochs") ?? BBB_EPOCHS, patience: int("patience") });
  const iterations = int("iterations") ?? 10_000;
  const tol = kwargs.has("tol") ? asNumber(kwargs.get("tol")!, span, "tol") : undefined;
  if (tol !== undefined && !(tol > 0)) throw new DlmError(`tol must be positive, got ${tol}`, span);
  const o: ViOptions = {
    method: spec.method, iterations, seed, ...common, ...signal,
    ...defined({ tol, eta: spec.eta, optimizer: spec.optimizer, lr: spec.lr, elboDraws: int("elbo_draws"), evalElbo: int("eval_elbo") }),
  };
  const reporter = host.progress?.({ iterations });
  let post: Posterior;
  try {
    post = await viPosterior(inst, { ...o, ...(reporter !== undefined ? { onProgress: (p: AdviProgress) => reporter.update(p) } : {}) }, span);
  } catch (e) {
    reporter?.stop({ interrupted: host.signal?.aborted ?? false });
    throw e;
  }
  reporter?.stop({ interrupted: post.result.interrupted });
  if (post.result.interrupted) host.err(`interrupted: \`vi\` stopped after ${post.vi!.iterations} iterations; the posterior holds draws from the approximation so far`);
  return post;

  async function runBbb(h: ViHost, b: BbbSpec, kw: ReadonlyMap<string, Value>, at: Span, o: Omit<BbbOptions, "method" | "optimiser" | "patience"> & { readonly patience: number | undefined }): Promise<Posterior> {
    let optimiser = b.optimiser;
    if (kw.has("lr")) {
      const lr = asNumber(kw.get("lr")!, at, "lr");
      if (!(lr > 0)) throw new DlmError(`lr must be positive, got ${lr}`, at);
      if (optimiser !== undefined) throw new DlmError("give the learning rate either in BayesByBackprop's optimiser or as `lr`, not both", at);
      optimiser = OPTIMISERS["Adam"]!.make({ positional: [lr], keywords: {} });
    }
    optimiser ??= OPTIMISERS["Adam"]!.make({ positional: [BBB_LR], keywords: {} });
    const v = kw.get("validation");
    const validation = v === undefined ? undefined : v.kind === "num" ? v.v : h.instanceOf(v, at, "`validation`");
    const { patience, ...rest } = o;
    const schedule = kw.has("schedule") ? scheduleOf(asString(kw.get("schedule")!, at, "schedule"), o.epochs, at) : undefined;
    const reporter = h.trainProgress?.({ epochs: o.epochs });
    let post: Posterior;
    try {
      post = await viPosterior(inst, {
        method: "bbb", optimiser, ...rest, ...defined({ patience, validation, schedule, local: b.local, rho: b.rho, covariance: b.covariance, rank: b.rank }),
        ...(reporter !== undefined ? { onProgress: (p: TrainProgress) => reporter.update(p), onEpoch: (e: number, m: Readonly<Record<string, number>>) => reporter.epoch(e, m) } : {}),
      }, at);
    } catch (e) {
      reporter?.stop({ interrupted: h.signal?.aborted ?? false });
      throw e;
    }
    reporter?.stop({ interrupted: post.result.interrupted });
    if (post.result.interrupted) h.err(`interrupted: \`vi\` stopped after ${post.vi!.iterations} steps; the posterior holds draws from the approximation so far`);
    return post;
  }
}
