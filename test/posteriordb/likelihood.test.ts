/**
 * The translations' likelihoods against literal float64 transcriptions of the Stan programs
 * (stan-likelihoods.ts): at random unconstrained points, the sum of the translation's
 * observation and `factor` terms (its latent `~` terms — priors and log-Jacobians — left out)
 * must change between points exactly as the Stan program's likelihood does. Differences
 * between points cancel data-only constants. This checks the rewrites (GARCH's unrolled
 * variance recursion, the vectorised HMM forward algorithm, the spectral-density GP, the
 * broadcast IRT logits, indicator columns) independently of sampling. The log density here is
 * the tfjs path's (float32), so a translation with a float32 variant is checked in that form,
 * against its own transcription (FLOAT32_STAN_LIKELIHOODS); test/host-engine/record.test.ts
 * checks the translations themselves on the host engine.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { logDensityOf, outputNamesOf, outputsOf } from "../../interpreter/instance.js";
import type { TildeStmt } from "../../grammar/index.js";
import { dataAvailable, instantiatePosterior, loadPosterior } from "../../bench/posteriordb/posteriors.js";
import { FLOAT32_STAN_LIKELIHOODS, STAN_LIKELIHOODS } from "./stan-likelihoods.js";
import { rng } from "../host-engine/helpers.js";

const POINTS = 4;

describe.skipIf(!dataAvailable())("translated likelihoods match the Stan programs", () => {
  it.each(Object.keys(STAN_LIKELIHOODS))("%s", (name) => {
    const p = loadPosterior(name, "tfjs");
    const inst = instantiatePosterior(p);
    const likelihood = FLOAT32_STAN_LIKELIHOODS[name] ?? STAN_LIKELIHOODS[name]!;
    const next = rng(name.length * 7919 + 17);
    const q = Array.from({ length: POINTS }, () => Array.from({ length: inst.layout.dim }, () => 2 * next() - 1));
    const latentStmts = new Set<TildeStmt | object>(inst.latents.map((l) => l.stmt));
    // Terms are read as they are pushed: logDensityOf disposes its intermediate tensors.
    const ours = new Array<number>(POINTS).fill(0);
    const terms: unknown[] = [];
    terms.push = (...items: unknown[]): number => {
      for (const item of items as { stmt: object; value: tf.Tensor }[]) {
        if (latentStmts.has(item.stmt)) continue;
        const v = item.value.dataSync();
        for (let i = 0; i < POINTS; i++) ours[i]! += v.length === 1 ? v[0]! : v[i]!;
      }
      return 0;
    };
    tf.tidy(() => logDensityOf(inst, tf.tensor2d(q), terms as never));
    const names = outputNamesOf(inst);
    const rows = tf.tidy(() => outputsOf(inst, tf.tensor2d(q)));
    const reference = rows.map((row) => {
      const byName = new Map(names.map((n, j) => [n, row[j]!]));
      const v = (n: string): number => {
        const x = byName.get(n);
        if (x === undefined) throw new Error(`no output ${n}`);
        return x;
      };
      return likelihood(v, p.data);
    });
    for (let i = 1; i < POINTS; i++) {
      const tol = 3e-6 * (Math.abs(reference[i]!) + Math.abs(reference[0]!)) + 2e-3;
      expect(Math.abs(ours[i]! - ours[0]! - (reference[i]! - reference[0]!))).toBeLessThan(tol);
    }
  });

  it("records GLM_Poisson's log_lambda and lambda as the Stan program defines them", () => {
    const p = loadPosterior("GLM_Poisson_Data-GLM_Poisson_model");
    const inst = instantiatePosterior(p);
    const names = outputNamesOf(inst);
    const [row] = tf.tidy(() => outputsOf(inst, tf.tensor2d([[0.3, -0.2, 0.5, 0.1]])));
    const v = (n: string): number => row![names.indexOf(n)]!;
    const year = p.data["year"] as number[];
    year.forEach((x, i) => {
      const ll = v("alpha") + v("beta1") * x + v("beta2") * x * x + v("beta3") * x ** 3;
      expect(v(`log_lambda[${i + 1}]`)).toBeCloseTo(ll, 4);
      expect(v(`lambda[${i + 1}]`) / Math.exp(ll)).toBeCloseTo(1, 5);
    });
  });
});
