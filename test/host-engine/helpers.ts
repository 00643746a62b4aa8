/**
 * What the host-engine tests share: deterministic points, instances from source, and the
 * interpreter's tfjs log density as the reference the recorded graph is checked against.
 */
import { expect } from "vitest";
import { tf } from "../../core/engine.js";
import { compileHost } from "../../core/exec/host/compile.js";
import { recordInstance } from "../../interpreter/record.js";
import { valueAndGrad } from "../../core/autodiff.js";
import { logDensityOf, type ModelInstance } from "../../interpreter/instance.js";
import { compile, modelInstance, type DataValue } from "../../interpreter/program.js";

/** A small deterministic generator (LCG, Numerical Recipes constants), uniform on [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Float32-representable points in [-r, r)^dim (the samplers' positions are float32 too). */
export const points = (dim: number, count: number, seed: number, r = 1): Float64Array[] => {
  const next = rng(seed);
  return Array.from({ length: count }, () => Float64Array.from({ length: dim }, () => Math.fround(r * (2 * next() - 1))));
};

export const instance = (source: string, name: string, data: Record<string, DataValue>): ModelInstance => modelInstance(compile(source), name, data);

/** The interpreter's (tfjs) log density and its gradient at q. */
export function tfjsAt(inst: ModelInstance, q: Float64Array): { value: number; grad: Float32Array } {
  const x = tf.tensor2d(Float32Array.from(q), [1, q.length]);
  const r = valueAndGrad((t: tf.Tensor2D) => logDensityOf(inst, t), x);
  const out = { value: r.value.dataSync()[0]!, grad: r.grad.dataSync() as Float32Array };
  tf.dispose([x, r.value, r.grad]);
  return out;
}

/** The interpreter's (tfjs) log density at q, without a gradient. */
export function tfjsValueAt(inst: ModelInstance, q: Float64Array): number {
  return tf.tidy(() => logDensityOf(inst, tf.tensor2d(Float32Array.from(q), [1, q.length])).dataSync()[0]!);
}

/**
 * Host and tfjs agree at `count` random points: the value to the float32 rounding of a sum of
 * thousands of terms (relative 5e-6), the gradient elementwise.
 */
export function expectSameDensity(inst: ModelInstance, count = 3): void {
  const rec = recordInstance(inst);
  const { valueAndGrad: host } = compileHost(rec.graph, rec.output);
  const dim = inst.layout.dim;
  for (const q of points(dim, count, dim * 31 + 7)) {
    const grad = new Float64Array(dim);
    const value = host(q, grad);
    const ref = tfjsAt(inst, q);
    expect(Math.abs(value - ref.value)).toBeLessThan(5e-6 * Math.abs(value) + 1e-3);
    const scale = Math.max(1, ...Array.from(grad, Math.abs));
    for (let i = 0; i < dim; i++) expect(Math.abs(grad[i]! - ref.grad[i]!)).toBeLessThan(2e-5 * scale + 1e-5 * Math.abs(grad[i]!));
  }
}
