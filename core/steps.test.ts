/**
 * Comparisons and logic as 0/1 floats with a zero gradient: their values against plain
 * JavaScript comparisons, and a gradient through them (tfjs alone throws "gradient function
 * not found") that is the derivative of the branch chosen.
 */
import { describe, expect, it } from "vitest";
import { tf } from "./engine.js";
import * as steps from "./steps.js";

describe("core/steps", () => {
  const a = [-1, 0, 0.5, 2, NaN];
  const b = [0, 0, 1, 2, 1];
  const ref: Record<string, (x: number, y: number) => boolean> = {
    lt: (x, y) => x < y, le: (x, y) => x <= y, gt: (x, y) => x > y, ge: (x, y) => x >= y, eq: (x, y) => x === y, ne: (x, y) => x !== y,
    and: (x, y) => x !== 0 && y !== 0, or: (x, y) => x !== 0 || y !== 0,
  };
  it.each(Object.keys(ref))("%s gives 0/1 floats as JavaScript compares", (op) => {
    const f = steps[op as "lt"];
    const v = tf.tidy(() => Array.from(f(tf.tensor1d(a), tf.tensor1d(b)).dataSync()));
    expect(v).toEqual(a.map((x, i) => (ref[op]!(x, b[i]!) ? 1 : 0)));
  });

  it("a gradient through ifelse-style selection: the chosen branch's derivative, and 0 through the condition", () => {
    const x = tf.tensor1d([-2, -0.5, 0.5, 3]);
    const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.where(steps.truthMask(steps.gt(t, 0)), tf.square(t), tf.mul(t, steps.not(steps.ge(t, 0))))))(x));
    expect(Array.from(g.dataSync())).toEqual([1, 1, 1, 6]);
    tf.dispose([x, g]);
  });
});
