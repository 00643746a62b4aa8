/**
 * Uncertainty and calibration of predictions (`pred.y` from `predict`):
 * - classifiers (Bernoulli, Categorical): `entropy(pred.y)`, the predictive entropy H[p̄] of
 *   the mixture class probabilities at each point; `mutual_info(pred.y)`, its epistemic part
 *   H[p̄] − mean_s H[p_s] (BALD); `ece(pred.y, y; bins = 10)` and
 *   `reliability(pred.y, y; bins = 10)` (a record of per-bin confidence, accuracy, count);
 * - any prediction: `epistemic_sd(pred.y)` and `aleatoric_sd(pred.y)`, the two parts of the
 *   predictive variance by the law of total variance (Var_s of the per-draw means, and the mean
 *   of the per-draw variances; sd(pred.y)² is their sum): where the data end, the first grows;
 * - regression: `coverage(pred.y, y; level = 0.9)`, the fraction of observations inside their
 *   central predictive interval: exact mixture quantiles for Normal predictions (also from a
 *   point fit, whose interval is the model's own noise), the predictive draws' quantiles otherwise.
 * Entropies are in nats.
 */
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/ast.js";
import { coverageOf, expectedCalibrationError, normalMixtureQuantile, reliability, sortedQuantile, type ReliabilityBins } from "../inference/diagnostics/calibration.js";
import { builtin } from "./builtins-math.js";
import { DlmError } from "./errors.js";
import { asInt, asNumber, asTensorValue, describeValue, num, tensor, type Builtin, type RecordValue, type Value } from "./value.js";

const isPrediction = (v: Value): v is RecordValue => v.kind === "record" && v.tag === "predictive distribution";

export function prediction(v: Value, span: Span, what: string): RecordValue {
  if (isPrediction(v)) return v;
  throw new DlmError(`${what} needs a predictive distribution such as \`pred.y\` (from \`predict\`), but this is ${describeValue(v)}`, span);
}

const field = (r: RecordValue, k: string): tf.Tensor | undefined => {
  const f = r.fields.get(k);
  return f?.kind === "tensor" ? f.t : undefined;
};

/** Mixture class probabilities `[N, K]` and the first class label (0 for Bernoulli, 1 for Categorical). */
function classProbs(r: RecordValue, span: Span, what: string): { probs: tf.Tensor2D; first: number } {
  const probs = field(r, "probs");
  if (probs === undefined) throw new DlmError(`\`${what}\` is for classifiers' predictions (Bernoulli, Categorical)`, span, "for regression, use coverage(pred.y, y) and rmse");
  const family = r.fields.get("family");
  const k = probs.shape[probs.rank - 1]!;
  return { probs: tf.reshape(probs, [-1, k]) as tf.Tensor2D, first: family?.kind === "str" && family.v === "Bernoulli" ? 0 : 1 };
}

/** The reliability bins of a classifier's prediction against the observed classes (`bins` keyword, default 10). */
export function bins(r: RecordValue, y: Value, kwargs: ReadonlyMap<string, Value>, span: Span, what: string): ReliabilityBins {
  const { probs, first } = classProbs(r, span, what);
  const nb = kwargs.has("bins") ? asInt(kwargs.get("bins")!, span, "bins") : 10;
  if (nb < 1) throw new DlmError(`bins must be at least 1, got ${nb}`, span);
  const truth = asTensorValue(y, span, "the observed classes").t.dataSync();
  const p = probs.arraySync();
  if (truth.length !== p.length) throw new DlmError(`the prediction has ${p.length} points but the observations have ${truth.length}`, span);
  const conf = p.map((row) => Math.max(...row));
  const correct = p.map((row, i) => row.indexOf(Math.max(...row)) + first === truth[i]);
  return reliability(conf, correct, nb);
}

const entropyOf = (p: tf.Tensor): tf.Tensor => tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(p, 1e-30))), -1));

