/**
 * Pointwise log-likelihoods of a posterior, `ll[s·N + i] = log p(y_i | θ_s)` over every draw s
 * (all chains) and every scalar i of the instance's observed data, in statement order: what
 * `loo`, `waic` and `compare` read. The model runs once, with the latents fixed at all draws as
 * a batch (as `predict` runs it); each observed statement contributes its elementwise log
 * density before any summing.
 */
import { tf } from "../core/engine.js";
import { DlmError } from "./errors.js";
import type { Handler } from "./handler.js";
import { observedDist } from "./handlers.js";
import { evalNetworks, runModel, type ModelInstance } from "./instance.js";
import { posteriorLatents, type Posterior } from "./posterior.js";
import { tensor, type Value } from "./value.js";

export interface PointwiseLogLik {
  readonly ll: Float64Array;
  /** Draws and observations. */
  readonly s: number;
  readonly n: number;
}

export function pointwiseLogLik(p: Posterior, inst: ModelInstance): PointwiseLogLik {
  const { fixed, n: s } = posteriorLatents(p, inst);
  const parts: Float32Array[] = [];
  let n = 0;
  try {
    const networks = evalNetworks(inst);
    const handler: Handler = {
      latent(site) {
        const v = fixed.get(site.name);
        if (v === undefined) throw new DlmError(`the posterior has no draws of \`${site.name}\``, site.stmt.span, "give every unknown of the model as data, or use the instance the posterior was fitted to");
        return tensor(v, true);
      },
      observe(site) {
        tf.tidy(() => {
          const lp = observedDist(site).logProb(site.value.t);
          const batched = site.dist.batched || site.value.batched;
          const per = batched ? tf.reshape(lp, [lp.shape[0]!, -1]) : tf.tile(tf.reshape(lp, [1, -1]), [s, 1]);
          const rows = per.shape[0] === s ? per : tf.broadcastTo(per, [s, per.shape[1]!]);
          n += rows.shape[1]!;
          parts.push(rows.dataSync() as Float32Array);
        });
      },
      factor() {},
      network(name) {
        const mode = networks?.(name);
        return { params: inst.points.get(name) ?? {}, batched: false, ...(mode !== undefined ? { mode } : {}) };
      },
      record(_name: string, _v: Value) {},
    };
    tf.tidy(() => runModel(inst, handler));
  } finally {
    for (const t of fixed.values()) t.dispose();
  }
  if (n === 0) throw new DlmError("the instance has no observed data, so there is no likelihood to cross-validate", undefined);
  // Interleave the statements' columns into one [S, N] matrix.
  const ll = new Float64Array(s * n);
  let offset = 0;
  for (const part of parts) {
    const w = part.length / s;
    for (let r = 0; r < s; r++) for (let j = 0; j < w; j++) ll[r * n + offset + j] = part[r * w + j]!;
    offset += w;
  }
  return { ll, s, n };
}
