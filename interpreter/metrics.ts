/**
 * Functions of predictive distributions (`pred.y` from `predict`): mean, sd, probs and
 * quantile, and the metrics accuracy, loglik and rmse, computed from the per-draw
 * distributions (mixtures over posterior draws) where that is exact:
 *   - classifiers (Bernoulli, Categorical): the mixture class probabilities are the mean of
 *     the per-draw probabilities; loglik = mean_i log p̄(y_i), accuracy uses argmax p̄;
 *   - Normal observations: loglik = mean_i log( (1/S) Σ_s N(y_i | m_s, v_s) ) (log-sum-exp);
 *   - quantile(pred.y, p) is the empirical quantile of the predictive draws (one per
 *     posterior draw), a Monte Carlo estimate.
 */
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/ast.js";
import { builtin } from "./builtins-math.js";
import { calibrationBuiltins } from "./calibration-builtins.js";
import { DlmError } from "./errors.js";
import { asNumber, asTensorValue, describeValue, num, tensor, type Builtin, type RecordValue, type Value } from "./value.js";

const isPrediction = (v: Value): v is RecordValue => v.kind === "record" && v.tag === "predictive distribution";

function predictive(v: Value, span: Span, what: string): RecordValue {
  if (isPrediction(v)) return v;
  throw new DlmError(`${what} needs a predictive distribution such as \`pred.y\` (from \`predict\`), but this is ${describeValue(v)}`, span);
}

const field = (r: RecordValue, k: string): tf.Tensor => (r.fields.get(k) as { t: tf.Tensor }).t;

/** Builtins that accept predictive distributions; `fallback` handles ordinary arrays. */
export function predictiveBuiltins(fallback: ReadonlyMap<string, Value>): Builtin[] {
  const delegate = (name: string, field: string): Builtin =>
    builtin(name, (args, kwargs, span) => {
      const a = args[0];
      if (a !== undefined && isPrediction(a) && args.length === 1) {
        const f = a.fields.get(field);
        if (f === undefined) throw new DlmError(`\`${name}\` is available only for classifiers' predictions (Bernoulli, Categorical)`, span);
        return f;
      }
      const base = fallback.get(name);
      if (base?.kind !== "builtin") throw new DlmError(`\`${name}\` needs a predictive distribution`, span);
      return base.call(args, kwargs, span);
    });
  return [
    delegate("mean", "mean"),
    delegate("sd", "sd"),
    delegate("std", "sd"),
    delegate("probs", "probs"),
    builtin("quantile", (args, _kwargs, span) => {
      const p = asNumber(args[1]!, span, "the probability");
      if (!(p >= 0 && p <= 1)) throw new DlmError(`quantile: the probability must lie in [0, 1], got ${p}`, span);
      const a = args[0]!;
      const draws = isPrediction(a) ? field(a, "draws") : asTensorValue(a, span).t;
      const n = draws.shape[0]!;
      const k = Math.min(n - 1, Math.max(0, Math.round(p * (n - 1))));
      // Sort along the draw axis: move it last, take the k-th smallest.
      const perm = [...Array.from({ length: draws.rank - 1 }, (_, i) => i + 1), 0];
      const moved = tf.transpose(draws, perm);
      const sorted = tf.neg(tf.topk(tf.neg(moved), n).values);
      return tensor(tf.squeeze(tf.slice(sorted, [...new Array<number>(draws.rank - 1).fill(0), k], [...moved.shape.slice(0, -1), 1]), [draws.rank - 1]), false);
    }),
    builtin("loglik", (args, _kwargs, span) => {
      const r = predictive(args[0]!, span, "loglik");
      const y = asTensorValue(args[1]!, span, "the observed values").t;
      const family = (r.fields.get("family") as { v: string } | undefined)?.v ?? "";
      if (r.fields.has("probs")) {
        const probs = field(r, "probs");
        const k = probs.shape[probs.rank - 1]!;
        const first = family === "Bernoulli" ? 0 : 1;
        const idx = tf.cast(tf.sub(y, first), "int32");
        const onehot = tf.oneHot(tf.reshape(idx, [-1]), k);
        const p = tf.sum(tf.mul(tf.reshape(probs, [-1, k]), onehot), 1);
        return num(tf.mean(tf.log(p)).dataSync()[0]!);
      }
      if (family === "Normal") {
        const m = field(r, "__means");
        const v = field(r, "__variances");
        const lp = tf.mul(-0.5, tf.add(tf.div(tf.square(tf.sub(y, m)), v), tf.log(tf.mul(2 * Math.PI, v))));
        const n = m.shape[0]!;
        const mix = tf.sub(tf.logSumExp(lp, 0), Math.log(n));
        return num(tf.mean(mix).dataSync()[0]!);
      }
      throw new DlmError(`loglik is available for Normal, Bernoulli and Categorical predictions, not for ${family || "this variable"} yet`, span);
    }),
    ...calibrationBuiltins(),
  ];
}
