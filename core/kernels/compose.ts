/**
 * Composing a replacement kernel from other kernels of the same backend.
 *
 * A kernel function receives `TensorInfo`s (data handles, not `Tensor`s) and must return
 * `TensorInfo`s that the engine then wraps. Running `tf` ops inside it would record them on
 * an active gradient tape and register tensors with the engine, so a replacement here calls
 * the backend's registered kernel functions directly and frees every intermediate buffer
 * itself: `compose` tracks each kernel output and disposes all but the result.
 *
 * This folder imports TensorFlow.js directly rather than through `../engine.js`, because
 * `engine.ts` imports this folder (the kernels are part of the engine layer).
 */
import * as tf from "@tensorflow/tfjs";

export type Info = tf.TensorInfo;
export type KernelFunc = tf.KernelFunc;
type Attrs = NonNullable<Parameters<KernelFunc>[0]["attrs"]>;
type Inputs = Parameters<KernelFunc>[0]["inputs"];

/** The part of a backend a composition needs (every tfjs backend has these). */
interface Backend {
  disposeData(dataId: object, force?: boolean): boolean;
  /** tfjs-backend-wasm's constructor of a buffer, optionally filled from `values`. */
  makeOutput?(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: ArrayLike<number>): Info;
}

/** Kernel calls that track their outputs for disposal when the composition ends. */
export interface Composer {
  /** Run the kernel registered for this backend under `name`; the output is tracked. */
  readonly run: (name: string, inputs: Inputs, attrs?: Attrs) => Info;
  /** Run a given kernel function (e.g. a stock kernel that was replaced); tracked. */
  readonly call: (kernel: KernelFunc, inputs: Inputs, attrs?: Attrs) => Info;
  /** Like `run` for kernels with several outputs; all are tracked. */
  readonly runMany: (name: string, inputs: Inputs, attrs?: Attrs) => Info[];
  readonly reshape: (x: Info, shape: readonly number[]) => Info;
  readonly transpose: (x: Info, perm: readonly number[]) => Info;
  /** Constant padding; a negative amount crops that many elements instead. */
  readonly padOrCrop: (x: Info, amounts: readonly (readonly [number, number])[], value?: number) => Info;
  readonly slice: (x: Info, begin: readonly number[], size: readonly number[]) => Info;
  readonly concat: (xs: readonly Info[], axis: number) => Info;
  readonly fill: (shape: readonly number[], value: number, dtype?: tf.DataType) => Info;
  /** A tensor holding host `values` (backends with `makeOutput`, i.e. wasm); tracked. */
  readonly values: (shape: readonly number[], dtype: "float32" | "int32", values: readonly number[]) => Info;
}

/**
 * Run `body` with a `Composer` bound to `backend` (`backendName` names its kernels) and
 * return its result; every other kernel output made through the composer is freed, also
 * when `body` throws.
 */
export function compose(backend: object, backendName: string, body: (c: Composer) => Info): Info {
  const be = backend as Backend;
  const made: Info[] = [];
  const track = (out: Info | Info[]): Info[] => {
    const list = Array.isArray(out) ? out : [out];
    made.push(...list);
    return list;
  };
  const kernel = (name: string): KernelFunc => {
    const k = tf.getKernel(name, backendName);
    if (!k) throw new Error(`kernel '${name}' is not registered for backend '${backendName}'`);
    return k.kernelFunc;
  };
  const call = (k: KernelFunc, inputs: Inputs, attrs: Attrs = {}): Info => {
    const out = track(k({ inputs, backend, attrs }));
    if (out.length !== 1) throw new Error(`internal: expected one kernel output, got ${out.length}`);
    return out[0]!;
  };
  const run = (name: string, inputs: Inputs, attrs: Attrs = {}): Info => call(kernel(name), inputs, attrs);
  const slice = (x: Info, begin: readonly number[], size: readonly number[]): Info =>
    run("Slice", { x }, { begin: [...begin], size: [...size] });
  const c: Composer = {
    run,
    call,
    runMany: (name, inputs, attrs = {}) => track(kernel(name)({ inputs, backend, attrs })),
    reshape: (x, shape) => run("Reshape", { x }, { shape: [...shape] }),
    transpose: (x, perm) => run("Transpose", { x }, { perm: [...perm] }),
    slice,
    // tfjs passes Concat its inputs as an array, not as a named map.
    concat: (xs, axis) => run("Concat", [...xs] as unknown as Inputs, { axis }),
    fill: (shape, value, dtype = "float32") => run("Fill", {}, { shape: [...shape], value, dtype }),
    values: (shape, dtype, values) => {
      if (!be.makeOutput) throw new Error(`backend '${backendName}' cannot take host values in a kernel`);
      const data = dtype === "int32" ? Int32Array.from(values) : Float32Array.from(values);
      return track(be.makeOutput([...shape], dtype, undefined, data))[0]!;
    },
    padOrCrop: (x, amounts, value = 0) => {
      let y = x;
      if (amounts.some(([a, b]) => a < 0 || b < 0)) {
        const begin = amounts.map(([a]) => Math.max(0, -a));
        const size = amounts.map(([a, b], i) => x.shape[i]! - Math.max(0, -a) - Math.max(0, -b));
        y = slice(y, begin, size);
      }
      if (amounts.some(([a, b]) => a > 0 || b > 0)) {
        const paddings = amounts.map(([a, b]) => [Math.max(0, a), Math.max(0, b)]);
        y = run("PadV2", { x: y }, { paddings, constantValue: value });
      }
      return y;
    },
  };
  let result: Info | undefined;
  try {
    result = body(c);
    // The engine takes ownership of the returned buffer: hand back a reference of our own
    // when the body returned one of the kernel's inputs unchanged.
    if (!made.includes(result)) result = run("Identity", { x: result });
    return result;
  } finally {
    for (const info of made) if (info !== result) be.disposeData(info.dataId);
  }
}

/** Place `x` (`[n, h, w, c]`) on a grid with `sh - 1` zero rows after each row and `sw - 1` zero columns. */
export function spreadOut(c: Composer, x: Info, sh: number, sw: number): Info {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, ch] = x.shape as [number, number, number, number];
  const x6 = c.reshape(x, [n, h, 1, w, 1, ch]);
  const p = c.padOrCrop(x6, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return c.reshape(p, [n, h * sh, w * sw, ch]);
}

/**
 * s[n,i,j,c] = xp[n, a+sh·i, b+sw·j, c] for i < oh, j < ow, where xp has at least
 * a + oh·sh rows and b + ow·sw columns. Built from slices of rank ≤ 4 (the wasm
 * `StridedSlice` and rank-6 `Slice` kernels take a slow generic path: ~20 ms against ~2 ms
 * here for a [32, 28, 28, 16] input).
 */
export function stridedWindow(c: Composer, xp: Info, a: number, b: number, oh: number, ow: number, sh: number, sw: number): Info {
  const [n, , , ch] = xp.shape as [number, number, number, number];
  let s = c.slice(xp, [0, a, b, 0], [n, oh * sh, ow * sw, ch]);
  if (sh > 1) s = c.slice(c.reshape(s, [n * oh, sh, ow * sw * ch]), [0, 0, 0], [n * oh, 1, ow * sw * ch]);
  if (sw > 1) s = c.slice(c.reshape(s, [n * oh * ow, sw, ch]), [0, 0, 0], [n * oh * ow, 1, ch]);
  return c.reshape(s, [n, oh, ow, ch]);
}
