/**
 * Bayesian networks on the three ways to their gradient, in one process: the host executor of
 * the recorded graph (float64 generated code, one call per chain), the tfjs executor of the same
 * graph (all chains in one call) and the interpreter's own tfjs log density (nn/'s layers),
 * for a small network (the issue's 98-parameter BNN, x [200, 4]) and a wider one
 * (x [1000, 32], 64 hidden units), 4 chains per gradient as the samplers call it. CPU µs per
 * call, the three measured in alternating blocks, medians of 7. Also the auto engine's choice
 * for each (core/exec/choose.ts) and its reason.
 *
 *   npx tsx bench/bnn-executors.ts
 *
 * Results: bench/RESULTS.md ("Bayesian networks on the host engine").
 */
import { initEngine } from "../core/engine.js";
import { hostGradient } from "../inference/mcmc/index.js";
import { compile, modelInstance } from "../interpreter/program.js";
import { logDensityOf, posteriorModel } from "../interpreter/instance.js";
import { logDensityModel, type LogDensityModel } from "../core/model.js";
import { cpuMicros, median } from "./timing.js";

await initEngine();
const CHAINS = 4;

function gradientCall(model: LogDensityModel): () => void {
  const g = hostGradient(model, CHAINS);
  const q = Float64Array.from({ length: CHAINS * model.dim }, (_, i) => Math.fround(0.3 * Math.sin(i)));
  const grad = new Float64Array(CHAINS * model.dim);
  const lp = new Float64Array(CHAINS);
  return () => g.evaluate(q, lp, grad);
}

const CASES = [
  { name: "BNN x [200, 4], Dense(4 => 16, tanh), Dense(16 => 1) (98 parameters)", n: 200, d: 4, h: 16 },
  { name: "BNN x [1000, 32], Dense(32 => 64, tanh), Dense(64 => 1) (2,178 parameters)", n: 1000, d: 32, h: 64 },
];

for (const c of CASES) {
  const src = `model bnn(x, y) {\n  net = Chain(Dense(${c.d} => ${c.h}, tanh), Dense(${c.h} => 1))\n  params(net) ~ Normal(0, 1)\n  sigma ~ HalfNormal(1)\n  y ~ Normal(net(x)[:, 1], sigma)\n}\n`;
  const x = Array.from({ length: c.n }, (_, i) => Array.from({ length: c.d }, (_, j) => Math.sin(0.37 * i + 1.3 * j)));
  const y = x.map((r) => Math.tanh(r[0]! - r[1]!) + 0.1 * Math.cos(r.length));
  const inst = modelInstance(compile(src, "bnn.dlm"), "bnn", { x, y });
  let note = "";
  const auto = posteriorModel(inst, { engine: "auto", chains: CHAINS, note: (l) => (note = l) });
  const calls = {
    host: gradientCall(posteriorModel(inst, { engine: "host" })),
    "tfjs executor": gradientCall(posteriorModel(inst, { engine: "tfjs" })),
    interpreter: gradientCall(logDensityModel(inst.layout.dim, (q) => logDensityOf(inst, q))),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(calls).map((k) => [k, []]));
  for (const f of Object.values(calls)) for (let i = 0; i < 3; i++) f();
  for (let round = 0; round < 7; round++) {
    for (const [k, f] of Object.entries(calls)) {
      const reps = k === "host" ? 50 : 10;
      const t0 = cpuMicros();
      for (let i = 0; i < reps; i++) f();
      times[k]!.push((cpuMicros() - t0) / reps);
    }
  }
  const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  process.stdout.write(`${c.name}: dim ${auto.dim}; µs per gradient of ${CHAINS} chains: ` +
    Object.entries(med).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ") +
    `; interpreter / host ${(med["interpreter"]! / med["host"]!).toFixed(1)}×, tfjs executor / host ${(med["tfjs executor"]! / med["host"]!).toFixed(1)}×; auto: ${note}\n`);
}
