/**
 * log Σ exp over the last axis, value and gradient, by the fused host-loop kernel
 * (core/fused-logsumexp.ts) against the op-composed form that `logSumExp` uses where the
 * kernel does not apply (core/special-log.ts), the baseline, in the same run: kernels per call
 * and median ms per call for shapes from an HMM round ([4, 2, 2, 2], [4, 256, 2, 2, 2]) to
 * mixtures over 1,000 to 20,000 observations, on wasm and cpu, and the ratio composed/fused.
 * Where the kernel does not apply (wasm above LOG_SUM_EXP_HOST_MAX_SIZE) both columns are the
 * composed form.
 *
 * Run: `npx tsx bench/logsumexp.ts`. Results: bench/RESULTS.md ("Fused log-sum-exp").
 */
import { tf, initEngine } from "../core/engine.js";
import { fusedLogSumExp } from "../core/fused-logsumexp.js";
import { composedLogSumExp } from "../core/special-log.js";
import { lcg } from "../core/kernels/testing.js";
import { bestOfAlternating, kernelsAndMs } from "./timing.js";

type Reduce = (x: tf.Tensor) => tf.Tensor;
const fused: Reduce = (x) => fusedLogSumExp(x, [x.rank - 1], false) ?? composedLogSumExp(x, [x.rank - 1], false);
const composed: Reduce = (x) => composedLogSumExp(x, [x.rank - 1], false);

const measure = (f: Reduce, x: tf.Tensor) => kernelsAndMs(() => tf.tidy(() => void tf.grad((v: tf.Tensor) => tf.sum(f(v)))(x).dataSync()));

console.log("| backend | shape | fused applies | kernels fused | kernels composed | fused (ms) | composed (ms) | composed/fused |");
console.log("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
for (const backend of ["wasm", "cpu"] as const) {
  await initEngine(backend);
  for (const shape of [[4, 2, 2, 2], [4, 16, 3], [4, 250, 2], [4, 1000, 2], [4, 256, 2, 2, 2], [4, 1000, 10], [4, 16000, 2], [4, 20000, 2]]) {
    const x = tf.tensor(Array.from(lcg(shape.reduce((p, d) => p * d, 1), 3), (u) => 4 * u), shape);
    const applies = fusedLogSumExp(x, [x.rank - 1], false);
    applies?.dispose();
    const [a, b] = await bestOfAlternating(() => measure(fused, x), () => measure(composed, x));
    console.log(`| ${backend} | [${shape.join(", ")}] | ${applies ? "yes" : "no"} | ${a.kernels} | ${b.kernels} | ${a.ms.toFixed(3)} | ${b.ms.toFixed(3)} | ${(b.ms / a.ms).toFixed(1)} |`);
    x.dispose();
  }
}
