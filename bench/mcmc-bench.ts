/**
 * Throughput of lockstep NUTS (inference/mcmc) against the number of chains: draws per second,
 * bulk-ESS per second (minimum over parameters), lockstep efficiency and milliseconds per
 * batched gradient call, at 1, 4, 16, 64 and 256 chains, printed as a markdown table.
 *
 * Run: `npx tsx bench/mcmc-bench.ts [warmup] [draws]` (defaults 300 and 300); chain counts
 * from `MCMC_BENCH_CHAINS` (comma-separated, default 1,4,16,64,256); backend from DLM_BACKEND.
 *
 * Targets (hand-written tfjs log densities, q `[chains, 10]` → `[chains]`):
 * - gauss10: independent Gaussians with scales 0.5 … 2 (log-spaced), means −4.5 … 4.5.
 * - logistic10: Bayesian logistic regression, 10 coefficients with N(0, 2²) priors,
 *   200 simulated observations (x ~ N(0, 1), y ~ Bernoulli(σ(x·β*)), fixed seed):
 *   log p(β) = Σ_i [y_i η_i − softplus(η_i)] − Σ_j β_j² / 8,  η = β Xᵀ.
 */
import os from "node:os";
import { tf, initEngine } from "../core/engine.js";
import { logDensityModel, type LogDensityModel } from "../core/model.js";
import { key, stream } from "../core/random.js";
import { essBulk } from "../inference/diagnostics/index.js";
import { sample } from "../inference/mcmc/index.js";

function gauss10(): LogDensityModel {
  const s = tf.tensor1d(Array.from({ length: 10 }, (_, i) => 0.5 * 4 ** (i / 9)));
  const mu = tf.tensor1d(Array.from({ length: 10 }, (_, i) => i - 4.5));
  return logDensityModel(10, (q) => tf.tidy(() => tf.mul(-0.5, tf.sum(tf.square(tf.div(tf.sub(q, mu), s)), 1)) as tf.Tensor1D));
}

function logistic10(): LogDensityModel {
  const n = 200;
  const d = 10;
  const r = stream(key(2025));
  const beta = Array.from({ length: d }, () => r.normal());
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    let eta = 0;
    for (let j = 0; j < d; j++) {
      const v = r.normal();
      x.push(v);
      eta += v * beta[j]!;
    }
    y.push(r.uniform() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
  }
  const X = tf.tensor2d(x, [n, d]);
  const Y = tf.tensor1d(y);
  return logDensityModel(d, (q) =>
    tf.tidy(() => {
      const eta = tf.matMul(q, X, false, true); // [C, n]
      const lik = tf.sum(tf.sub(tf.mul(Y, eta), tf.softplus(eta)), 1);
      return tf.sub(lik, tf.div(tf.sum(tf.square(q), 1), 8)) as tf.Tensor1D;
    }),
  );
}

const info = await initEngine();
const warmup = Number(process.argv[2] ?? 300);
const draws = Number(process.argv[3] ?? 300);
const chainCounts = (process.env["MCMC_BENCH_CHAINS"] ?? "1,4,16,64,256").split(",").map(Number);

console.log(`backend ${info.backend}, tfjs ${info.tfjsVersion}, ${os.cpus()[0]?.model ?? "?"} ×${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}, ${new Date().toISOString()}`);
console.log(`warmup ${warmup}, draws ${draws} per chain\n`);
console.log("| target | chains | warmup s | sampling s | draws/s | min bulk-ESS | ESS/s | lockstep eff. | grad calls / iter | ms / grad call |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const [name, make] of [["gauss10", gauss10], ["logistic10", logistic10]] as const) {
  const model = make();
  for (const chains of chainCounts) {
    const r = await sample(model, { chains, warmup, draws, seed: 1 });
    let minEss = Infinity;
    for (let i = 0; i < r.dim; i++) {
      const cs = r.draws.map((d) => Float64Array.from({ length: r.nDraws }, (_, n) => d[n * r.dim + i]!));
      minEss = Math.min(minEss, essBulk(cs));
    }
    const iters = warmup + draws;
    const total = r.seconds.warmup + r.seconds.sampling;
    console.log(
      `| ${name} | ${chains} | ${r.seconds.warmup.toFixed(1)} | ${r.seconds.sampling.toFixed(1)} | ${((chains * r.nDraws) / r.seconds.sampling).toFixed(0)} | ` +
        `${minEss.toFixed(0)} | ${(minEss / r.seconds.sampling).toFixed(0)} | ${r.lockstepEfficiency.toFixed(2)} | ` +
        `${(r.gradientCalls / iters).toFixed(1)} | ${((1000 * total) / r.gradientCalls).toFixed(2)} |`,
    );
  }
}
