/**
 * The interval transform of a latent with literal bounds, as the scorer takes it
 * (interpreter/handlers.ts): x and Σ log|J| per chain, differentiated, by the fused kernel
 * (core/fused-interval.ts) against the op-composed bijector (distributions/bijectors.ts,
 * `forward` + `logDetJacobian` + a row sum), the baseline, in the same run. Prints kernels
 * per value-and-gradient and median ms per call at 4 chains for 1 to 500 elements per chain,
 * on wasm and cpu, and the ratio composed/fused.
 *
 * Run: `npx tsx bench/interval-transform.ts`. Results: bench/RESULTS.md ("Fused interval transform").
 */
import { tf, initEngine } from "../core/engine.js";
import { valueAndGrad } from "../core/autodiff.js";
import { bijectorFor } from "../distributions/bijectors.js";
import { lcg } from "../core/kernels/testing.js";
import { bestOfAlternating, kernelsAndMs } from "./timing.js";

const CHAINS = 4;
const bij = bijectorFor({ kind: "interval", lower: -10, upper: 10 });

type Transform = (y: tf.Tensor2D) => tf.Tensor1D;
const fused: Transform = (y) => {
  const { x, logDetSum } = bij.forwardWithLogDetSum!(y)!;
  return tf.add(tf.sum(x, 1), logDetSum);
};
const composed: Transform = (y) => tf.add(tf.sum(bij.forward(y), 1), tf.sum(bij.logDetJacobian(y), 1));

const measure = (f: Transform, y: tf.Tensor2D) =>
  kernelsAndMs(() => {
    const { value, grad } = valueAndGrad(f, y);
    tf.dispose([value, grad]);
  });

console.log("| backend | elements per chain | kernels fused | kernels composed | fused (ms) | composed (ms) | composed/fused |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const backend of ["wasm", "cpu"] as const) {
  await initEngine(backend);
  for (const per of [1, 10, 100, 500]) {
    const y = tf.tensor2d(Array.from(lcg(CHAINS * per, 3), (u) => 3 * u), [CHAINS, per]);
    const [a, b] = await bestOfAlternating(() => measure(fused, y), () => measure(composed, y));
    console.log(`| ${backend} | ${per} | ${a.kernels} | ${b.kernels} | ${a.ms.toFixed(3)} | ${b.ms.toFixed(3)} | ${(b.ms / a.ms).toFixed(1)} |`);
    y.dispose();
  }
}
