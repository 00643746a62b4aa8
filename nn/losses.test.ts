import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { onehot } from "./data.js";
import { binaryCrossentropy, crossentropy, huber, mae, mse } from "./losses.js";

// Reference values computed offline with numpy 2 / scipy 1.17 (scipy.special.log_softmax,
// numpy.logaddexp for the binary case) on the inputs below.
const pred = tf.tensor2d([[0.5, -1.0], [2.0, 0.3], [-0.7, 1.5]]);
const target = tf.tensor2d([[0.0, -0.5], [1.0, 2.0], [-0.2, 1.5]]);
const logits = tf.tensor2d([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0], [0.2, 0.2, 0.2], [5.0, -5.0, 0.0]]);
const labels = tf.tensor1d([2, 3, 1, 1]);

const val = (t: tf.Tensor): number => t.dataSync()[0]!;

describe("losses", () => {
  it("regression losses", () => {
    expect(val(mse(pred, target))).toBeCloseTo(0.7733333333333333, 6);
    expect(val(mae(pred, target))).toBeCloseTo(0.7, 6);
    expect(val(huber()(pred, target))).toBeCloseTo(0.34583333333333327, 6);
    expect(val(huber(0.5)(pred, target))).toBeCloseTo(0.24583333333333335, 6);
    expect(val(mse(pred, target, "sum"))).toBeCloseTo(0.7733333333333333 * 6, 5);
    expect(mse(pred, target, "none").shape).toEqual([3, 2]);
    expect(() => mse(pred, tf.zeros([3]))).toThrow(/\(3, 2\).*\(3,\)/);
  });

  it("crossentropy from logits, with 1-based labels or one-hot / soft targets", () => {
    const per = [0.4643687841079449, 0.06588390375742911, 1.0986122886681098, 0.006760443547121172];
    const got = Array.from(crossentropy(logits, labels, "none").dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(per[i]!, 5));
    expect(val(crossentropy(logits, labels))).toBeCloseTo(0.40890635502015127, 5);
    expect(val(crossentropy(logits, onehot(labels, 3)))).toBeCloseTo(0.40890635502015127, 5);
    const soft = tf.tensor2d([[0.2, 0.5, 0.3], [0, 0, 1], [1 / 3, 1 / 3, 1 / 3], [0.9, 0, 0.1]]);
    expect(val(crossentropy(logits, soft))).toBeCloseTo(0.6964063550201512, 5);
    expect(() => crossentropy(logits, tf.zeros([4, 2]))).toThrow(/labels of shape \(4,\)/);
  });

  it("binary crossentropy from logits is stable for large |z|", () => {
    const z = tf.tensor1d([-30, -1, 0, 2, 40]);
    const t = tf.tensor1d([0, 1, 1, 0, 1]);
    const ref = [9.357622968839737e-14, 1.3132616875182228, 0.6931471805599453, 2.1269280110429727, 0];
    Array.from(binaryCrossentropy(z, t, "none").dataSync()).forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-6));
    expect(val(binaryCrossentropy(z, t))).toBeCloseTo(0.8266673758242469, 5);
  });

  it("crossentropy gradient is softmax − onehot, divided by N", () => {
    const g = tf.grad((l: tf.Tensor) => crossentropy(l, labels))(logits);
    const expected = tf.div(tf.sub(tf.softmax(logits), onehot(labels, 3)), 4);
    expect(tf.max(tf.abs(tf.sub(g, expected))).dataSync()[0]).toBeLessThan(1e-6);
  });
});
