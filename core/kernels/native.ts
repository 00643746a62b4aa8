/**
 * The optional native accelerator (native/: a small N-API addon built at install time by
 * node-gyp): single-precision GEMM from OpenBLAS when `libopenblas.so.0` can be opened at run
 * time, else the addon's own blocked GEMM; and through it `BatchMatMul`, `Conv2D` and its two
 * gradients (im2col + one GEMM), plus a host-loop `MaxPoolGrad`, registered over the wasm and
 * cpu kernels. The kernels read and write the tensors' own storage (views of the wasm heap, or
 * the cpu backend's arrays): no copies.
 *
 * Loading never fails anything: a missing or broken build, `DLM_NATIVE=0`, an unsupported
 * case (another dtype, NCHW, a batch broadcast the GEMM loop cannot express) all fall back
 * silently to the kernel that was registered before (tfjs's, or core/kernels' fix).
 * `DLM_NATIVE_BLAS=builtin` keeps the built-in GEMM even where OpenBLAS is present.
 * Measurements: bench/train-step.ts, bench/RESULTS.md.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs";
import { broadcastShape } from "../broadcast.js";
import { hostMemory } from "../host-memory.js";
import type { KernelFunc } from "./compose.js";
import { poolInfo } from "./max-pool-grad.js";

/** The addon's functions (native/src/addon.c). */
interface Addon {
  sgemm(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number, transA: number, transB: number, strideA: number, strideB: number, strideC: number): void;
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: Int32Array): boolean;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, geometry: Int32Array): boolean;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array): boolean;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  /** One optimiser update of one tensor (native/src/optim.c; core/kernels/optimiser-step.ts). */
  optimiserStep(hyper: Float64Array, p: Float32Array, g: Float32Array, slots: readonly Float32Array[], pOut: Float32Array, slotsOut: readonly Float32Array[]): void;
  info(): { blas: "openblas" | "builtin"; openblas: string | null; threads: number };
  setBlas(name: "openblas" | "builtin"): boolean;
}

/** What `dlm --version` reports about the accelerator. */
export interface NativeStatus {
  readonly loaded: boolean;
  /** The addon's file, when loaded. */
  readonly path?: string;
  /** The GEMM in use, when loaded. */
  readonly blas?: "openblas" | "builtin";
  /** Where OpenBLAS was found (even when the built-in GEMM was chosen). */
  readonly openblas?: string;
  /** Why it is not loaded. */
  readonly reason?: string;
}

/** Where the build lands, seen from this file in the sources (core/kernels/) and in dist/core/kernels/. */
const CANDIDATES = ["../../native/build/Release/dlm_native.node", "../../../native/build/Release/dlm_native.node"];

let addon: Addon | undefined;
let status: NativeStatus | undefined;

function load(): NativeStatus {
  if (status) return status;
  if (process.env["DLM_NATIVE"] === "0") return (status = { loaded: false, reason: "turned off by DLM_NATIVE=0" });
  const path = CANDIDATES.map((rel) => new URL(rel, import.meta.url).pathname).find((p) => existsSync(p));
  if (!path) return (status = { loaded: false, reason: "not built (npm run build:native)" });
  try {
    const a = createRequire(import.meta.url)(path) as Addon;
    if (process.env["DLM_NATIVE_BLAS"] === "builtin") a.setBlas("builtin");
    const info = a.info();
    addon = a;
    status = { loaded: true, path, blas: info.blas, ...(info.openblas ? { openblas: info.openblas } : {}) };
  } catch (e) {
    status = { loaded: false, reason: `does not load: ${String(e).split("\n")[0]}` };
  }
  return status;
}

/** Inside `withoutNative`: host loops elsewhere (optimiser-step.ts) take their JavaScript form too. */
let suspended = 0;

/** The loaded addon for other host-loop kernels, undefined without it or inside `withoutNative`. */
export function nativeAddon(): Addon | undefined {
  load();
  return suspended > 0 ? undefined : addon;
}

/** Whether the accelerator is loaded, where from and with which GEMM. */
export function nativeStatus(): NativeStatus {
  return load();
}

/** One line for `dlm --version`. */
export function nativeSummary(): string {
  const s = load();
  if (!s.loaded) return `native accelerator: off (${s.reason})`;
  const blas = s.blas === "openblas" ? `OpenBLAS at ${s.openblas}` : `built-in GEMM${s.openblas ? ` (OpenBLAS at ${s.openblas} not used)` : ""}`;
  return `native accelerator: ${s.path} (${blas})`;
}

