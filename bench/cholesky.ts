/**
 * The Cholesky factor of a batch of 4 SPD matrices, value and gradient (of Σ L), by the fused
 * host kernel (core/fused-cholesky.ts) against linalg.ts's column-by-column composition, the
 * baseline, in the same run: kernels per call and median ms per call for n = 4 to 128 on
 * wasm and cpu, and the ratio composed/fused.
 *
 * Run: `npx tsx bench/cholesky.ts`. Results: bench/RESULTS.md ("Fused Cholesky").
 */
import { tf, initEngine } from "../core/engine.js";
import { fusedCholesky } from "../core/fused-cholesky.js";
import { composedCholesky } from "../core/linalg.js";
import { lcg } from "../core/kernels/testing.js";
import { bestOfAlternating, kernelsAndMs } from "./timing.js";

type Factor = (a: tf.Tensor) => tf.Tensor;
const measure = (f: Factor, a: tf.Tensor) => kernelsAndMs(() => tf.tidy(() => void tf.grad((x: tf.Tensor) => tf.sum(f(x)))(a).dataSync()));

/** 4 SPD matrices n × n: B Bᵀ + n·I. */
const spd = (n: number): tf.Tensor =>
  tf.tidy(() => {
    const b = tf.tensor(Array.from(lcg(4 * n * n, n)), [4, n, n]);
    return tf.add(tf.matMul(b, b, false, true), tf.mul(tf.eye(n), n));
  });

console.log("| backend | n | kernels fused | kernels composed | fused (ms) | composed (ms) | composed/fused |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const backend of ["wasm", "cpu"] as const) {
  await initEngine(backend);
  for (const n of [4, 11, 32, 64, 128]) {
    const a = spd(n);
    const [f, c] = await bestOfAlternating(() => measure((x) => fusedCholesky(x)!, a), () => measure(composedCholesky, a));
    console.log(`| ${backend} | ${n} | ${f.kernels} | ${c.kernels} | ${f.ms.toFixed(3)} | ${c.ms.toFixed(3)} | ${(c.ms / f.ms).toFixed(1)} |`);
    a.dispose();
  }
}
