/**
 * Elementwise functions evaluated on the host in float64, for the log-CDFs whose float32
 * tensor forms would need long continued fractions (Student-t, gamma, beta: regularised
 * incomplete beta and gamma functions from core/special-host).
 *
 * Costs one device→host read per call, which is why only the log-CDFs (used by truncated(...)
 * and ordered moments) go through here, never a log density. Gradients are float64 central
 * differences with relative step 1e-6 (about 1e-8 relative accuracy, far below float32
 * rounding), so every argument, shape parameters included, is differentiable.
 */
import { tf } from "../core/engine.js";
import { broadcastShapes } from "./util.js";

const REL_STEP = 1e-6;

/** f applied elementwise to the broadcast `inputs`, differentiable in each of them. */
export function hostElementwise(f: (args: readonly number[]) => number, inputs: readonly tf.Tensor[]): tf.Tensor {
  const shape = broadcastShapes(...inputs.map((t) => t.shape));
  const evaluate = (data: readonly (Float32Array | Int32Array | Uint8Array)[], grad: number | undefined): Float32Array => {
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    const args = new Array<number>(data.length).fill(0);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < data.length; k++) args[k] = data[k]![i]!;
      if (grad === undefined) {
        out[i] = f(args);
        continue;
      }
      const v = args[grad]!;
      const h = REL_STEP * Math.max(Math.abs(v), 1e-3);
      args[grad] = v + h;
      const up = f(args);
      args[grad] = v - h;
      const down = f(args);
      const d = (up - down) / (2 * h);
      // At a support boundary one side is ±∞ (or NaN): fall back to a one-sided difference.
      out[i] = Number.isFinite(d) ? d : ((args[grad] = v), Number.isFinite(up) ? (up - f(args)) / h : (f(args) - down) / h);
    }
    return out;
  };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const ts = args.slice(0, -1) as tf.Tensor[];
    save(ts);
    return {
      value: tf.tensor(evaluate(ts.map((t) => t.dataSync()), undefined), shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const data = saved.map((t) => t.dataSync());
        return saved.map((_, k) => tf.mul(dy, tf.tensor(evaluate(data, k), shape)));
      },
    };
  });
  return tf.tidy(() => op(...inputs.map((t) => tf.broadcastTo(t, shape))));
}
