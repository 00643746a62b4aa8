/**
 * `UnsortedSegmentSum` for tfjs-backend-wasm 4.22.0, composed from `ScatterNd`.
 *
 * Defect of the stock backend (regression test in unsorted-segment-sum.test.ts): the kernel
 * is not registered, and the gradient of `tf.gather` is an unsorted segment sum, so
 * differentiating any indexing of a parameter (`mu[group]` in a hierarchical model, an
 * embedding lookup) throws "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'".
 *
 * out[s, ...] = Σ_{k : ids[k] = s} x[k, ...] for s in [0, numSegments); ids outside that
 * range are dropped (TensorFlow's rule). `ScatterNd` adds the updates of repeated indices.
 */
import type { KernelFunc } from "./compose.js";
import { compose } from "./compose.js";

interface Readable {
  readSync(dataId: object): ArrayLike<number>;
}

/** The replacement kernel; x `[...ids.shape, ...rest]` → `[numSegments, ...rest]`. */
export function unsortedSegmentSumFix(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const x = inputs["x"]!;
    const ids = inputs["segmentIds"]!;
    const numSegments = attrs["numSegments"] as number;
    const m = ids.shape.reduce((p, d) => p * d, 1);
    const rest = x.shape.slice(ids.shape.length);
    // The ids are a small int32 vector; reading them is a view of the wasm heap.
    const idValues = (backend as Readable).readSync(ids.dataId);
    const keep: number[] = [];
    for (let k = 0; k < m; k++) {
      const s = idValues[k]!;
      if (s >= 0 && s < numSegments) keep.push(k);
    }
    return compose(backend, backendName, (c) => {
      const outShape = [numSegments, ...rest];
      if (keep.length === 0 || rest.some((d) => d === 0)) return c.fill(outShape, 0, x.dtype);
      let rows = c.reshape(x, [m, ...rest]);
      let idx = c.reshape(ids, [m, 1]);
      if (keep.length < m) {
        const where = c.values([keep.length], "int32", keep);
        rows = c.run("GatherV2", { x: rows, indices: where }, { axis: 0, batchDims: 0 });
        idx = c.run("GatherV2", { x: idx, indices: where }, { axis: 0, batchDims: 0 });
      }
      return c.run("ScatterNd", { indices: idx, updates: rows }, { shape: outShape });
    });
  };
}
