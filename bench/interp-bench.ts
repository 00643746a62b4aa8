/**
 * Interpreter overhead: log density + gradient of a `.dlm` Bayesian neural network against
 * the same computation written by hand against tfjs, on the same backend, for 1, 4 and 16
 * chains. Goal: ratio ≤ 1.1. Run: `npm run bench interp` (compiled, as the `dlm` binary runs;
 * `npx tsx bench/interp-bench.ts [iterations]` runs the sources).
 * "hand" writes every formula with plain tfjs ops, as a user of tfjs would. A third column writes
 * the same density by hand but scores it with the distributions/ factories exactly as the
 * interpreter's scorer calls them (HalfNormal, Normal, Bernoulli(logit), through `logProbSum`,
 * the fused kernels of core/fused-logpdf.ts, where the family has one, else
 * `logProbInSupport`): the ratio to it is the interpreter's own overhead, apart from what the
 * distributions/ library saves or costs. Times are wall clock and the process's CPU time (less
 * sensitive to the other jobs on a loaded machine), medians of interleaved rounds.
 *
 * It also prints the kernels one evaluation launches (tf.profile): on wasm each launch costs
 * microseconds, so at one chain the kernel count, not the arithmetic, sets the time.
 *
 * Model (both versions): x [200, 4] fixed data, y ∈ {0, 1}; s ~ HalfNormal(1) (log-transformed,
 * + log-Jacobian); net = Chain(Dense(4 => 16, tanh), Dense(16 => 1)); every weight ~ Normal(0, s);
 * y ~ Bernoulli(logit = net(x)[:, 1]). D = 1 + 64 + 16 + 16 + 1 = 98.
 */
import { tf, initEngine } from "../core/engine.js";
import { valueAndGrad } from "../core/autodiff.js";
import { key, normal as randomNormal } from "../core/random.js";
import { compile, modelInstance } from "../interpreter/program.js";
import { logDensityOf } from "../interpreter/instance.js";
import { bernoulliLogit, halfNormal, normal } from "../distributions/index.js";
import type { Distribution } from "../distributions/distribution.js";

const SOURCE = `
network mlp(nin, nh) = Chain(Dense(nin => nh, tanh), Dense(nh => 1))
model bnn(x, y) {
  s ~ HalfNormal(1)
  net = mlp(ncols(x), 16)
  params(net) ~ Normal(0, s)
  y ~ Bernoulli(logit = net(x)[:, 1])
}`;

const N = 200;
const LOG_2PI = Math.log(2 * Math.PI);

/** The BNN's parameters cut out of q: log s, then the 97 weights of Dense(4 => 16), Dense(16 => 1). */
function unpack(q: tf.Tensor2D) {
  const c = q.shape[0];
  const cut = (off: number, shape: number[]): tf.Tensor => tf.reshape(tf.slice(q, [0, off], [c, shape.reduce((a, b) => a * b, 1)]), [c, ...shape]);
  const ls = tf.reshape(tf.slice(q, [0, 0], [c, 1]), [c]);
  return { c, ls, s: tf.exp(ls), w1: cut(1, [4, 16]), b1: cut(65, [16]), w2: cut(81, [16, 1]), b2: cut(97, [1]), weights: tf.slice(q, [0, 1], [c, 97]) };
}

function handWritten(x: tf.Tensor2D, y: tf.Tensor1D): (q: tf.Tensor2D) => tf.Tensor1D {
  return (q) =>
    tf.tidy(() => {
      const { c, ls, s, w1, b1, w2, b2, weights } = unpack(q);
      // Normal(0, s) prior on 97 weights: −½ Σ w²/s² − 97 log s − 97/2 log 2π
      const prior = tf.sub(tf.mul(-0.5, tf.div(tf.sum(tf.square(weights), 1), tf.square(s))), tf.add(tf.mul(97, ls), 97 * 0.5 * LOG_2PI));
      // HalfNormal(1) at s plus log|J| = ls
      const hyper = tf.add(tf.sub(tf.mul(-0.5, tf.square(s)), 0.5 * LOG_2PI - Math.log(2)), ls);
      const h = tf.tanh(tf.add(tf.matMul(tf.broadcastTo(tf.expandDims(x, 0), [c, N, 4]), w1 as tf.Tensor3D), tf.expandDims(b1, 1)));
      const eta = tf.reshape(tf.add(tf.matMul(h as tf.Tensor3D, w2 as tf.Tensor3D), tf.expandDims(b2, 1)), [c, N]);
      const lik = tf.sum(tf.sub(tf.mul(y, eta), tf.softplus(eta)), 1);
      return tf.add(tf.add(prior, hyper), lik) as tf.Tensor1D;
    });
}

/** The unmasked log density, as the interpreter scores latents and validated data. */
const inSupport = (d: Distribution, x: tf.Tensor): tf.Tensor => (d.logProbInSupport ?? d.logProb)(x);
/** The per-chain sum as the scorer takes it: the fused kernel where the family has one. */
const inSupportSum = (d: Distribution, x: tf.Tensor): tf.Tensor => (d.logProbSum !== undefined ? d.logProbSum(x, true) : tf.sum(inSupport(d, x), 1));

