/**
 * log Γ of a tensor, value and gradient (of Σ log Γ), by the fused float64 host kernel
 * (core/fused-special.ts) against the float32 composition of core/special-gamma.ts, the
 * baseline, in the same run: kernels per call and median ms per call for 64 to 64,000 elements
 * on wasm and cpu, and the ratio composed/fused. The fused column is timed with the kernel
 * called directly, also above the size where `lgamma` hands over to the composition on wasm.
 *
 * Run: `npx tsx bench/lgamma.ts`. Results: bench/RESULTS.md ("Host-loop kernels ...").
 */
import { tf, initEngine } from "../core/engine.js";
import { SPECIAL_UNARY } from "../core/fused-special.js";
import { lgammaComposed } from "../core/special-gamma.js";
import { lcg } from "../core/kernels/testing.js";
import { bestOfAlternating, kernelsAndMs } from "./timing.js";

type Unary = (x: tf.Tensor) => tf.Tensor;
const fused: Unary = (x) => tf.engine().runKernel(SPECIAL_UNARY, { x }, { fn: "lgamma" }) as tf.Tensor;
const measure = (f: Unary, x: tf.Tensor) => kernelsAndMs(() => tf.tidy(() => void tf.grad((v: tf.Tensor) => tf.sum(f(v)))(x).dataSync()));

console.log("| backend | elements | kernels fused | kernels composed | fused (ms) | composed (ms) | composed/fused |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const backend of ["wasm", "cpu"] as const) {
  await initEngine(backend);
  for (const n of [64, 2048, 8000, 64000]) {
    const x = tf.tensor1d(Array.from(lcg(n, 3), (u) => 0.1 + 20 * Math.abs(u)));
    const [a, b] = await bestOfAlternating(() => measure(fused, x), () => measure(lgammaComposed, x));
    console.log(`| ${backend} | ${n} | ${a.kernels} | ${b.kernels} | ${a.ms.toFixed(3)} | ${b.ms.toFixed(3)} | ${(b.ms / a.ms).toFixed(1)} |`);
    x.dispose();
  }
}
