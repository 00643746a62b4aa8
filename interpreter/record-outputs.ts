/**
 * A model's outputs (constrained latents and recorded quantities, as outputsOf in
 * instance.ts) computed by the host engine in float64, for instances the host engine samples:
 * a quantity that only float64 resolves (a Cholesky factor of a kernel matrix with a 1e-10
 * jitter) is then finite in the draws as it was in the log density.
 *
 * The recorded graph of the instance gets one more parameter block w (one entry per output
 * scalar) and the output Σ w_j·out_j; its gradient by w at w = 0 is the outputs themselves,
 * so the one compiled value-and-gradient function of the host engine gives them, exactly.
 *
 * A recorded quantity is, as the evaluator records it, the value of its last assignment by a
 * top-level statement of the model body (one inside a loop or an `if` does not count). Where
 * the recorder cannot give every output (the instance does not record), the tfjs outputs are
 * used.
 */
import type { tf } from "../core/engine.js";
import { compileHost } from "../core/exec/host/compile.js";
import { sizeOf } from "../core/ir/graph.js";
import type { ModelInstance } from "./instance.js";
import { columnMajorOrder } from "./names.js";
import { recordInstance } from "./record.js";

type Outputs = (q: tf.Tensor2D) => number[][];

/** The host form of outputsOf for `inst`, or undefined where the recorder cannot give every output. */
export function hostOutputs(inst: ModelInstance): Outputs | undefined {
  let rec: ReturnType<typeof recordInstance>;
  try {
    rec = recordInstance(inst);
  } catch {
    return undefined;
  }
  const g = rec.graph;
  const dim = inst.layout.dim;
  const parts: number[] = [];
  for (const { name, shape } of [...inst.latents, ...inst.records]) {
    const node = rec.assigned.get(name);
    const size = sizeOf(shape);
    if (node === undefined || sizeOf(g.shape(node)) !== size) return undefined;
    // Stan's order of the scalars (column-major), as outputsOf
    parts.push(g.take(node, Int32Array.from(columnMajorOrder(shape)), [size]));
  }
  const n = parts.reduce((s, p) => s + sizeOf(g.shape(p)), 0);
  if (n === 0) return (q) => Array.from({ length: q.shape[0] }, () => []);
  const w = g.param(dim, [n]);
  const { valueAndGrad } = compileHost(g, g.sum(g.binary("mul", w, g.concat(parts, [n]))));
  return (q) => {
    const [rows, d] = q.shape;
    if (d !== dim) throw new RangeError(`expected rows of ${dim} positions, got ${d}`);
    const data = q.dataSync();
    const theta = new Float64Array(dim + n);
    const grad = new Float64Array(dim + n);
    return Array.from({ length: rows }, (_, i) => {
      for (let j = 0; j < dim; j++) theta[j] = data[i * dim + j]!;
      valueAndGrad(theta, grad);
      return Array.from(grad.subarray(dim));
    });
  };
}

/** `hostOutputs(inst)`, made on first use, or `fallback` where there is none. */
export function outputsOnHost(inst: ModelInstance, fallback: Outputs): Outputs {
  let host: Outputs | null | undefined;
  return (q) => {
    if (host === undefined) host = hostOutputs(inst) ?? null;
    return host === null ? fallback(q) : host(q);
  };
}
