// Regression tests for the corrected broadcast gradients (broadcast-grads.ts). Reference: the
// analytic derivatives, summed over the broadcast axis on the host in float64.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "../engine.js";
import { lcg, onBackend } from "./testing.js";

const [n, k] = [4, 5];
const A = lcg(n * k, 1);
const B = lcg(k, 2);
const C = lcg(n * k, 3);

/** Analytic ∂/∂a and ∂/∂b of Σ c ⊙ op(a, b) with b `[k]` broadcast over the rows of a `[n, k]`. */
function expected(dOp: (a: number, b: number) => [number, number]): [number[], number[]] {
  const ga = new Array<number>(n * k).fill(0);
  const gb = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const [da, db] = dOp(A[i * k + j]!, B[j]!);
      ga[i * k + j] = C[i * k + j]! * da;
      gb[j]! += C[i * k + j]! * db;
    }
  }
  return [ga, gb];
}

const cases: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (a: number, b: number) => [number, number]][] = [
  ["squaredDifference", tf.squaredDifference, (a, b) => [2 * (a - b), -2 * (a - b)]],
  ["maximum", tf.maximum, (a, b) => (a >= b ? [1, 0] : [0, 1])],
  ["minimum", tf.minimum, (a, b) => (a <= b ? [1, 0] : [0, 1])],
];

afterAll(async () => {
  await initEngine("wasm");
});

describe("gradients of broadcasting binary ops", () => {
  for (const backend of ["wasm", "cpu"] as const) {
    for (const [name, op, dOp] of cases) {
      it(`${name}: both operands' gradients, b broadcast over rows (${backend})`, async () => {
        const [ga, gb] = await onBackend(backend, () =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a, b), tf.tensor2d(C, [n, k]))))([tf.tensor2d(A, [n, k]), tf.tensor1d(B)]),
        );
        const [ea, eb] = expected(dOp);
        expect(ga!.length).toBe(n * k);
        expect(gb!.length).toBe(k);
        ea.forEach((v, i) => expect(ga![i]).toBeCloseTo(v, 5));
        eb.forEach((v, i) => expect(gb![i]).toBeCloseTo(v, 5));
      });
    }
  }

  it("a scalar operand gets a scalar gradient", async () => {
    const [, gs] = await onBackend("wasm", () =>
      tf.grads((a: tf.Tensor, s: tf.Tensor) => tf.sum(tf.squaredDifference(a, s)))([tf.tensor1d([1, 2, 4]), tf.scalar(2)]),
    );
    // ∂/∂s Σ (a_i − s)² = −2 Σ (a_i − s) = −2 (−1 + 0 + 2) = −2
    expect(Array.from(gs!)).toEqual([-2]);
  });
});