export function calibrationBuiltins(): Builtin[] {
  return [
    builtin("entropy", (args, _kwargs, span) => {
      const r = prediction(args[0]!, span, "entropy");
      const probs = field(r, "probs");
      if (probs === undefined) throw new DlmError("`entropy` is for classifiers' predictions (Bernoulli, Categorical)", span);
      return tensor(entropyOf(probs), false);
    }),
    builtin("mutual_info", (args, _kwargs, span) => {
      const r = prediction(args[0]!, span, "mutual_info");
      const probs = field(r, "probs");
      const meanEntropy = field(r, "__entropy_mean");
      if (probs === undefined || meanEntropy === undefined) throw new DlmError("`mutual_info` is for classifiers' predictions (Bernoulli, Categorical)", span);
      // Clamped at 0: H[p̄] ≥ mean H[p_s] exactly; float32 rounding can go below.
      return tensor(tf.maximum(tf.sub(entropyOf(probs), meanEntropy), 0), false);
    }),
    builtin("epistemic_sd", (args, _kwargs, span) => {
      const r = prediction(args[0]!, span, "epistemic_sd");
      const m = field(r, "__means")!;
      return tensor(tf.sqrt(tf.moments(m, 0).variance), false);
    }),
    builtin("aleatoric_sd", (args, _kwargs, span) => {
      const r = prediction(args[0]!, span, "aleatoric_sd");
      return tensor(tf.sqrt(tf.mean(field(r, "__variances")!, 0)), false);
    }),
    builtin("ece", (args, kwargs, span) => {
      return num(expectedCalibrationError(bins(prediction(args[0]!, span, "ece"), args[1]!, kwargs, span, "ece")));
    }),
    builtin("reliability", (args, kwargs, span) => {
      const b = bins(prediction(args[0]!, span, "reliability"), args[1]!, kwargs, span, "reliability");
      const arr = (x: Float64Array): Value => tensor(tf.tensor1d(Float32Array.from(x)), false);
      return { kind: "record", tag: "reliability", fields: new Map([["confidence", arr(b.confidence)], ["accuracy", arr(b.accuracy)], ["count", arr(b.count)]]) };
    }),
    builtin("coverage", (args, kwargs, span) => {
      const r = prediction(args[0]!, span, "coverage");
      const levelValue = args[2] ?? kwargs.get("level");
      const level = levelValue === undefined ? 0.9 : asNumber(levelValue, span, "level");
      if (!(level > 0 && level < 1)) throw new DlmError(`the level must lie strictly between 0 and 1, got ${level}`, span);
      const y = asTensorValue(args[1]!, span, "the observations").t.dataSync();
      const [pl, pu] = [(1 - level) / 2, (1 + level) / 2];
      const means = field(r, "__means");
      const variances = field(r, "__variances");
      const family = r.fields.get("family");
      let lower: number[];
      let upper: number[];
      if (family?.kind === "str" && family.v === "Normal" && means !== undefined && variances !== undefined) {
        const n = means.shape[0]!;
        const m = means.reshape([n, -1]).arraySync() as number[][];
        const v = variances.reshape([n, -1]).arraySync() as number[][];
        const points = m[0]!.length;
        const col = (a: number[][], i: number): number[] => a.map((row) => row[i]!);
        lower = Array.from({ length: points }, (_, i) => normalMixtureQuantile(col(m, i), col(v, i), pl));
        upper = Array.from({ length: points }, (_, i) => normalMixtureQuantile(col(m, i), col(v, i), pu));
      } else {
        const draws = field(r, "draws")!;
        const n = draws.shape[0]!;
        if (n < 2) throw new DlmError("coverage of a non-Normal prediction needs several predictive draws (a posterior, or MC dropout)", span);
        const d = draws.reshape([n, -1]).arraySync() as number[][];
        const points = d[0]!.length;
        const sorted = Array.from({ length: points }, (_, i) => d.map((row) => row[i]!).sort((a, b) => a - b));
        lower = sorted.map((s) => sortedQuantile(s, pl));
        upper = sorted.map((s) => sortedQuantile(s, pu));
      }
      if (lower.length !== y.length) throw new DlmError(`the prediction has ${lower.length} points but the observations have ${y.length}`, span);
      return num(coverageOf(y, lower, upper));
    }),
  ];
}
