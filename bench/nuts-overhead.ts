/**
 * The NUTS sampler's own cost per leaf, beside the model's: eight schools (non-centred,
 * hand-written tfjs density), 4 chains. Prints the model's kernels per gradient, the
 * sampler's kernels per leaf, wall and CPU ms per model gradient call during sampling, and as
 * baselines measured in the same run a bare gradient call and one with the host transfer the
 * sampler needs (upload of the positions, read-back of value and gradient); the sampler's
 * overhead per leaf is the difference (see the MCMC section of bench/RESULTS.md).
 *
 * Per leaf means per batched model gradient call: the run's log-density calls (the initial
 * points and the step-size heuristic included) are counted by wrapping the model.
 *
 * Run: `npx tsx bench/nuts-overhead.ts [profileWarmup profileDraws timedWarmup timedDraws]`
 * (defaults 20 20 300 300).
 */
import os from "node:os";
import { tf, initEngine } from "../core/engine.js";
import { logDensityModel, type LogDensityModel } from "../core/model.js";
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
let calls = 0;
const counted: LogDensityModel = { dim: model.dim, logDensity: (q) => { calls += 1; return model.logDensity(q); } };
const q0 = tf.zeros([4, 10]) as tf.Tensor2D;
const pg = await tf.profile(() => { const r = valueAndGrad((x) => model.logDensity(x), q0); r.value.dispose(); r.grad.dispose(); });
const modelK = pg.kernels.length;
const W = Number(process.argv[2] ?? 20), N = Number(process.argv[3] ?? 20);
calls = 0;
const small = await tf.profile(async () => { await sample(counted, { chains: 4, warmup: W, draws: N, seed: 1 }); });
const kpl = small.kernels.length / calls;
console.log(`model kernels/grad ${modelK}; total kernels/leaf ${kpl.toFixed(1)}; sampler kernels/leaf ${(kpl - modelK).toFixed(1)}`);
const WW = Number(process.argv[4] ?? 300), NN = Number(process.argv[5] ?? 300);
calls = 0;
const t0 = process.cpuUsage(); const w0 = performance.now();
const r = await sample(counted, { chains: 4, warmup: WW, draws: NN, seed: 1 });
const cpu = process.cpuUsage(t0); const wall = performance.now() - w0;
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(`load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; ${WW}+${NN} iters x4 chains: wall ${(wall/1000).toFixed(1)} s, cpu ${(cpuMs/1000).toFixed(1)} s, grad calls ${calls} (${r.gradientCalls} in transitions), wall ms/leaf ${(wall / calls).toFixed(3)}, cpu ms/leaf ${(cpuMs / calls).toFixed(3)}`);
// baselines: a bare gradient, and a gradient with the host transfer (float32 upload, two reads)
const reps = 1000;
const host = new Float32Array(40);
const g0 = performance.now();
for (let i = 0; i < reps; i++) { const x = valueAndGrad((z) => model.logDensity(z), q0); x.value.dispose(); x.grad.dispose(); }
const bare = (performance.now() - g0) / reps;
const h0 = performance.now();
for (let i = 0; i < reps; i++) {
  const q = tf.tensor2d(host, [4, 10]);
  const x = valueAndGrad((z) => model.logDensity(z), q);
  x.value.dataSync(); x.grad.dataSync();
  tf.dispose([q, x.value, x.grad]);
}
const transfer = (performance.now() - h0) / reps;
console.log(`bare grad ms ${bare.toFixed(3)}; with host transfer ${transfer.toFixed(3)}; sampler overhead µs/leaf (wall/leaf − bare grad) ${(1000 * (wall / calls - bare)).toFixed(0)}`);
console.log(`draws checksum ${r.draws.map(d=>d.reduce((a,b)=>a+b,0)).map(v=>v.toFixed(6)).join(",")}`);
