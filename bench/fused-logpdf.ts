/**
 * Log-density sums (core/fused-logpdf.ts) against the plain op formulas: engine kernels
 * (tf.profile) and µs per value + gradient, every variant measured in the same run (interleaved
 * rounds, best median of each), with the ratios to the plain formulas. "default" is
 * familyLogPdfSum (the family kernel on cpu, and on wasm up to HOST_LOOP_MAX_SIZE elements; the
 * composite above), "family" the family kernel at every size (fused-family.ts: the float64
 * definition of core/ir/families.ts in a host loop), "composite" the composite kernels that
 * large tensors on wasm and other backends get. Run: `npx tsx bench/fused-logpdf.ts
 * [backend…]` (default wasm).
 *
 * Cases (the differentiated tensors are the arguments of tf.valueAndGrads, dy = 1; the last
 * two, at 64 chains, are above HOST_LOOP_MAX_SIZE):
 * - normal-prior: Σ_k Normal(w[c, k] | 0, s[c]) with w [4, 97] and a latent s [4, 1], both
 *   differentiated (the weight prior of bench/interp-bench.ts's BNN).
 * - bernoulli-lik: Σ_n Bernoulli(y[n] | logit = η[c, n]) with η [C, N] differentiated and
 *   y [N] data (C, N = 4, 200 and 64, 2000).
 * - normal-lik: Σ_n Normal(y[n] | μ[c, n], σ[c]) with y [N] data, μ [C, N] and σ [C, 1]
 *   differentiated (the x-gradient of the data is never computed).
 * - bnn: the whole 98-parameter BNN of bench/interp-bench.ts (log s, then Dense(4 => 16, tanh),
 *   Dense(16 => 1); weights ~ Normal(0, s), s ~ HalfNormal(1), y [200] ~ Bernoulli(logit =
 *   net(x))) through core/autodiff's valueAndGrad at q [4, 98], with the prior and the
 *   likelihood as the default sums or as the plain formulas.
 */
import { msPerCall } from "./timing.js";
import { valueAndGrad } from "../core/autodiff.js";
import { tf, initEngine, type BackendName } from "../core/engine.js";
import { familyLogPdf } from "../core/fused-family.js";
import { bernoulliLogitLogPmfSum, familyLogPdfSum, normalLogPdfSum } from "../core/fused-logpdf.js";
import { det, lcg } from "../core/kernels/testing.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const CHAINS = 4;

interface Case {
  readonly name: string;
  /** Builds data and parameters; returns both densities, the parameters and everything to free. */
  readonly make: () => {
    fused: (...p: tf.Tensor[]) => tf.Tensor;
    family: (...p: tf.Tensor[]) => tf.Tensor;
    composite: (...p: tf.Tensor[]) => tf.Tensor;
    plain: (...p: tf.Tensor[]) => tf.Tensor;
    params: tf.Tensor[];
    free: tf.Tensor[];
  };
}

const plainNormal = (x: tf.Tensor, m: tf.Tensor | 0, s: tf.Tensor): tf.Tensor =>
  tf.sum(tf.sub(tf.mul(tf.square(tf.div(m === 0 ? x : tf.sub(x, m), s)), -0.5), tf.add(tf.log(s), HALF_LOG_2PI)), 1);

const positive = (shape: number[], seed: number): tf.Tensor => tf.tidy(() => tf.add(tf.abs(det(shape, seed)), 0.5));

const bernoulliCase = (chains: number, n: number): Case => ({
  name: `bernoulli-lik η [${chains}, ${n}], y [${n}]`,
  make: () => {
    const eta = tf.mul(det([chains, n], 3), 3);
    const y = tf.tensor1d(Array.from(lcg(n, 4), (v) => (v > 0 ? 1 : 0)));
    return {
      fused: (e) => familyLogPdfSum("bernoulliLogit", [y, e!], true),
      family: (e) => familyLogPdf("bernoulliLogit", [y, e!], "rows"),
      composite: (e) => bernoulliLogitLogPmfSum(y, e!, true),
      plain: (e) => tf.sum(tf.neg(tf.softplus(tf.mul(tf.sub(1, tf.mul(2, y)), e!))), 1),
      params: [eta],
      free: [eta, y],
    };
  },
});

const normalLikCase = (chains: number, n: number): Case => ({
  name: `normal-lik y [${n}], μ [${chains}, ${n}], σ [${chains}, 1]`,
  make: () => {
    const y = det([n], 5);
    const mu = det([chains, n], 6);
    const s = positive([chains, 1], 7);
    return {
      fused: (m, ss) => familyLogPdfSum("normal", [y, m!, ss!], true),
      family: (m, ss) => familyLogPdf("normal", [y, m!, ss!], "rows"),
      composite: (m, ss) => normalLogPdfSum(y, m!, ss!, true),
      plain: (m, ss) => plainNormal(y, m!, ss!),
      params: [mu, s],
      free: [y, mu, s],
    };
  },
});

const CASES: readonly Case[] = [
  {
    name: "normal-prior w [4, 97], s [4, 1]",
    make: () => {
      const w = det([CHAINS, 97], 1);
      const s = positive([CHAINS, 1], 2);
      return {
        fused: (ww, ss) => familyLogPdfSum("normal", [ww!, 0, ss!], true),
        family: (ww, ss) => familyLogPdf("normal", [ww!, 0, ss!], "rows"),
        composite: (ww, ss) => normalLogPdfSum(ww!, 0, ss!, true),
        plain: (ww, ss) => plainNormal(ww!, 0, ss!),
        params: [w, s],
        free: [w, s],
      };
    },
  },
  bernoulliCase(CHAINS, 200),
  normalLikCase(CHAINS, 200),
  // Above HOST_LOOP_MAX_SIZE: the composites on wasm.
  bernoulliCase(64, 2000),
  normalLikCase(64, 2000),
];