function handWithDistributions(x: tf.Tensor2D, y: tf.Tensor1D): (q: tf.Tensor2D) => tf.Tensor1D {
  return (q) =>
    tf.tidy(() => {
      const { c, ls, s, w1, b1, w2, b2, weights } = unpack(q);
      const prior = inSupportSum(normal(0, tf.reshape(s, [c, 1])), weights);
      const hyper = tf.add(inSupport(halfNormal(1), s), ls);
      const h = tf.tanh(tf.add(tf.matMul(tf.broadcastTo(tf.expandDims(x, 0), [c, N, 4]), w1 as tf.Tensor3D), tf.expandDims(b1, 1)));
      const eta = tf.reshape(tf.add(tf.matMul(h as tf.Tensor3D, w2 as tf.Tensor3D), tf.expandDims(b2, 1)), [c, N]);
      const lik = inSupportSum(bernoulliLogit(eta), y);
      return tf.add(tf.add(prior, hyper), lik) as tf.Tensor1D;
    });
}

/** Kernels launched by one log density and by one log density + gradient (tf.profile). */
async function kernelCount(f: (q: tf.Tensor2D) => tf.Tensor1D, q: tf.Tensor2D): Promise<[number, number]> {
  // tf.profile hands back the same record object each time: read each count at once.
  const fwd = (await tf.profile(() => {
    f(q).dispose();
  })).kernels.length;
  const both = (await tf.profile(() => {
    const r = valueAndGrad(f, q);
    tf.dispose([r.value, r.grad]);
  })).kernels.length;
  return [fwd, both];
}

interface Timing { readonly wall: number; readonly cpu: number }

/** Wall-clock and process CPU milliseconds per log density + gradient. */
function timeIt(f: (q: tf.Tensor2D) => tf.Tensor1D, q: tf.Tensor2D, iterations: number): Timing {
  for (let i = 0; i < 2; i++) {
    const r = valueAndGrad(f, q);
    tf.dispose([r.value, r.grad]);
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const r = valueAndGrad(f, q);
    r.grad.dataSync();
    tf.dispose([r.value, r.grad]);
  }
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / iterations, cpu: (c.user + c.system) / 1000 / iterations };
}

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 200);
  const info = await initEngine();
  const x = randomNormal(key(1), [N, 4]) as tf.Tensor2D;
  const y = tf.cast(tf.greater(tf.sum(x, 1), 0), "float32") as tf.Tensor1D;
  const inst = modelInstance(compile(SOURCE, "bnn.dlm"), "bnn", { x, y });
  const dlm = (q: tf.Tensor2D): tf.Tensor1D => logDensityOf(inst, q);
  const hand = handWritten(x, y);
  const handDist = handWithDistributions(x, y);
  console.log(`backend ${info.backend}, ${iterations} iterations, D = ${inst.layout.dim}`);
  {
    const q1 = tf.zeros([1, inst.layout.dim]) as tf.Tensor2D;
    for (const [name, f] of [[".dlm", dlm], ["hand", hand], ["hand + distributions/", handDist]] as const) {
      const [fwd, both] = await kernelCount(f, q1);
      console.log(`kernels, 1 chain, ${name}: ${fwd} log density, ${both} log density + gradient`);
    }
    q1.dispose();
  }
  console.log("| chains | .dlm ms/grad | hand ms/grad | ratio | hand + distributions/ ms/grad | ratio to it | CPU ms/grad .dlm / hand / hand + dist. | CPU ratio | |Δ log p| |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const chains of [1, 4, 16]) {
    const q = tf.mul(0.3, randomNormal(key(chains), [chains, inst.layout.dim])) as tf.Tensor2D;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(dlm(q), hand(q)))).dataSync()[0]!);
    // Interleave the versions in many short rounds and take medians: a load spike from other
    // jobs on the machine then spoils a few rounds, not the result. The process's CPU time is
    // less sensitive to the other jobs than the wall clock.
    // JIT and allocator warm-up, not timed: the first few hundred calls are much slower
    for (const f of [dlm, hand, handDist]) timeIt(f, q, 150);
    const rounds = Math.max(5, Math.min(25, Math.floor(iterations / 20)));
    const per = Math.max(1, Math.round(iterations / rounds));
    const runs = { a: [] as Timing[], b: [] as Timing[], d: [] as Timing[] };
    for (let r = 0; r < rounds; r++) {
      runs.a.push(timeIt(dlm, q, per));
      runs.b.push(timeIt(hand, q, per));
      runs.d.push(timeIt(handDist, q, per));
    }
    const med = (xs: readonly number[]): number => {
      const s = [...xs].sort((x, y) => x - y);
      const m = s.length >> 1;
      return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    };
    const of = (ts: readonly Timing[], k: keyof Timing): number => med(ts.map((t) => t[k]));
    // per-round ratios: both versions of a round ran within milliseconds of each other
    const ratio = (x: readonly Timing[], y: readonly Timing[], k: keyof Timing): number => med(x.map((t, i) => t[k] / y[i]![k]));
    const { a, b, d } = runs;
    console.log(
      `| ${chains} | ${of(a, "wall").toFixed(2)} | ${of(b, "wall").toFixed(2)} | ${ratio(a, b, "wall").toFixed(2)} | ${of(d, "wall").toFixed(2)} | ${ratio(a, d, "wall").toFixed(2)} ` +
        `| ${of(a, "cpu").toFixed(2)} / ${of(b, "cpu").toFixed(2)} / ${of(d, "cpu").toFixed(2)} | ${ratio(a, b, "cpu").toFixed(2)} | ${diff.toExponential(1)} |`,
    );
    q.dispose();
  }
}

void main();
