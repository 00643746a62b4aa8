/**
 * Cost of one log density and one gradient of each posteriordb posterior, as the sampler sees
 * it (4 chains, the interpreter's PosteriorModel): kernels per forward evaluation, kernels
 * per value-and-gradient, and median ms per gradient (with a host read of the gradient, as a
 * sampler does). One call is made before anything is counted, so that per-instance caches
 * (interpreter/constant-cache.ts, value-only terms of observed data) are filled, as they are
 * after the first leapfrog step of a run.
 *
 * Run: `npx tsx bench/posteriordb/grad-cost.ts [name-fragment ...] [--hist]`: every posterior,
 * or those whose name contains a fragment; `--hist` adds the forward pass's kernel histogram.
 * Results: bench/RESULTS.md ("Data-only work folded out of the log density").
 */
import { tf, initEngine } from "../../core/engine.js";
import { msPerCall } from "../timing.js";
import { dataAvailable, gradientProbe, posteriorNames } from "./posteriors.js";

const CHAINS = 4;

await initEngine();
if (!dataAvailable()) {
  console.log("posteriordb data not found (set POSTERIORDB_DIR)");
  process.exit(0);
}
const args = process.argv.slice(2);
const hist = args.includes("--hist");
const want = args.filter((a) => a !== "--hist");
console.log(`${"posterior".padEnd(50)} ${"dim".padStart(4)} ${"fwd".padStart(5)} ${"grad".padStart(5)} ${"ms/grad".padStart(8)}`);
for (const name of posteriorNames()) {
  if (want.length > 0 && !want.some((w) => name.includes(w))) continue;
  const { model: m, q, gradient } = gradientProbe(name, CHAINS);
  const f = (x: tf.Tensor2D): tf.Tensor1D => m.logDensity(x);
  gradient(); // fills the per-instance caches
  // tf.profile hands back one shared record that the next profile overwrites: copy what is needed.
  const fwdKernels = (await tf.profile(() => { f(q).dispose(); })).kernels.map((k) => k.name);
  const gradCount = (await tf.profile(gradient)).kernels.length;
  const ms = msPerCall(gradient, 500, 10);
  console.log(`${name.padEnd(50)} ${String(m.dim).padStart(4)} ${String(fwdKernels.length).padStart(5)} ${String(gradCount).padStart(5)} ${ms.toFixed(2).padStart(8)}`);
  if (hist) {
    const counts = new Map<string, number>();
    for (const k of fwdKernels) counts.set(k, (counts.get(k) ?? 0) + 1);
    console.log("  " + [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", "));
  }
  q.dispose();
}
