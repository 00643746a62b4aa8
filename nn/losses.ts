/**
 * Loss functions (Flux names), mean over every observation by default (`agg = "mean"`;
 * "sum" adds up, "none" returns the per-observation losses).
 *
 * Shapes: `pred` and `target` have the same shape for mse, mae, huber and binary
 * crossentropy; crossentropy takes logits `[..., K]` with either integer class labels
 * 1..K of shape `[...]` (1-based, like every index in the language) or one-hot /
 * probability targets `[..., K]`.
 */
import { tf } from "../core/engine.js";
import { fusedSoftmaxCrossEntropy } from "../core/kernels/softmax-crossentropy.js";
import { softplus } from "../core/special.js";
import { ShapeError, fmtShape } from "./layer.js";

export type Aggregate = "mean" | "sum" | "none";

export type Loss = (pred: tf.Tensor, target: tf.Tensor, agg?: Aggregate) => tf.Tensor;

function aggregate(losses: tf.Tensor, agg: Aggregate): tf.Tensor {
  switch (agg) {
    case "mean":
      return tf.mean(losses);
    case "sum":
      return tf.sum(losses);
    case "none":
      return losses;
  }
}

function sameShape(name: string, pred: tf.Tensor, target: tf.Tensor): void {
  if (pred.shape.join() !== target.shape.join()) {
    throw new ShapeError(`${name}: prediction has shape ${fmtShape(pred.shape)}, target ${fmtShape(target.shape)}`);
  }
}

/** mse = mean((ŷ − y)²). */
export const mse: Loss = (pred, target, agg = "mean") =>
  tf.tidy(() => {
    sameShape("mse", pred, target);
    return aggregate(tf.squaredDifference(pred, target), agg);
  });

/** mae = mean(|ŷ − y|). */
export const mae: Loss = (pred, target, agg = "mean") =>
  tf.tidy(() => {
    sameShape("mae", pred, target);
    return aggregate(tf.abs(tf.sub(pred, target)), agg);
  });

/** huber_δ(r) = r²/2 for |r| ≤ δ, δ(|r| − δ/2) otherwise, r = ŷ − y (Huber 1964; Flux `huber_loss`). */
export function huber(delta = 1): Loss {
  return (pred, target, agg = "mean") =>
    tf.tidy(() => {
      sameShape("huber", pred, target);
      const r = tf.abs(tf.sub(pred, target));
      const small = tf.mul(0.5, tf.square(r));
      const large = tf.mul(delta, tf.sub(r, delta / 2));
      return aggregate(tf.where(tf.lessEqual(r, delta), small, large), agg);
    });
}

/**
 * Cross-entropy from logits (Flux `logitcrossentropy`): −Σₖ yₖ log softmax(ŷ)ₖ per
 * observation, with integer labels 1..K read as one-hot. On cpu and wasm one fused kernel each
 * way (core/kernels/softmax-crossentropy.ts) instead of about 14 ops; the ops elsewhere.
 */
export const crossentropy: Loss = (logits, target, agg = "mean") =>
  tf.tidy(() => {
    const k = logits.shape.at(-1)!;
    let probs: tf.Tensor;
    const labels = target.rank === logits.rank - 1 && target.shape.join() === logits.shape.slice(0, -1).join();
    if (labels || target.shape.join() === logits.shape.join()) {
      const fused = fusedSoftmaxCrossEntropy(logits, target, labels, agg);
      if (fused) return fused;
    }
    if (labels) {
      probs = tf.oneHot(tf.cast(tf.sub(target, 1), "int32"), k);
    } else if (target.shape.join() === logits.shape.join()) {
      probs = target;
    } else {
      throw new ShapeError(
        `crossentropy: logits have shape ${fmtShape(logits.shape)}, so targets must be labels of shape ` +
          `${fmtShape(logits.shape.slice(0, -1))} or one-hot ${fmtShape(logits.shape)}, got ${fmtShape(target.shape)}`,
      );
    }
    const perObs = tf.neg(tf.sum(tf.mul(tf.cast(probs, "float32"), tf.logSoftmax(logits, -1)), -1));
    return aggregate(perObs, agg);
  });

/**
 * Binary cross-entropy from logits (Flux `logitbinarycrossentropy`), y ∈ [0, 1]:
 * −y log σ(z) − (1 − y) log(1 − σ(z)) = softplus(z) − y·z, stable for large |z|.
 */
export const binaryCrossentropy: Loss = (logits, target, agg = "mean") =>
  tf.tidy(() => {
    sameShape("binarycrossentropy", logits, target);
    return aggregate(tf.sub(softplus(logits), tf.mul(target, logits)), agg);
  });

/** Losses by user-facing name (Flux's, with the short aliases). */
export const LOSSES: Readonly<Record<string, Loss>> = {
  mse,
  mae,
  huber: huber(),
  huber_loss: huber(),
  crossentropy,
  logitcrossentropy: crossentropy,
  binarycrossentropy: binaryCrossentropy,
  logitbinarycrossentropy: binaryCrossentropy,
};
