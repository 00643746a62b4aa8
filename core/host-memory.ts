/**
 * The float32 buffers of the backends that keep them in host memory (cpu: JS typed arrays;
 * wasm: the module's heap), which host-loop kernels read and write in place instead of
 * launching one backend kernel per elementwise step.
 *
 * It imports no TensorFlow.js: it is part of the engine layer (kernels/).
 */
import { sizeOf } from "./broadcast.js";
import type { Info } from "./kernels/compose.js";

/** Float32 buffers of a host-memory backend. */
export interface HostMemory {
  /** A view of a float32 buffer; on wasm it is invalid after the next allocation (the heap may grow). */
  readonly view: (info: Info) => Float32Array;
  readonly alloc: (shape: readonly number[]) => Info;
  readonly free: (info: Info) => void;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: "float32"): Info;
  typedArrayFromHeap(info: Info): Float32Array;
  disposeData(dataId: object): boolean;
}
interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } | undefined };
  makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): Info;
  disposeData(dataId: object): boolean;
}

/** Whether `backendName` keeps its buffers in host memory (the host loops apply). */
export const isHostBackend = (backendName: string): boolean => backendName === "cpu" || backendName === "wasm";

export function hostMemory(backend: object, backendName: string): HostMemory {
  if (backendName === "wasm") {
    const be = backend as WasmBackend;
    return {
      view: (info) => be.typedArrayFromHeap(info),
      alloc: (shape) => be.makeOutput([...shape], "float32"),
      free: (info) => void be.disposeData(info.dataId),
    };
  }
  const be = backend as CpuBackend;
  return {
    view: (info) => {
      const values = be.data.get(info.dataId)!.values;
      // Our outputs are always Float32Arrays; an input held as another array type is only read.
      return values instanceof Float32Array ? values : Float32Array.from(values);
    },
    alloc: (shape) => be.makeTensorInfo([...shape], "float32", new Float32Array(sizeOf(shape))),
    free: (info) => void be.disposeData(info.dataId),
  };
}

