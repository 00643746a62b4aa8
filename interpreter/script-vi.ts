/**
 * The script side of variational inference: `ADVI(; method, eta, optimizer, lr)` makes an
 * algorithm value and `vi(inst, ADVI(...); iterations, draws, draws_per_step, seed, tol,
 * batchsize, elbo_draws, eval_elbo)` fits it (interpreter/vi.ts), returning a posterior of
 * draws from the approximation.
 */
import type { Span } from "../grammar/ast.js";
import type { AdviMethod, AdviProgress } from "../inference/vi/advi.js";
import { defined } from "../core/defined.js";
import { arity, builtin, noKeywords } from "./builtins-math.js";
import { DlmError } from "./errors.js";
import type { ModelInstance } from "./instance.js";
import type { Posterior } from "./posterior.js";
import { asInt, asNumber, asString, describeValue, type Value } from "./value.js";
import { viPosterior, type ViOptions } from "./vi.js";

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
  readonly progress?: ((run: ViRun) => ViReporter) | undefined;
  readonly err: (line: string) => void;
  readonly instanceOf: (v: Value, span: Span, what: string) => ModelInstance;
}

interface AdviSpec {
  readonly method: AdviMethod;
  readonly eta?: number;
  readonly optimizer?: "stan" | "adam";
  readonly lr?: number;
}

export const VI_KEYWORDS: readonly string[] = ["iterations", "draws", "draws_per_step", "seed", "tol", "batchsize", "elbo_draws", "eval_elbo"];

/** `ADVI(...)`: the algorithm value `vi` takes. */
export function viBuiltins(): Value[] {
  return [
    builtin("ADVI", (args, kwargs, span) => {
      arity("ADVI", args, 0, 0, span);
      noKeywords("ADVI", kwargs, ["method", "eta", "optimizer", "lr"], span);
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
      const spec: AdviSpec = { method, ...(eta !== undefined ? { eta } : {}), ...(optimizer !== undefined ? { optimizer } : {}), ...(lr !== undefined ? { lr } : {}) };
      const text = `ADVI(method = "${method}"${eta !== undefined ? `, eta = ${eta}` : ""}${optimizer !== undefined ? `, optimizer = "${optimizer}"` : ""}${lr !== undefined ? `, lr = ${lr}` : ""})`;
      return { kind: "opaque", tag: "vi algorithm", payload: spec, show: text };
    }),
  ];
}

/** Run `vi(...)` of a script: the promise of the posterior. */
export async function runVi(host: ViHost, args: readonly Value[], kwargs: ReadonlyMap<string, Value>, span: Span): Promise<Posterior> {
  arity("vi", args, 1, 2, span);
  noKeywords("vi", kwargs, VI_KEYWORDS, span);
  const inst = host.instanceOf(args[0]!, span, "the first argument of `vi`");
  const alg = args[1];
  if (alg !== undefined && !(alg.kind === "opaque" && alg.tag === "vi algorithm")) {
    throw new DlmError(`the second argument of \`vi\` should be ADVI(...), but it is ${describeValue(alg)}`, span, "BayesByBackprop is not available yet");
  }
  const spec = (alg?.payload ?? { method: "meanfield" }) as AdviSpec;
  const int = (k: string, min = 1): number | undefined => {
    if (!kwargs.has(k)) return undefined;
    const v = asInt(kwargs.get(k)!, span, k);
    if (v < min) throw new DlmError(`${k} must be at least ${min}, got ${v}`, span);
    return v;
  };
  const iterations = int("iterations") ?? 10_000;
  const tol = kwargs.has("tol") ? asNumber(kwargs.get("tol")!, span, "tol") : undefined;
  if (tol !== undefined && !(tol > 0)) throw new DlmError(`tol must be positive, got ${tol}`, span);
  const o: ViOptions = {
    method: spec.method, iterations, seed: int("seed", 0) ?? host.seed,
    ...defined({ gradDraws: int("draws_per_step"), draws: int("draws"), tol, eta: spec.eta, optimizer: spec.optimizer, lr: spec.lr, elboDraws: int("elbo_draws"), evalElbo: int("eval_elbo"), batchSize: int("batchsize") }),
  };
  const reporter = host.progress?.({ iterations });
  let post: Posterior;
  try {
    post = await viPosterior(inst, { ...o, ...(host.signal !== undefined ? { signal: host.signal } : {}), ...(reporter !== undefined ? { onProgress: (p: AdviProgress) => reporter.update(p) } : {}) }, span);
  } catch (e) {
    reporter?.stop({ interrupted: host.signal?.aborted ?? false });
    throw e;
  }
  reporter?.stop({ interrupted: post.result.interrupted });
  if (post.result.interrupted) host.err(`interrupted: \`vi\` stopped after ${post.vi!.iterations} iterations; the posterior holds draws from the approximation so far`);
  return post;
}
