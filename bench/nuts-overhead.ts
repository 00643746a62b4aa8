/**
 * The NUTS sampler's own cost per leaf, beside the model's: eight schools (non-centred,
 * hand-written tfjs density), 4 chains. Prints the model's kernels per gradient, the
 * sampler's kernels per leaf, wall and CPU ms per leaf, and a bare gradient call as the
 * baseline measured in the same run (see the MCMC section of bench/RESULTS.md).
 *
 * Run: `npx tsx bench/nuts-overhead.ts [profileWarmup profileDraws timedWarmup timedDraws]`
 * (defaults 20 20 300 300).
 */
import os from "node:os";
import { tf, initEngine } from "../core/engine.js";
import { logDensityModel } from "../core/model.js";
import { valueAndGrad } from "../core/autodiff.js";
import { sample } from "../inference/mcmc/index.js";
// eight schools, non-centred: q = [mu, log tau, eta_1..8]
await initEngine();
const y = tf.tensor1d([28, 8, -3, 7, -1, 1, 18, 12]);
const s = tf.tensor1d([15, 10, 16, 11, 9, 11, 10, 18]);
const model = logDensityModel(10, (q) => tf.tidy(() => {
  const mu = q.slice([0, 0], [-1, 1]);
  const lt = q.slice([0, 1], [-1, 1]);
  const eta = q.slice([0, 2], [-1, 8]);
  const theta = tf.add(mu, tf.mul(tf.exp(lt), eta));
  const lik = tf.sum(tf.square(tf.div(tf.sub(y, theta), s)), 1).mul(-0.5);
  const pri = tf.add(tf.mul(-0.5, tf.sum(tf.square(eta), 1)), tf.mul(-0.5 / 25, tf.sum(tf.square(mu), 1)));
  const ptau = tf.sub(lt.squeeze([1]), tf.log1p(tf.square(tf.div(tf.exp(lt), 5))).squeeze([1]));
  return tf.add(tf.add(lik, pri), ptau) as tf.Tensor1D;
}));
const q0 = tf.zeros([4, 10]) as tf.Tensor2D;
const pg = await tf.profile(() => { const r = valueAndGrad((x) => model.logDensity(x), q0); r.value.dispose(); r.grad.dispose(); });
const modelK = pg.kernels.length;
const W = Number(process.argv[2] ?? 20), N = Number(process.argv[3] ?? 20);
const small = await tf.profile(async () => { await sample(model, { chains: 4, warmup: W, draws: N, seed: 1 }); });
// gradient calls of the profiled run
const r0 = await sample(model, { chains: 4, warmup: W, draws: N, seed: 1 });
const kpl = small.kernels.length / r0.gradientCalls;
console.log(`model kernels/grad ${modelK}; total kernels/leaf ${kpl.toFixed(1)}; sampler kernels/leaf ${(kpl - modelK).toFixed(1)}`);
const WW = Number(process.argv[4] ?? 300), NN = Number(process.argv[5] ?? 300);
const t0 = process.cpuUsage(); const w0 = performance.now();
const r = await sample(model, { chains: 4, warmup: WW, draws: NN, seed: 1 });
const cpu = process.cpuUsage(t0); const wall = performance.now() - w0;
console.log(`load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; ${WW}+${NN} iters x4 chains: wall ${(wall/1000).toFixed(1)} s, cpu ${((cpu.user+cpu.system)/1e6).toFixed(1)} s, grad calls ${r.gradientCalls}, wall ms/leaf ${(wall / r.gradientCalls).toFixed(3)}, cpu ms/leaf ${((cpu.user+cpu.system)/1000 / r.gradientCalls).toFixed(3)}`);
// time one bare gradient
const g0 = performance.now(); for (let i = 0; i < 500; i++) { const x = valueAndGrad((z) => model.logDensity(z), q0); x.value.dispose(); x.grad.dispose(); }
console.log(`bare grad ms ${((performance.now() - g0) / 500).toFixed(3)}; draws checksum ${r.draws.map(d=>d.reduce((a,b)=>a+b,0)).map(v=>v.toFixed(6)).join(",")}`);
