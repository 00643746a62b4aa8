/**
 * LKJCholesky(dim, eta): the LKJ distribution on correlation matrices Ω ∝ det(Ω)^{η−1}
 * (Lewandowski, Kurowicka & Joe 2009), expressed on the Cholesky factor L (Ω = L Lᵀ) with the
 * density taken over L's strict lower triangle, as Stan's lkj_corr_cholesky:
 *   log p(L) = Σ_{i=2}^{K} (K − i + 2η − 2)·log L_ii − log c_K(η),
 *   log c_K(η) = Σ_{k=1}^{K−1} [(2η − 2 + K − k)(K − k)·log 2 + (K − k)·lbeta(b_k, b_k)],
 *   b_k = η + (K − k − 1)/2   (LKJ 2009, eq. 16).
 * Sampling: the C-vine method of LKJ 2009 — the partial correlation in column j (0-based) is
 * 2·Beta(β_j, β_j) − 1 with β_j = η + (K − 2 − j)/2 — assembled into L row by row.
 */
import { tf } from "../core/engine.js";
import { stream } from "../core/random.js";
import { lbeta } from "../core/special.js";
import { choleskyCorr } from "./constraints.js";
import type { Distribution } from "./distribution.js";
import { betaDraw } from "./host-samplers.js";
import { LOG_2, asTensor, check, checkInteger, compare, inSupport, makeDistribution, numel, type DistributionOptions, type Param } from "./util.js";

function logNormaliser(k: number, eta: tf.Tensor): tf.Tensor {
  let acc: tf.Tensor = tf.zerosLike(eta);
  for (let j = 1; j < k; j++) {
    const b = tf.add(eta, (k - j - 1) / 2);
    const pow2 = tf.mul(tf.mul(tf.add(tf.mul(2, eta), k - j - 2), k - j), LOG_2);
    acc = tf.add(acc, tf.add(pow2, tf.mul(k - j, lbeta(b, b))));
  }
  return acc;
}

export function lkjCholesky(dim: number, eta: Param, options: DistributionOptions = {}): Distribution {
  const k = checkInteger("LKJCholesky", "dim", dim, 1);
  check("LKJCholesky", "eta", eta, "positive", options.validate);
  const e = asTensor(eta);
  // β_j = η + (K − 2 − j)/2, one per column j = 0..K−2, stacked on a new last axis.
  const betas = (): tf.Tensor[] => Array.from({ length: Math.max(k - 1, 0) }, (_, j) => tf.add(e, (k - 2 - j) / 2));
  const entryMoments = (): { mean: tf.Tensor; second: tf.Tensor } => {
    // Per column: E[sqrt(1 − c²)] = 2·B(β+½, β+½)/B(β, β), E[1 − c²] = 2β/(2β + 1), E[c²] = 1/(2β + 1).
    const bs = betas();
    const eSqrt = bs.map((b) => tf.mul(2, tf.exp(tf.sub(lbeta(tf.add(b, 0.5), tf.add(b, 0.5)), lbeta(b, b)))));
    const eRem = bs.map((b) => tf.div(tf.mul(2, b), tf.add(tf.mul(2, b), 1)));
    const eC2 = bs.map((b) => tf.reciprocal(tf.add(tf.mul(2, b), 1)));
    const mean: tf.Tensor[] = [];
    const second: tf.Tensor[] = [];
    const one = tf.onesLike(e);
    const zero = tf.zerosLike(e);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        if (j < i) {
          let rem: tf.Tensor = one;
          for (let q = 0; q < j; q++) rem = tf.mul(rem, eRem[q]!);
          mean.push(zero);
          second.push(tf.mul(eC2[j]!, rem));
        } else if (j === i) {
          let m: tf.Tensor = one;
          let rem: tf.Tensor = one;
          for (let q = 0; q < i; q++) {
            m = tf.mul(m, eSqrt[q]!);
            rem = tf.mul(rem, eRem[q]!);
          }
          mean.push(m);
          second.push(rem);
        } else {
          mean.push(zero);
          second.push(zero);
        }
      }
    }
    const shape = [...e.shape, k, k];
    return { mean: tf.reshape(tf.stack(mean, -1), shape), second: tf.reshape(tf.stack(second, -1), shape) };
  };
  const formula = (L: tf.Tensor): tf.Tensor => {
    const diag = tf.sum(tf.mul(L, tf.eye(k)), -1);
    // Coefficient of log L_ii for 1-based i: K − i + 2η − 2; row 1 (L_11 = 1) gets 0.
    const base = tf.tensor1d(Array.from({ length: k }, (_, i) => (i === 0 ? 0 : k - (i + 1) - 2)));
    const etaTerm = tf.mul(tf.expandDims(tf.mul(2, e), -1), tf.tensor1d(Array.from({ length: k }, (_, i) => (i === 0 ? 0 : 1))));
    const coef = tf.add(base, etaTerm);
    const logDiag = tf.log(tf.where(compare(tf.greater, diag, 0), diag, tf.onesLike(diag)));
    return tf.sub(tf.sum(tf.mul(coef, logDiag), -1), logNormaliser(k, e));
  };
  return makeDistribution({
    name: "LKJCholesky",
    support: choleskyCorr,
    paramShapes: [e.shape],
    eventShape: [k, k],
    options,
    logProb: (L) => tf.where(inSupport(choleskyCorr, L), formula(L), tf.scalar(-Infinity)),
    logProbInSupport: formula,
    sample: (key, sampleShape, batchShape) => {
      const et = tf.tidy(() => tf.broadcastTo(e, [...batchShape]).dataSync());
      const m = numel(batchShape);
      const n = numel(sampleShape);
      const s = stream(key);
      const out = new Float32Array(n * m * k * k);
      for (let t = 0; t < n * m; t++) {
        const eta0 = et[t % m]!;
        const base = t * k * k;
        out[base] = 1;
        for (let i = 1; i < k; i++) {
          let rem = 1;
          for (let j = 0; j < i; j++) {
            const b = eta0 + (k - 2 - j) / 2;
            const c = 2 * betaDraw(s, b, b) - 1;
            out[base + i * k + j] = c * Math.sqrt(rem);
            rem *= 1 - c * c;
          }
          out[base + i * k + i] = Math.sqrt(rem);
        }
      }
      return tf.tensor(out, [...sampleShape, ...batchShape, k, k]);
    },
    mean: () => entryMoments().mean,
    variance: () => {
      const { mean, second } = entryMoments();
      return tf.maximum(tf.sub(second, tf.square(mean)), 0);
    },
  });
}
