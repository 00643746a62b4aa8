/**
 * A loop as fast as its vectorised form (issue 15): an AR(1) with T = 200 written three ways
 *
 *   loop   for t in 2:T { y[t] ~ Normal(c + phi * y[t - 1], sigma) }
 *   mean   mu[t] = c + phi * y[t - 1] in a loop, then y[2:T] ~ Normal(mu[2:T], sigma)
 *   slice  y[2:T] ~ Normal(c + phi * y[1:T-1], sigma)
 *
 * µs of CPU time per gradient call (4 chains, as the samplers call it) on the host engine and
 * on tfjs, alternating blocks, medians; then NUTS (4 chains × 1,000 + 1,000, seed 4711) on the
 * host engine for each form: CPU seconds of the run.
 *
 *   npx tsx bench/ar1-loop.ts
 *
 * Results: bench/RESULTS.md ("Host engine").
 */
import { initEngine } from "../core/engine.js";
import type { PosteriorModel } from "../core/model.js";
import { hostGradient, sample } from "../inference/mcmc/index.js";
import { posteriorModel } from "../interpreter/instance.js";
import { compile, modelInstance } from "../interpreter/program.js";
import { cpuMicros, median } from "./timing.js";

const T = 200;
const CHAINS = 4;
const y: number[] = [0];
for (let t = 1; t < T; t++) y.push(0.3 + 0.7 * y[t - 1]! + 0.5 * Math.sin(t * 12.9898));
const head = "model ar1(T, y) {\n  c ~ Normal(0, 1)\n  phi ~ Uniform(-1, 1)\n  sigma ~ HalfNormal(1)\n";
const FORMS: Record<string, string> = {
  loop: `${head}  for t in 2:T {\n    y[t] ~ Normal(c + phi * y[t - 1], sigma)\n  }\n}`,
  mean: `${head}  mu = zeros(T)\n  for t in 2:T {\n    mu[t] = c + phi * y[t - 1]\n  }\n  y[2:T] ~ Normal(mu[2:T], sigma)\n}`,
  slice: `${head}  y[2:T] ~ Normal(c + phi * y[1:T-1], sigma)\n}`,
};

function call(model: PosteriorModel): () => void {
  const g = hostGradient(model, CHAINS);
  const q = Float64Array.from({ length: CHAINS * model.dim }, (_, i) => Math.fround(0.3 * Math.sin(i)));
  const lp = new Float64Array(CHAINS);
  const grad = new Float64Array(CHAINS * model.dim);
  return () => g.evaluate(q, lp, grad);
}

function block(f: () => void, calls: number): number {
  const t0 = cpuMicros();
  for (let i = 0; i < calls; i++) f();
  return (cpuMicros() - t0) / calls;
}

await initEngine();
const models = Object.entries(FORMS).map(([name, src]) => {
  const inst = modelInstance(compile(src), "ar1", { T, y });
  return { name, host: posteriorModel(inst, { engine: "host" }), tfjs: posteriorModel(inst, { engine: "tfjs" }) };
});
const calls = { host: 2000, tfjs: 3 };
const times = new Map<string, number[]>();
for (let round = 0; round < 7; round++) {
  for (const m of models) {
    for (const engine of ["host", "tfjs"] as const) {
      const key = `${m.name}/${engine}`;
      const f = call(m[engine]);
      if (round === 0) f();
      times.set(key, [...(times.get(key) ?? []), block(f, calls[engine])]);
    }
  }
}
console.log(`\nAR(1), T = ${T}: µs of CPU time per gradient call (${CHAINS} chains), medians of 7 alternating blocks\n`);
console.log("| form | host µs | tfjs µs | host / host(slice) | tfjs / tfjs(slice) |");
console.log("|---|---:|---:|---:|---:|");
const med = (k: string): number => median(times.get(k)!);
for (const m of models) {
  console.log(`| ${m.name} | ${med(`${m.name}/host`).toFixed(2)} | ${med(`${m.name}/tfjs`).toFixed(0)} | ${(med(`${m.name}/host`) / med("slice/host")).toFixed(2)} | ${(med(`${m.name}/tfjs`) / med("slice/tfjs")).toFixed(1)} |`);
}
console.log(`\nNUTS on the host engine, ${CHAINS} chains × 1,000 + 1,000, seed 4711, medians of 3 alternating runs\n`);
console.log("| form | CPU s | sampling s (wall) |");
console.log("|---|---:|---:|");
const runs = new Map<string, { cpu: number; wall: number }[]>();
for (let round = 0; round < 3; round++) {
  for (const m of models) {
    const c0 = cpuMicros();
    const r = await sample(m.host, { chains: CHAINS, warmup: 1000, draws: 1000, seed: 4711 });
    runs.set(m.name, [...(runs.get(m.name) ?? []), { cpu: (cpuMicros() - c0) / 1e6, wall: r.seconds.sampling }]);
  }
}
for (const m of models) {
  const rs = runs.get(m.name)!;
  console.log(`| ${m.name} | ${median(rs.map((r) => r.cpu)).toFixed(2)} | ${median(rs.map((r) => r.wall)).toFixed(2)} |`);
}
