// The fused update (one kernel over every tensor: core/kernels/optimiser-step.ts, in C with the
// native accelerator and in JavaScript without) against the per-tensor tfjs ops (`fused:
// false`) for every optimiser, with clipping and weight decay, on wasm and cpu: equal to
// float32 rounding in parameters and slots over several steps with a learning-rate schedule.
import { describe, expect, it } from "vitest";
import { tf, initEngine } from "../core/engine.js";
import { withoutNative } from "../core/kernels/native.js";
import { lcg } from "../core/kernels/testing.js";
import { adagrad, adam, adamw, disposeOptimiserState, rmsprop, sgd, type CommonOptions, type Optimiser, type OptimiserState } from "./optimisers.js";
import { disposeParams, walkParams, type ParamTree } from "./tree.js";

const SHAPES = [[7, 5], [5], [3, 2, 2]];

const tree = (seed: number, scale = 1): ParamTree =>
  tf.tidy(() => ({
    w: tf.mul(tf.tensor(lcg(35, seed), SHAPES[0]), scale),
    b: tf.mul(tf.tensor(lcg(5, seed + 1), SHAPES[1]), scale),
    inner: { k: tf.mul(tf.tensor(lcg(12, seed + 2), SHAPES[2]), scale) },
  }));

const values = (p: ParamTree | tf.Tensor): number[][] => walkParams(p as ParamTree).map((e) => Array.from(e.tensor.dataSync()));

/** Parameters and every slot after three steps (gradients of growing size, a schedule factor on the last). */
function run(opt: Optimiser): number[][] {
  let params = tree(1);
  let state: OptimiserState = opt.init(params);
  for (let s = 0; s < 3; s++) {
    const grads = tree(10 + s, 1 + 2 * s);
    const next = opt.step(state, params, grads, s === 2 ? 0.5 : 1);
    disposeParams(params);
    disposeParams(grads);
    disposeOptimiserState(state);
    ({ params, state } = next);
  }
  const out = [...values(params), ...Object.values(state.slots).flatMap(values)];
  disposeParams(params);
  disposeOptimiserState(state);
  return out;
}

const OPTIMISERS: [string, (o: CommonOptions) => Optimiser][] = [
  ["Adam", (o) => adam(0.1, o)],
  ["AdamW", (o) => adamw(0.1, 0.05, o)],
  ["RMSProp", (o) => rmsprop(0.01, o)],
  ["Momentum", (o) => sgd(0.1, { ...o, momentum: 0.9 })],
  ["Nesterov", (o) => sgd(0.1, { ...o, momentum: 0.9, nesterov: true })],
  ["AdaGrad", (o) => adagrad(0.1, o)],
  ["Descent", (o) => sgd(0.1, o)],
];
const OPTIONS: [string, CommonOptions][] = [
  ["", {}],
  [" with clip_value, clip_norm and weight decay", { clipValue: 0.8, clipNorm: 2, weightDecay: 0.01 }],
];

/** Largest |a − b| / (1e-6 + |b|) over matching entries (b the reference); float32 chains of a dozen ops over three steps stay below 1e-5. */
function worst(a: number[][], b: number[][]): number {
  let w = 0;
  a.forEach((xs, i) => xs.forEach((x, j) => (w = Math.max(w, Math.abs(x - b[i]![j]!) / (1e-6 + Math.abs(b[i]![j]!))))));
  return w;
}

describe("the fused optimiser update equals the per-tensor ops", () => {
  for (const backend of ["wasm", "cpu"] as const) {
    it(`every optimiser on ${backend}, native and JavaScript loops`, async () => {
      await initEngine(backend);
      for (const [name, make] of OPTIMISERS) {
        for (const [what, o] of OPTIONS) {
          const reference = run(make({ ...o, fused: false }));
          const fused = run(make(o));
          const js = withoutNative(backend, () => run(make(o)));
          expect(fused.length, name).toBe(reference.length);
          expect(worst(fused, reference), `${name}${what}`).toBeLessThan(1e-5);
          expect(worst(js, reference), `${name}${what}, JavaScript loop`).toBeLessThan(1e-5);
          // The steps moved the parameters (a rule that did nothing would agree with itself too).
          expect(Math.abs(reference[0]![0]! - lcg(35, 1)[0]!)).toBeGreaterThan(1e-4);
        }
      }
    });
  }

  it("leaves no tensors behind", async () => {
    await initEngine("wasm");
    run(adam(0.1));
    const before = tf.memory().numTensors;
    run(adam(0.1, { clipNorm: 1 }));
    expect(tf.memory().numTensors).toBe(before);
  });
});
