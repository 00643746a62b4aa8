import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { adagrad, adam, adamw, disposeOptimiserState, globalNorm, rmsprop, sgd, type Optimiser, type OptimiserState } from "./optimisers.js";
import { disposeParams, walkParams, type ParamTree } from "./tree.js";

const G1 = [0.5, -3.0];
const G2 = [1.0, 1.0];

/** Run `opt` from θ = [1, −2] over the given gradients; return θ. */
function run(opt: Optimiser, grads: number[][]): number[] {
  let params: tf.Tensor = tf.tensor1d([1, -2]);
  let state = opt.init(params);
  for (const g of grads) {
    const gt = tf.tensor1d(g);
    const next = opt.step(state, params, gt);
    disposeOptimiserState(state);
    params.dispose();
    gt.dispose();
    ({ params, state } = next);
  }
  const out = Array.from(params.dataSync());
  params.dispose();
  disposeOptimiserState(state);
  return out;
}

describe("single steps against hand computation", () => {
  // Expected values computed offline in float64 with numpy from the update formulas in the
  // doc comments (Kingma & Ba 2015 Alg. 1; PyTorch's momentum, Nesterov and AdamW forms).
  const cases: { name: string; opt: Optimiser; grads: number[][]; expected: number[] }[] = [
    { name: "Adam, one step (≈ lr·sign g)", opt: adam(0.1), grads: [G1], expected: [0.900000002, -1.9000000003333333] },
    { name: "Adam, two steps", opt: adam(0.1), grads: [G1, G2], expected: [0.8034818006385094, -1.8599781433169098] },
    { name: "Adam with coupled weight decay", opt: adam(0.1, { weightDecay: 0.1 }), grads: [G1], expected: [0.9000000016666666, -1.9000000003125] },
    { name: "AdamW (decoupled decay)", opt: adamw(0.1, 0.1), grads: [G1], expected: [0.890000002, -1.8800000003333333] },
    { name: "RMSProp, two steps", opt: rmsprop(0.01), grads: [G1, G2], expected: [0.939805797643214, -1.9788600719889786] },
    { name: "SGD with momentum, two steps", opt: sgd(0.1, { momentum: 0.9 }), grads: [G1, G2], expected: [0.805, -1.53] },
    { name: "SGD with Nesterov momentum, two steps", opt: sgd(0.1, { momentum: 0.9, nesterov: true }), grads: [G1, G2], expected: [0.6745, -1.377] },
    // Clipping: ‖(3, 4)‖ = 5 → (0.6, 0.8); one plain step of size 1.
    { name: "SGD with clipping by global norm", opt: sgd(1, { clipNorm: 1 }), grads: [[3, 4]], expected: [0.4, -2.8] },
    { name: "clipping leaves small gradients alone", opt: sgd(1, { clipNorm: 10 }), grads: [[3, 4]], expected: [-2, -6] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = run(c.opt, c.grads);
      got.forEach((v, i) => expect(Math.abs(v - c.expected[i]!)).toBeLessThan(2e-6));
    });
  }

  it("global norm over a tree", () => {
    const g: ParamTree = { a: tf.tensor1d([3]), b: { c: tf.tensor2d([[4, 12]]) } };
    expect(globalNorm(g).dataSync()[0]).toBeCloseTo(13, 5);
  });
});

describe("minimising a quadratic over a parameter tree", () => {
  // f(θ) = ½ Σ aᵢ (θᵢ − cᵢ)², minimum at c, gradient a ⊙ (θ − c).
  const a = tf.tensor1d([1, 4, 0.25, 2, 0.5]);
  const c = tf.tensor1d([1, -2, 3, 0.5, -1]);
  const toTree = (t: tf.Tensor): ParamTree => ({ w: tf.slice(t, [0], [3]), layer: { b: tf.slice(t, [3], [2]) } });
  const fromTree = (p: ParamTree): tf.Tensor => tf.concat(walkParams(p).map((e) => e.tensor));

  function minimise(opt: Optimiser, steps: number): { theta: number[]; leaked: number } {
    let params: ParamTree = toTree(tf.zeros([5]));
    let state: OptimiserState = opt.init(params);
    const before = tf.memory().numTensors;
    for (let i = 0; i < steps; i++) {
      const current = params;
      const grads = tf.tidy(() => toTree(tf.mul(a, tf.sub(fromTree(current), c))));
      const next = opt.step(state, current, grads);
      disposeOptimiserState(state);
      disposeParams(current);
      disposeParams(grads);
      ({ params, state } = next);
    }
    const leaked = tf.memory().numTensors - before;
    const final = params;
    const theta = Array.from(tf.tidy(() => fromTree(final)).dataSync());
    disposeParams(final);
    disposeOptimiserState(state);
    return { theta, leaked };
  }

  const minimum = Array.from(c.dataSync());
  for (const [name, opt, steps, tol] of [
    ["Adam", adam(0.1), 500, 1e-3],
    ["SGD", sgd(0.2), 300, 1e-4],
    ["SGD + Nesterov", sgd(0.05, { momentum: 0.9, nesterov: true }), 400, 1e-4],
    ["AdaGrad, η = 0.5", adagrad(0.5), 300, 1e-4],
    // Flux's default: the step shrinks like η/√t, so from 3 away it takes a while
    ["AdaGrad, η = 0.1", adagrad(0.1), 2500, 1e-3],
  ] as const) {
    it(`${name} reaches the minimum and leaks no tensors`, () => {
      const { theta, leaked } = minimise(opt, steps);
      theta.forEach((v, i) => expect(Math.abs(v - minimum[i]!)).toBeLessThan(tol));
      expect(leaked).toBe(0);
    });
  }

  it("100 Adam steps leave the tensor count flat", () => {
    expect(minimise(adam(0.01, { clipNorm: 1, weightDecay: 1e-3 }), 100).leaked).toBe(0);
  });
});