function valueAndGrads(f: (...p: tf.Tensor[]) => tf.Tensor, params: tf.Tensor[]): () => void {
  const dy = tf.ones([params[0]!.shape[0]!]);
  return () => {
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => f(...p))(params, dy);
    tf.dispose([value, ...grads]);
  };
}

/** The BNN's log density with its two sums made by `prior(weights, s [c, 1])` and `lik(eta)`. */
function bnn(prior: (w: tf.Tensor, s: tf.Tensor) => tf.Tensor, lik: (eta: tf.Tensor) => tf.Tensor): (q: tf.Tensor2D) => tf.Tensor1D {
  const n = 200;
  const x = det([n, 4], 8);
  return (q) =>
    tf.tidy(() => {
      const c = q.shape[0];
      const cut = (off: number, shape: number[]): tf.Tensor => tf.reshape(tf.slice(q, [0, off], [c, shape.reduce((a, b) => a * b, 1)]), [c, ...shape]);
      const ls = tf.slice(q, [0, 0], [c, 1]);
      const s = tf.exp(ls);
      const [w1, b1, w2, b2] = [cut(1, [4, 16]), cut(65, [16]), cut(81, [16, 1]), cut(97, [1])];
      const hyper = tf.reshape(tf.add(tf.sub(tf.mul(-0.5, tf.square(s)), HALF_LOG_2PI - Math.log(2)), ls), [c]);
      const h = tf.tanh(tf.add(tf.matMul(tf.broadcastTo(tf.expandDims(x, 0), [c, n, 4]), w1 as tf.Tensor3D), tf.expandDims(b1, 1)));
      const eta = tf.reshape(tf.add(tf.matMul(h as tf.Tensor3D, w2 as tf.Tensor3D), tf.expandDims(b2, 1)), [c, n]);
      return tf.add(tf.add(prior(tf.slice(q, [0, 1], [c, 97]), s), hyper), lik(eta)) as tf.Tensor1D;
    });
}

async function benchBnn(backend: BackendName): Promise<void> {
  await initEngine(backend);
  const y = tf.tensor1d(Array.from(lcg(200, 9), (v) => (v > 0 ? 1 : 0)));
  const fused = bnn((w, s) => familyLogPdfSum("normal", [w, 0, s], true), (eta) => familyLogPdfSum("bernoulliLogit", [y, eta], true));
  const plain = bnn(
    (w, s) => plainNormal(w, 0, s),
    (eta) => tf.sum(tf.neg(tf.softplus(tf.mul(tf.sub(1, tf.mul(2, y)), eta))), 1),
  );
  const q = tf.mul(det([CHAINS, 98], 10), 0.3) as tf.Tensor2D;
  const call = (f: (q: tf.Tensor2D) => tf.Tensor1D) => (): void => {
    const { value, grad } = valueAndGrad(f, q);
    tf.dispose([value, grad]);
  };
  const [kf, kp] = [await kernels(call(fused)), await kernels(call(plain))];
  let [tFused, tPlain] = [Infinity, Infinity];
  for (let round = 0; round < 5; round++) {
    tFused = Math.min(tFused, msPerCall(call(fused), 200));
    tPlain = Math.min(tPlain, msPerCall(call(plain), 200));
  }
  const us = (ms: number): string => (ms * 1000).toFixed(0);
  console.log(`| ${backend} | bnn q [4, 98] (prior + likelihood, default sums) | ${kf} | ${kp} | ${us(tFused)} | | | ${us(tPlain)} | ${(tFused / tPlain).toFixed(2)} | | |`);
  tf.dispose([y, q]);
}

async function kernels(call: () => void): Promise<number> {
  return (await tf.profile(call)).kernels.length;
}

async function bench(backend: BackendName): Promise<void> {
  await initEngine(backend);
  for (const c of CASES) {
    const { fused, family, composite, plain, params, free } = c.make();
    const calls = [fused, family, composite, plain].map((f) => valueAndGrads(f, params));
    const [kf, kp] = [await kernels(calls[0]!), await kernels(calls[3]!)];
    const best = calls.map(() => Infinity);
    for (let round = 0; round < 5; round++) calls.forEach((call, k) => (best[k] = Math.min(best[k]!, msPerCall(call, 200))));
    const us = (ms: number): string => (ms * 1000).toFixed(0);
    const [tFused, tFamily, tComposite, tPlain] = best as [number, number, number, number];
    const row = [backend, c.name, kf, kp, us(tFused), us(tFamily), us(tComposite), us(tPlain), (tFused / tPlain).toFixed(2), (tFamily / tPlain).toFixed(2), (tComposite / tPlain).toFixed(2)];
    console.log(`| ${row.join(" | ")} |`);
    tf.dispose(free);
  }
}

const backends = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["wasm"]) as BackendName[];
console.log("| backend | case (value + gradient) | kernels default | kernels plain | µs default | µs family | µs composite | µs plain | default/plain | family/plain | composite/plain |");
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const b of backends) {
  await bench(b);
  await benchBnn(b);
}
