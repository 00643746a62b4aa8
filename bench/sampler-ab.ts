/**
 * The sampler of this tree against the one of a baseline tree, interleaved in one process, on
 * the host engine (CPU time per gradient call over whole 4-chain runs, medians of 7):
 *
 *   git archive <rev> | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/node_modules
 *   npx tsx bench/sampler-ab.ts /tmp/base [posterior]
 *
 * Both run in this thread (DLM_WORKERS=0 is set here), so the figure is the sampler's own cost.
 */
process.env.DLM_WORKERS = "0";
import { initEngine } from "../core/engine.js";
import { sample } from "../inference/mcmc/index.js";
import { posteriorModel } from "../interpreter/instance.js";
import { instantiatePosterior, loadPosterior } from "./posteriordb/posteriors.js";
await initEngine();
const base = process.argv[2]!;
const name = process.argv[3] ?? "eight_schools-eight_schools_noncentered";
const B = {
  sample: (await import(`${base}/inference/mcmc/index.ts`)).sample,
  posteriorModel: (await import(`${base}/interpreter/instance.ts`)).posteriorModel,
  inst: (await import(`${base}/bench/posteriordb/posteriors.ts`)),
};
const mNew = posteriorModel(instantiatePosterior(loadPosterior(name)), { engine: "host" });
const mOld = B.posteriorModel(B.inst.instantiatePosterior(B.inst.loadPosterior(name)), { engine: "host" });
const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const res: Record<string, number[]> = { new: [], old: [] };
for (let r = 0; r < 7; r++) {
  for (const [label, f, m] of [["old", B.sample, mOld], ["new", sample, mNew]] as const) {
    const c0 = cpu();
    const out = await f(m, { chains: 4, seed: 100 + r });
    const c = cpu() - c0;
    let leaves = 0; for (const s of out.stats) leaves += s["n_leapfrog__"].reduce((a: number, b: number) => a + b, 0);
    res[label]!.push(c / (out.gradientCalls));
    if (r === 6) console.log(label, "cpu s", c.toFixed(3), "grad calls", out.gradientCalls, "leaves (sampling)", leaves);
  }
}
const med = (x: number[]): number => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
console.log(name, "µs CPU per gradient call (4 chains, whole run): old", (1e6 * med(res.old!)).toFixed(2), "new", (1e6 * med(res.new!)).toFixed(2), "ratio", (med(res.old!) / med(res.new!)).toFixed(2));