/**
 * Choose the GEMM (benchmarks and tests compare the two); false when that one is not
 * available. Returns false, changing nothing, without the addon.
 */
export function useNativeBlas(name: "openblas" | "builtin"): boolean {
  load();
  if (!addon || !addon.setBlas(name)) return false;
  status = { ...status!, blas: name };
  return true;
}

// ---- tensor storage -------------------------------------------------------------------

/**
 * Allocate a float32 output of `shape`, then hand `body` views of the inputs and of the output.
 * The output comes first because allocating on the wasm heap may grow it, which detaches every
 * earlier view. Undefined (nothing kept) when an input is not float32 or `body` declines.
 */
function withViews(backendName: string, backend: object, inputs: readonly tf.TensorInfo[], shape: number[], body: (ins: Float32Array[], out: Float32Array) => boolean): tf.TensorInfo | undefined {
  if (inputs.some((t) => t.dtype !== "float32")) return undefined;
  const mem = hostMemory(backend, backendName);
  const out = mem.alloc(shape);
  if (body(inputs.map((t) => mem.view(t)), mem.view(out))) return out;
  mem.free(out);
  return undefined;
}

// ---- kernels --------------------------------------------------------------------------

const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** `BatchMatMul` as one GEMM per batch entry; a broadcast operand has stride 0. */
function batchMatMul(a0: Addon, backendName: string, prev: KernelFunc): KernelFunc {
  return (args) => {
    const a = args.inputs["a"]!;
    const b = args.inputs["b"]!;
    const tA = args.attrs?.["transposeA"] === true;
    const tB = args.attrs?.["transposeB"] === true;
    const [ra, rb] = [a.shape.length, b.shape.length];
    const k = a.shape[tA ? ra - 2 : ra - 1]!;
    const m = a.shape[tA ? ra - 1 : ra - 2]!;
    const n = b.shape[tB ? rb - 2 : rb - 1]!;
    const outer = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    if (outer === undefined || k !== b.shape[tB ? rb - 1 : rb - 2]) return prev(args);
    const [batch, batchA, batchB] = [sizeOf(outer), sizeOf(a.shape.slice(0, -2)), sizeOf(b.shape.slice(0, -2))];
    // A partial broadcast ([2, 1] against [1, 3]) is not one stride per operand.
    if ((batchA !== 1 && batchA !== batch) || (batchB !== 1 && batchB !== batch)) return prev(args);
    const strideA = batchA === 1 ? 0 : m * k;
    const strideB = batchB === 1 ? 0 : k * n;
    const out = withViews(backendName, args.backend as object, [a, b], [...outer, m, n], ([va, vb], vc) => {
      // A shared B under an untransposed A is one tall product.
      if (strideB === 0 && !tA && batch > 1 && strideA !== 0) a0.sgemm(va!, vb!, vc, 1, batch * m, n, k, 0, tB ? 1 : 0, 0, 0, 0);
      else a0.sgemm(va!, vb!, vc, batch, m, n, k, tA ? 1 : 0, tB ? 1 : 0, strideA, strideB, m * n);
      return true;
    });
    return out ?? prev(args);
  };
}

type Pad = "valid" | "same" | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

/** The addon's convolution geometry (native/src/conv.h), or undefined for NCHW. */
function convGeometry(xShape: readonly number[], filterShape: readonly number[], attrs: Record<string, unknown>): Int32Array | undefined {
  if (attrs["dataFormat"] === "NCHW") return undefined;
  const dil = (attrs["dilations"] ?? 1) as number | [number, number];
  const i = tf.backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, attrs["strides"] as number | [number, number], dil, attrs["pad"] as Pad, attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined, false, "channelsLast");
  return Int32Array.from([i.batchSize, i.inHeight, i.inWidth, i.inChannels, i.filterHeight, i.filterWidth, i.outChannels, i.outHeight, i.outWidth, i.strideHeight, i.strideWidth, i.padInfo.top, i.padInfo.left, i.dilationHeight, i.dilationWidth]);
}

function conv2d(a0: Addon, backendName: string, prev: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const g = convGeometry(x.shape, filter.shape, args.attrs ?? {});
    if (!g) return prev(args);
    const shape = [g[0]!, g[7]!, g[8]!, g[6]!];
    return withViews(backendName, args.backend as object, [x, filter], shape, ([vx, vw], vy) => a0.conv2d(vx!, vw!, vy, g)) ?? prev(args);
  };
}

