/**
 * Model comparison in scripts: `loo(post)` (PSIS-LOO), `waic(post)` and `compare(a, b, ...)`
 * (inference/diagnostics/loo.ts) from the pointwise log-likelihoods of a posterior
 * (loglik.ts). A posterior read by `load_draws` has no model: give the instance,
 * `loo(post, model(x, y))`. Observations whose k̂ (or WAIC variance) is too high are named in
 * a warning. `compare` prints the models best first with elpd differences and their standard
 * errors, as R's loo_compare does.
 */
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/ast.js";
import { compareLoo, loo, waic, type LooResult } from "../inference/diagnostics/loo.js";
import { builtin } from "./builtins-math.js";
import { DlmError } from "./errors.js";
import type { ModelInstance } from "./instance.js";
import { pointwiseLogLik } from "./loglik.js";
import type { Posterior } from "./posterior.js";
import { describeValue, num, tensor, type Value } from "./value.js";

export interface LooHost {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly posteriorOf: (v: Value, span: Span) => Posterior;
  readonly instanceOf: (v: Value, span: Span, what: string) => ModelInstance;
}

const fmt = (x: number, digits = 1): string => x.toFixed(digits);

function logLikOf(host: LooHost, args: readonly Value[], span: Span, what: string) {
  const p = host.posteriorOf(args[0]!, span);
  const inst = args[1] !== undefined ? host.instanceOf(args[1], span, `the second argument of \`${what}\``) : p.inst;
  if (inst === undefined) throw new DlmError(`these draws were loaded from files: give the model instance they belong to, \`${what}(post, model(x, y))\``, span);
  try {
    return pointwiseLogLik(p, inst);
  } catch (e) {
    if (e instanceof DlmError && e.span === undefined) throw new DlmError(e.message, span, e.hint);
    throw e;
  }
}

function looValue(r: LooResult): Value {
  return {
    kind: "record", tag: "loo",
    fields: new Map<string, Value>([
      ["elpd_loo", num(r.elpd)], ["se", num(r.se)], ["p_loo", num(r.pLoo)], ["looic", num(r.looic)],
      ["pareto_k", tensor(tf.tensor1d(Float32Array.from(r.pointwise.k)), false)],
      ["elpd_pointwise", tensor(tf.tensor1d(Float32Array.from(r.pointwise.elpd)), false)],
      ["__result", { kind: "opaque", tag: "loo result", payload: r, show: "" }],
    ]),
  };
}

function looOf(v: Value, span: Span): LooResult | undefined {
  if (v.kind !== "record" || v.tag !== "loo") return undefined;
  const r = v.fields.get("__result");
  if (r?.kind !== "opaque") throw new DlmError("this loo record has lost its pointwise values", span);
  return r.payload as LooResult;
}

export function looBuiltins(host: LooHost): Value[] {
  return [
    builtin("loo", (args, _kwargs, span) => {
      const { ll, s, n } = logLikOf(host, args, span, "loo");
      const r = loo(ll, s, n);
      if (r.badK.length > 0) {
        const shown = r.badK.slice(0, 10).map((i) => i + 1).join(", ");
        host.err(`warning: ${r.badK.length} of ${n} observations have Pareto k̂ > ${fmt(r.kThreshold, 2)} (${shown}${r.badK.length > 10 ? ", ..." : ""}): their leave-one-out estimates are unreliable; refit without them or use k-fold cross-validation`);
      }
      return looValue(r);
    }),
    builtin("waic", (args, _kwargs, span) => {
      const { ll, s, n } = logLikOf(host, args, span, "waic");
      const r = waic(ll, s, n);
      if (r.highVariance.length > 0) host.err(`warning: ${r.highVariance.length} of ${n} observations have a posterior variance of the log-likelihood above 0.4: WAIC may be unreliable there; prefer loo`);
      return {
        kind: "record", tag: "waic",
        fields: new Map<string, Value>([["elpd_waic", num(r.elpd)], ["se", num(r.se)], ["p_waic", num(r.pWaic)], ["waic", num(r.waic)]]),
      };
    }),
    builtin("compare", (args, kwargs, span) => {
      if (args.length < 2) throw new DlmError("compare needs two or more models: compare(loo(a), loo(b)) or compare(post_a, post_b)", span);
      const names = kwargs.get("names");
      const labels = names === undefined ? args.map((_, i) => `model ${i + 1}`) : names.kind === "list" && names.items.length === args.length && names.items.every((x) => x.kind === "str")
        ? names.items.map((x) => (x as { v: string }).v)
        : (() => { throw new DlmError(`names should be a list of ${args.length} strings, but it is ${describeValue(names)}`, span); })();
      const models = args.map((a, i) => {
        const r = looOf(a, span);
        if (r !== undefined) return { name: labels[i]!, loo: r };
        const { ll, s, n } = logLikOf(host, [a], span, "compare");
        return { name: labels[i]!, loo: loo(ll, s, n) };
      });
      let rows;
      try {
        rows = compareLoo(models);
      } catch (e) {
        throw new DlmError(e instanceof Error ? e.message : String(e), span);
      }
      const width = Math.max(5, ...rows.map((r) => r.name.length));
      host.out(`${"model".padEnd(width)}  elpd_diff  se_diff  elpd_loo  se_elpd_loo`);
      for (const r of rows) host.out(`${r.name.padEnd(width)}  ${fmt(r.elpdDiff).padStart(9)}  ${fmt(r.seDiff).padStart(7)}  ${fmt(r.elpd).padStart(8)}  ${fmt(r.se).padStart(11)}`);
      return { kind: "missing" };
    }),
  ];
}
