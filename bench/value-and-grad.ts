/**
 * Per-call cost of `valueAndGrad` (core/autodiff.ts) for a 10-parameter and a 10,000-parameter
 * log density at 1, 16 and 256 chains, on wasm (with and without the kernel fixes of
 * core/kernels) and on cpu, printed as a markdown table with the wasm/cpu ratio.
 * Run: `npx tsx bench/value-and-grad.ts`.
 *
 * Densities (float32, batched over chains: q `[chains, d]` → `[chains]`):
 * - gauss10: correlated Gaussian, log p(q) = −½ (q−μ)ᵀ P (q−μ) with a dense precision
 *   P = I + 0.1·u uᵀ (one matrix product per call).
 * - logistic10k: Bayesian logistic regression with N(0, 1) prior on d = 10,000 weights and
 *   n = 100 fixed observations: log p(β) = Σ_i [y_i η_i − softplus(η_i)] − ½ Σ_j β_j²,
 *   η = β Xᵀ (a product with a transposed operand, and its gradient).
 */
import { msPerCall } from "./timing.js";
import { tf, initEngine, type BackendName } from "../core/engine.js";
import { valueAndGrad } from "../core/autodiff.js";
import { withStockKernels } from "../core/kernels/index.js";
import { det, lcg } from "../core/kernels/testing.js";

interface Density {
  readonly name: string;
  readonly dim: number;
  /** Build the data on the current backend; returns the density and the tensors to free. */
  readonly make: () => { f: (q: tf.Tensor2D) => tf.Tensor1D; data: tf.Tensor[] };
}

const gauss10: Density = {
  name: "gauss10",
  dim: 10,
  make: () => {
    const d = 10;
    const u = lcg(d, 7);
    const prec = tf.tensor2d(Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 : 0) + 0.1 * u[Math.floor(k / d)]! * u[k % d]!), [d, d]);
    const mu = det([d], 8);
    const f = (q: tf.Tensor2D): tf.Tensor1D => {
      const z = tf.sub(q, mu);
      return tf.mul(-0.5, tf.sum(tf.mul(z, tf.matMul(z, prec)), 1));
    };
    return { f, data: [prec, mu] };
  },
};

const logistic10k: Density = {
  name: "logistic10k",
  dim: 10_000,
  make: () => {
    const [n, d] = [100, 10_000];
    const x = tf.mul(det([n, d], 9), 0.05);
    const y = tf.tensor1d(Array.from(lcg(n, 10), (v) => (v > 0 ? 1 : 0)));
    const f = (q: tf.Tensor2D): tf.Tensor1D => {
      const eta = tf.matMul(q, x, false, true);
      const lik = tf.sum(tf.sub(tf.mul(y, eta), tf.softplus(eta)), 1);
      return tf.sub(lik, tf.mul(0.5, tf.sum(tf.square(q), 1)));
    };
    return { f, data: [x, y] };
  },
};


async function time(backend: BackendName, density: Density, chains: number, stock = false, minCalls = 5): Promise<number> {
  await initEngine(backend);
  const { f, data } = density.make();
  const q = tf.mul(det([chains, density.dim], 11), 0.1) as tf.Tensor2D;
  const call = (): void => {
    const { value, grad } = valueAndGrad(f, q);
    tf.dispose([value, grad]);
  };
  try {
    return stock ? withStockKernels("wasm", () => msPerCall(call, 150, minCalls)) : msPerCall(call, 150, minCalls);
  } finally {
    tf.dispose([q, ...data]);
  }
}

const fmt = (ms: number): string => ms.toFixed(ms < 1 ? 3 : ms < 10 ? 2 : 1);

console.log("| density | dim | chains | wasm (ms) | wasm stock kernels (ms) | cpu (ms) | wasm/cpu |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const density of [gauss10, logistic10k]) {
  for (const chains of [1, 16, 256]) {
    // The wasm variants alternate over three rounds and keep their best median, so that a
    // burst of load from other processes does not land on one of them only.
    let [wasm, stock] = [Infinity, Infinity];
    for (let round = 0; round < 3; round++) {
      wasm = Math.min(wasm, await time("wasm", density, chains));
      stock = Math.min(stock, await time("wasm", density, chains, true));
    }
    const cpu = await time("cpu", density, chains, false, 3);
    console.log(`| ${density.name} | ${density.dim} | ${chains} | ${fmt(wasm)} | ${fmt(stock)} | ${fmt(cpu)} | ${(wasm / cpu).toFixed(2)} |`);
  }
}