function conv2dBackpropFilter(a0: Addon, backendName: string, prev: KernelFunc): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const filterShape = args.attrs?.["filterShape"] as number[];
    const g = convGeometry(x.shape, filterShape, { ...args.attrs, dilations: 1 });
    if (!g) return prev(args);
    return withViews(backendName, args.backend as object, [x, dy], [...filterShape], ([vx, vdy], vdw) => a0.conv2dBackpropFilter(vx!, vdy!, vdw, g)) ?? prev(args);
  };
}

function conv2dBackpropInput(a0: Addon, backendName: string, prev: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const inputShape = args.attrs?.["inputShape"] as number[];
    const g = convGeometry(inputShape, filter.shape, { ...args.attrs, dilations: 1 });
    if (!g) return prev(args);
    return withViews(backendName, args.backend as object, [dy, filter], [...inputShape], ([vdy, vw], vdx) => a0.conv2dBackpropInput(vdy!, vw!, vdx, g)) ?? prev(args);
  };
}

function maxPoolGrad(a0: Addon, backendName: string, prev: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const i = poolInfo(input.shape, args.attrs ?? {});
    if (i.dilationHeight !== 1 || i.dilationWidth !== 1) return prev(args);
    const g = Int32Array.from([i.batchSize, i.inHeight, i.inWidth, i.inChannels, i.filterHeight, i.filterWidth, i.outHeight, i.outWidth, i.strideHeight, i.strideWidth, i.padInfo.top, i.padInfo.left]);
    return (
      withViews(backendName, args.backend as object, [input, dy], [...input.shape], ([vx, vdy], vdx) => {
        a0.maxPoolGrad(vx!, vdy!, vdx, g);
        return true;
      }) ?? prev(args)
    );
  };
}

const KERNELS: Readonly<Record<string, (a: Addon, backendName: string, prev: KernelFunc) => KernelFunc>> = {
  BatchMatMul: batchMatMul,
  Conv2D: conv2d,
  Conv2DBackpropFilter: conv2dBackpropFilter,
  Conv2DBackpropInput: conv2dBackpropInput,
  MaxPoolGrad: maxPoolGrad,
};
export const NATIVE_KERNELS: readonly string[] = Object.keys(KERNELS);

/** Per `backend/kernel`: the kernel we replaced and our replacement. */
const replaced = new Map<string, { prev: tf.KernelConfig | undefined; ours: KernelFunc }>();

/**
 * Register the accelerated kernels over those of `backend` (wasm and cpu; idempotent), when the
 * addon loads; returns whether they are in place.
 */
export function installNativeKernels(backend: string): boolean {
  if ((backend !== "wasm" && backend !== "cpu") || !load().loaded) return false;
  for (const [name, make] of Object.entries(KERNELS)) {
    const key = `${backend}/${name}`;
    const current = tf.getKernel(name, backend);
    const entry = replaced.get(key);
    if (current && current.kernelFunc === entry?.ours) continue;
    // Over the same kernel as before (installKernelFixes put its fix back): the same wrapper, so
    // that installing twice registers identical functions.
    if (entry && current?.kernelFunc === entry.prev?.kernelFunc) {
      if (current) tf.unregisterKernel(name, backend);
      tf.registerKernel({ kernelName: name, backendName: backend, kernelFunc: entry.ours });
      continue;
    }
    const stock = current?.kernelFunc;
    const fallback: KernelFunc = stock ?? (() => {
      throw new Error(`kernel '${name}' is not registered for backend '${backend}'`);
    });
    const ours = make(addon!, backend, fallback);
    replaced.set(key, { prev: current, ours });
    if (current) tf.unregisterKernel(name, backend);
    tf.registerKernel({ kernelName: name, backendName: backend, kernelFunc: ours });
  }
  return true;
}

/** Put back the kernels `installNativeKernels` replaced on `backend`. */
export function uninstallNativeKernels(backend: string): void {
  for (const name of NATIVE_KERNELS) {
    const key = `${backend}/${name}`;
    const entry = replaced.get(key);
    if (!entry || tf.getKernel(name, backend)?.kernelFunc !== entry.ours) continue;
    tf.unregisterKernel(name, backend);
    if (entry.prev) tf.registerKernel(entry.prev);
  }
}

/**
 * Run `f` with tfjs's (and core/kernels') kernels in place of the accelerated ones, and the
 * JavaScript form of the host loops that have a native one, then put them back.
 */
export function withoutNative<T>(backend: string, f: () => T): T {
  const had = NATIVE_KERNELS.some((name) => tf.getKernel(name, backend)?.kernelFunc === replaced.get(`${backend}/${name}`)?.ours);
  uninstallNativeKernels(backend);
  suspended++;
  try {
    return f();
  } finally {
    suspended--;
    if (had) installNativeKernels(backend);
  }
}
