/**
 * The IR's fused log-density op on tfjs: the elementwise log densities of a family
 * (core/ir/families.ts, the one float64 definition with its partials) over the broadcast of
 * its argument tensors, as one differentiable tfjs op. The values and partials are computed
 * in one float64 loop on the host from the arguments' float32 data, so the tfjs executor and
 * the host executor score with the same definition; the backward pass scales the saved
 * partials by the incoming gradient and sums them back over each argument's broadcast axes.
 *
 * The data are read synchronously: on cpu and wasm the tensors live in host memory already;
 * on a GPU backend this is a device→host copy per call, the price of one definition.
 */
import { tf } from "../../engine.js";
import { broadcastShapesOrThrow } from "../../broadcast.js";
import { broadcastOffsets } from "../../fused-logpdf-host.js";
import { FAMILIES, type FamilyName } from "../../ir/families.js";
import { familyLoop } from "../../ir/families-compile.js";

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * log p(args[0] | args[1..]) elementwise over the arguments' broadcast shape (the value-only
 * terms included), differentiable in the arguments `wanted` marks (default all; the others,
 * data, get a zero gradient without a pass over their elements). The arguments are cast to
 * float32.
 */
export function familyLogDensity(family: FamilyName, args: readonly tf.Tensor[], wanted: readonly boolean[] = args.map(() => true)): tf.Tensor {
  const f = FAMILIES[family];
  if (args.length !== f.arity) throw new RangeError(`${family} takes ${f.arity} arguments, got ${args.length}`);
  const floats = args.map((a) => (a.dtype === "float32" ? a : tf.cast(a, "float32")));
  const shape = broadcastShapesOrThrow(floats.map((a) => a.shape));
  const n = size(shape);
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = inputs.slice(0, args.length) as tf.Tensor[];
    const data = xs.map((x) => x.dataSync());
    const maps = xs.map((x) => broadcastOffsets(shape, x.shape));
    const partials = xs.map((_, j) => (wanted[j] === true ? new Float64Array(n) : undefined));
    const out = new Float32Array(n);
    familyLoop(family, wanted)(n, data, maps, partials, out);
    return {
      value: tf.tensor(out, shape),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        return xs.map((x, j) => {
          const p = partials[j];
          if (p === undefined) return tf.zeros(x.shape);
          const acc = new Float64Array(size(x.shape));
          const map = maps[j];
          if (acc.length === 1) {
            let s = 0;
            for (let i = 0; i < n; i++) s += g[i]! * p[i]!;
            acc[0] = s;
          } else for (let i = 0; i < n; i++) acc[map?.[i] ?? i]! += g[i]! * p[i]!;
          return tf.tensor(Float32Array.from(acc), x.shape);
        });
      },
    };
  });
  return op(...floats);
}
