import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { ACTIVATIONS, leakyrelu, toActivation } from "./activations.js";

// Reference values at x = [-3, -0.5, 0, 0.7, 2.5], computed offline with mpmath (30 digits)
// from the textbook formulas: elu = eˣ − 1 for x < 0; selu λ = 1.0507009873554804934,
// α = 1.6732632423543772848; gelu = x/2 (1 + tanh(√(2/π)(x + 0.044715x³))); gelu_erf =
// x/2 (1 + erf(x/√2)); swish = x σ(x); softplus = log(1 + eˣ); logsigmoid = log σ(x).
const X = [-3.0, -0.5, 0.0, 0.7, 2.5];
const REF: Record<string, number[]> = {
  identity: X,
  relu: [0.0, 0.0, 0.0, 0.7, 2.5],
  leakyrelu: [-0.03, -0.005, 0.0, 0.7, 2.5],
  elu: [-0.950212931632136, -0.3934693402873666, 0.0, 0.7, 2.5],
  selu: [-1.670568728767112, -0.6917581878028713, 0.0, 0.7354906911488363, 2.6267524683887014],
  gelu: [-0.003637392081773019, -0.15428599017485609, 0.0, 0.5305701347051167, 2.484915733910001],
  gelu_erf: [-0.0040496940948902835, -0.15426876936299344, 0.0, 0.5306254434438489, 2.4844758366855597],
  swish: [-0.14227761953270035, -0.18877033439907273, 0.0, 0.46773144051771626, 2.310354549946891],
  silu: [-0.14227761953270035, -0.18877033439907273, 0.0, 0.46773144051771626, 2.310354549946891],
  tanh: [-0.9950547536867305, -0.46211715726000974, 0.0, 0.6043677771171635, 0.9866142981514303],
  sigmoid: [0.04742587317756678, 0.37754066879814546, 0.5, 0.668187772168166, 0.9241418199787564],
  softplus: [0.04858735157374206, 0.4740769841801067, 0.6931471805599453, 1.103186048885458, 2.5788897342925496],
  logsigmoid: [-3.048587351573742, -0.9740769841801067, -0.6931471805599453, -0.4031860488854579, -0.07888973429254963],
};

describe("activations", () => {
  for (const [name, ref] of Object.entries(REF)) {
    it(`${name} matches the mpmath reference`, () => {
      const y = Array.from(ACTIVATIONS[name]!.fn(tf.tensor1d(X)).dataSync());
      y.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(2e-6 * (1 + Math.abs(ref[i]!))));
    });
  }

  it("softmax and logsoftmax act over the last axis (mpmath reference)", () => {
    const x = tf.tensor2d([[1, 2, 3], [-1, 0, 5]]);
    const sm = [[0.09003057317038046, 0.24472847105479764, 0.6652409557748219], [0.0024561149044509535, 0.006676412513376451, 0.9908674725821726]];
    const lsm = [[-2.40760596444438, -1.4076059644443804, -0.4076059644443803], [-6.0091744845917345, -5.0091744845917345, -0.009174484591734701]];
    const a = ACTIVATIONS["softmax"]!.fn(x).arraySync() as number[][];
    const b = ACTIVATIONS["logsoftmax"]!.fn(x).arraySync() as number[][];
    sm.forEach((row, i) => row.forEach((v, j) => expect(a[i]![j]).toBeCloseTo(v, 6)));
    lsm.forEach((row, i) => row.forEach((v, j) => expect(b[i]![j]).toBeCloseTo(v, 5)));
  });

  it("softplus stays finite and exact in the tails", () => {
    const y = Array.from(ACTIVATIONS["softplus"]!.fn(tf.tensor1d([-100, 100])).dataSync());
    expect(y[0]).toBeGreaterThanOrEqual(0);
    expect(y[0]).toBeLessThan(1e-30);
    expect(y[1]).toBeCloseTo(100, 4);
  });

  it("knows its names and rejects unknown ones", () => {
    expect(toActivation("σ")).toBe(ACTIVATIONS["sigmoid"]);
    expect(leakyrelu(0.2).name).toBe("leakyrelu(0.2)");
    expect(() => toActivation("tahn")).toThrow(/unknown activation 'tahn'.*tanh/);
  });
});
