/**
 * The samplers' one tfjs call: log density and gradient of a batch of host positions
 * (float64-gradient.ts has the interface and the host engine's form).
 *
 * The samplers keep every per-chain quantity on the host in float64 (as Stan does) and reach
 * the model only here: positions `[C·D]` go up as ONE float32 `[C, D]` tensor, `valueAndGrad`
 * (core/autodiff.ts) runs the model's batched gradient, and the value `[C]` and gradient `[C·D]`
 * come back into `Float64Array`s; every tensor is disposed before returning. Positions are
 * kept float32-representable by the integrator (`Math.fround`), so the upload is exact and a
 * stored draw is exactly the point at which its lp and gradient were evaluated.
 */
import { tf } from "../../core/engine.js";
import { valueAndGrad } from "../../core/autodiff.js";
import type { LogDensityModel } from "../../core/model.js";
import { float64Gradient, type HostGradient } from "./float64-gradient.js";

export type { HostGradient } from "./float64-gradient.js";

/** The host adapter of `model` for batches of `chains` rows (holds one float32 upload buffer). */
export function hostGradient(model: LogDensityModel, chains: number): HostGradient {
  const dim = model.dim;
  // the host engine: one float64 call per chain, no tensors
  if (model.hostValueAndGrad !== undefined) return float64Gradient(model.hostValueAndGrad, dim, chains);
  const upload = new Float32Array(chains * dim);
  const f = (t: tf.Tensor2D): tf.Tensor1D => model.logDensity(t);
  return {
    chains,
    dim,
    float32: true,
    evaluate(q, lp, grad, live) {
      if (q.length !== chains * dim) throw new RangeError(`expected ${chains}×${dim} positions, got ${q.length}`);
      upload.set(q);
      // the upload buffer is reused: the tensor made from it (which a backend may hold
      // without copying) is disposed before the next call writes to it
      const x = tf.tensor2d(upload, [chains, dim]);
      let value: Float32Array | Int32Array | Uint8Array;
      let g: Float32Array | Int32Array | Uint8Array;
      try {
        const r = valueAndGrad(f, x);
        value = r.value.dataSync();
        g = r.grad.dataSync();
        r.value.dispose();
        r.grad.dispose();
      } finally {
        x.dispose();
      }
      if (live === undefined) {
        lp.set(value);
        grad.set(g);
        return;
      }
      for (let c = 0; c < chains; c++) {
        if (live[c] === 0) continue;
        lp[c] = value[c]!;
        const o = c * dim;
        for (let i = 0; i < dim; i++) grad[o + i] = g[o + i]!;
      }
    },
  };
}

/** Log density `[C]` and gradient `[C·D]` at the positions `q` (`[C·D]`), newly allocated. */
export function evaluate(model: LogDensityModel, q: ArrayLike<number>): { lp: Float64Array; grad: Float64Array } {
  const chains = q.length / model.dim;
  if (!Number.isInteger(chains)) throw new RangeError(`${q.length} positions are not rows of ${model.dim}`);
  const lp = new Float64Array(chains);
  const grad = new Float64Array(q.length);
  hostGradient(model, chains).evaluate(q, lp, grad);
  return { lp, grad };
}
