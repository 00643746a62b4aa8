/**
 * Host-loop implementations of the fused log-density kernels (fused-logpdf-kernels.ts) for
 * the backends whose buffers live in host memory: cpu (JS typed arrays) and wasm (the module's
 * heap). Why: a composite kernel still launches one backend kernel per element-wise step, and
 * on wasm each launch (allocation, shape marshalling, call) costs ~1–2 µs, as much as the
 * arithmetic of a few hundred elements; one JS loop over the broadcast shape does Σ Normal in
 * ~2 µs for 400 elements against ~20 µs for the composite (bench/fused-logpdf.ts). The loops
 * accumulate in float64. Transcendental functions stay on the backend's kernels: V8's
 * Math.exp/Math.log1p cost ~15 ns per element, several times wasm's vectorised Sigmoid, so
 * the Bernoulli kernel loops around the backend's Sigmoid and Log kernels (see there). Only Normal's log σ is taken on the host, once per
 * element of σ (not of the broadcast shape).
 *
 * Formulas, outputs and attributes: as the composite kernels (fused-logpdf-kernels.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { broadcastShapesOrThrow } from "./broadcast.js";
import type { Info, KernelFunc } from "./kernels/compose.js";

type Attrs = NonNullable<Parameters<KernelFunc>[0]["attrs"]>;

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

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
    alloc: (shape) => be.makeTensorInfo([...shape], "float32", new Float32Array(size(shape))),
    free: (info) => void be.disposeData(info.dataId),
  };
}

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** The broadcast (NumPy) shape of several shapes; throws on a mismatch. */

// Offsets depend on the two shapes only, and a model calls its densities with the same shapes
// at every gradient: cached (a bounded map, cleared when full).
const offsetCache = new Map<string, Int32Array | undefined>();
const OFFSET_CACHE_SIZE = 256;

/**
 * For each element (row-major) of `shape`, the flat index of the element of an operand of
 * `inShape` broadcast to it; undefined where the two shapes agree (the identity). The
 * returned array is shared (cached): read it, never write it.
 */
export function broadcastOffsets(shape: readonly number[], inShape: readonly number[]): Int32Array | undefined {
  const key = `${shape.join(",")}|${inShape.join(",")}`;
  if (offsetCache.has(key)) return offsetCache.get(key);
  const out = computeOffsets(shape, inShape);
  if (offsetCache.size >= OFFSET_CACHE_SIZE) offsetCache.clear();
  offsetCache.set(key, out);
  return out;
}

function computeOffsets(shape: readonly number[], inShape: readonly number[]): Int32Array | undefined {
  const rank = shape.length;
  const offset = rank - inShape.length;
  const padded = shape.map((_, i) => (i < offset ? 1 : inShape[i - offset]!));
  if (padded.every((d, i) => d === shape[i])) return undefined;
  const strides = new Array<number>(rank).fill(0);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    strides[i] = padded[i] === 1 ? 0 : s;
    s *= padded[i]!;
  }
  const n = size(shape);
  const out = new Int32Array(n);
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let k = 0; k < n; k++) {
    out[k] = o;
    for (let i = rank - 1; i >= 0; i--) {
      idx[i]!++;
      o += strides[i]!;
      if (idx[i]! < shape[i]!) break;
      o -= strides[i]! * shape[i]!;
      idx[i] = 0;
    }
  }
  return out;
}

/** An operand read element by element: a buffer (with its broadcast offsets) or a constant. */
interface Operand {
  readonly info: Info | undefined;
  readonly offsets: Int32Array | undefined;
  readonly constant: number;
}

function operand(info: Info | undefined, constant: number, shape: readonly number[]): Operand {
  return { info, offsets: info ? broadcastOffsets(shape, info.shape) : undefined, constant };
}

const rowsOf = (shape: readonly number[], batched: boolean): number => (batched ? shape[0]! : 1);
const valueShape = (shape: readonly number[], batched: boolean): number[] => (batched ? [shape[0]!] : []);
const num = (attrs: Attrs, name: string, fallback: number): number => {
  const v = attrs[name];
  return typeof v === "number" ? v : fallback;
};

/**
 * The operands, output buffers and views of a location-scale kernel (Normal and the standard
 * families): the value (`[]` or `[S₀]`) and, with `withGrad`, w and (for a tensor σ) g_σ.
 */
function locScaleBuffers(backendName: string, { inputs, backend, attrs = {} }: Parameters<KernelFunc>[0]) {
  const mem = hostMemory(backend, backendName);
  const batched = attrs["batched"] === true;
  const withGrad = attrs["withGrad"] === true;
  const [xi, li, si] = [inputs["x"], inputs["loc"], inputs["scale"]];
  const shape = broadcastShapesOrThrow([xi, li, si].flatMap((t) => (t ? [t.shape] : [])));
  const x = operand(xi, num(attrs, "x", 0), shape);
  const m = operand(li, num(attrs, "loc", 0), shape);
  const s = operand(si, num(attrs, "scale", 1), shape);
  const rows = rowsOf(shape, batched);
  const perRow = rows > 0 ? size(shape) / rows : 0;
  const value = mem.alloc(valueShape(shape, batched));
  const w = withGrad ? mem.alloc(shape) : undefined;
  const gScale = withGrad && si ? mem.alloc(shape) : undefined;
  // Views only after the last allocation (a wasm heap that grows detaches older views).
  const sv = s.info ? mem.view(s.info) : undefined;
  return {
    x, m, s, rows, perRow, sv,
    xv: x.info ? mem.view(x.info) : undefined,
    mv: m.info ? mem.view(m.info) : undefined,
    logS: sv ? Float64Array.from(sv, Math.log) : undefined,
    out: mem.view(value),
    wv: w ? mem.view(w) : undefined,
    gv: gScale ? mem.view(gScale) : undefined,
    outputs: w ? (gScale ? [value, w, gScale] : [value, w]) : value,
  };
}

/** Σ log Normal(x | loc, scale) by one loop (outputs and attributes: NORMAL_LOGPDF_SUM). */
export function normalHostKernel(backendName: string): KernelFunc {
  return (args) => {
    const { x, m, s, rows, perRow, sv, xv, mv, logS, out, wv, gv, outputs } = locScaleBuffers(backendName, args);
    const [xo, mo, so] = [x.offsets, m.offsets, s.offsets];
    const constant = perRow * (HALF_LOG_2PI + (sv ? 0 : Math.log(s.constant)));
    for (let r = 0; r < rows; r++) {
      let squares = 0;
      let logs = 0;
      for (let k = r * perRow, end = k + perRow; k < end; k++) {
        const xk = xv ? xv[xo ? xo[k]! : k]! : x.constant;
        const mk = mv ? mv[mo ? mo[k]! : k]! : m.constant;
        const sIdx = so ? so[k]! : k;
        const inv = sv ? 1 / sv[sIdx]! : 1 / s.constant;
        const z = (xk - mk) * inv;
        squares += z * z;
        if (logS) logs += logS[sIdx]!;
        if (wv) wv[k] = z * inv;
        if (gv) gv[k] = (z * z - 1) * inv;
      }
      out[r] = -0.5 * squares - logs - constant;
    }
    return outputs;
  };
}

/**
 * Σ log Bernoulli(y | logit): loops around the backend's Sigmoid and Log kernels. With
 * t = (1 − 2y)·η and q = sigmoid(|t|) ∈ [½, 1], softplus(t) = max(t, 0) − log q: the log of a
 * number in [½, 1] has an absolute error of about one float32 rounding of q (≤ 6e-8), and
 * Sigmoid + Log cost about half of the wasm Softplus kernel (~10 µs per 800 elements on the
 * 2-core machine). The gradient's h = (1 − 2y)·sigmoid(t) takes sigmoid(t) from the kernel,
 * so it keeps its relative accuracy in the tails.
 */
export function bernoulliHostKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const mem = hostMemory(backend, backendName);
    const batched = attrs["batched"] === true;
    const [yi, ei] = [inputs["y"], inputs["logit"]];
    const withGrad = attrs["withGrad"] === true && ei !== undefined;
    const shape = broadcastShapesOrThrow([yi, ei].flatMap((t) => (t ? [t.shape] : [])));
    const y = operand(yi, num(attrs, "y", 0), shape);
    const e = operand(ei, num(attrs, "logit", 0), shape);
    const n = size(shape);
    const rows = rowsOf(shape, batched);
    const perRow = rows > 0 ? n / rows : 0;
    const kernel = (name: string, x: Info): Info => tf.getKernel(name, backendName)!.kernelFunc({ inputs: { x }, backend, attrs: {} }) as Info;
    // s = 1 − 2y and t = s·η on the host (JS arrays: wasm heap views do not survive a kernel
    // call that grows the heap).
    const sign = new Float32Array(n);
    const t = new Float32Array(n);
    {
      const [yv, ev, yo, eo] = [y.info ? mem.view(y.info) : undefined, e.info ? mem.view(e.info) : undefined, y.offsets, e.offsets];
      for (let k = 0; k < n; k++) {
        const sk = 1 - 2 * (yv ? yv[yo ? yo[k]! : k]! : y.constant);
        sign[k] = sk;
        t[k] = sk * (ev ? ev[eo ? eo[k]! : k]! : e.constant);
      }
    }
    const buffer = mem.alloc(shape);
    let sigmoid: Info | undefined;
    let logQ: Info | undefined;
    let value: Info | undefined;
    try {
      mem.view(buffer).set(t);
      sigmoid = kernel("Sigmoid", buffer);
      {
        // q = sigmoid(|t|), over t's buffer.
        const [qv, sv] = [mem.view(buffer), mem.view(sigmoid)];
        for (let k = 0; k < n; k++) qv[k] = t[k]! > 0 ? sv[k]! : 1 - sv[k]!;
      }
      logQ = kernel("Log", buffer);
      value = mem.alloc(valueShape(shape, batched));
      const [out, lq, sv] = [mem.view(value), mem.view(logQ), mem.view(sigmoid)];
      for (let r = 0; r < rows; r++) {
        let acc = 0;
        for (let k = r * perRow, end = k + perRow; k < end; k++) acc += Math.max(t[k]!, 0) - lq[k]!;
        out[r] = -acc;
      }
      if (!withGrad) return value;
      // h = (1 − 2y)·sigmoid(t), in place in the Sigmoid kernel's own output buffer.
      for (let k = 0; k < n; k++) sv[k] = sign[k]! * sv[k]!;
      const aux = sigmoid;
      sigmoid = undefined;
      return [value, aux];
    } catch (err) {
      if (value) mem.free(value);
      throw err;
    } finally {
      mem.free(buffer);
      if (sigmoid) mem.free(sigmoid);
      if (logQ) mem.free(logQ);
    }
  };
}

/** sum-to-shape(±g·dy broadcast over the summed axes) by one loop (attributes: SUM_TO_SHAPE). */
export function sumToShapeHostKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const mem = hostMemory(backend, backendName);
    const [g, dy] = [inputs["g"]!, inputs["dy"]!];
    const target = attrs["shape"] as number[];
    const sign = attrs["negate"] === true ? -1 : 1;
    const batched = attrs["batched"] === true;
    const n = size(g.shape);
    const rows = rowsOf(g.shape, batched);
    const perRow = rows > 0 ? n / rows : 0;
    const to = broadcastOffsets(g.shape, target);
    const acc = new Float64Array(size(target));
    const out = mem.alloc(target);
    const [gv, dv, ov] = [mem.view(g), mem.view(dy), mem.view(out)];
    for (let r = 0; r < rows; r++) {
      const d = sign * dv[r]!;
      for (let k = r * perRow, end = k + perRow; k < end; k++) acc[to ? to[k]! : k]! += gv[k]! * d;
    }
    ov.set(acc);
    return out;
  };
}

/**
 * The standardised log density of a location-scale family and its derivative, element by
 * element: log p(x | μ, σ) = logf(z) − log σ + c with z = (x − μ)/σ (LOC_SCALE_LOGPDF_SUM).
 * `p` is the family's shape parameter (ν, α), and `q` a second one where the family has it
 * (Beta's b; 1 otherwise): kernel attributes.
 */
export interface StandardFamily {
  readonly logf: (z: number, p: number, q: number) => number;
  /** d logf / dz. */
  readonly dlogf: (z: number, p: number, q: number) => number;
}

/**
 * The families of LOC_SCALE_LOGPDF_SUM (constants, such as the normaliser, are the kernel's
 * `c` attribute, folded by the caller):
 *   studentT(ν):  logf = −((ν+1)/2)·log1p(z²/ν)            (StudentT, HalfStudentT)
 *   gamma(α):     logf = (α − 1)·log z − z                  (Gamma, with σ = 1/rate)
 *   invGamma(α):  logf = −(α + 1)·log z − 1/z               (InverseGamma, with σ = scale)
 *   beta(a, b):   logf = (a − 1)·log z + (b − 1)·log1p(−z)  (Beta, with μ = 0 and σ = 1)
 * Gamma with α = 1 at z = 0 is 0·log 0 = 0, as in xlogy; so are Beta's terms with a or b = 1.
 */
export const STANDARD_FAMILIES = {
  studentT: {
    logf: (z, nu) => -0.5 * (nu + 1) * Math.log1p((z * z) / nu),
    dlogf: (z, nu) => (-(nu + 1) * z) / (nu + z * z),
  },
  gamma: {
    logf: (z, a) => (a === 1 ? 0 : (a - 1) * Math.log(z)) - z,
    dlogf: (z, a) => (a === 1 ? 0 : (a - 1) / z) - 1,
  },
  invGamma: {
    logf: (z, a) => -(a + 1) * Math.log(z) - 1 / z,
    dlogf: (z, a) => (1 / z - (a + 1)) / z,
  },
  beta: {
    logf: (z, a, b) => (a === 1 ? 0 : (a - 1) * Math.log(z)) + (b === 1 ? 0 : (b - 1) * Math.log1p(-z)),
    dlogf: (z, a, b) => (a === 1 ? 0 : (a - 1) / z) - (b === 1 ? 0 : (b - 1) / (1 - z)),
  },
} as const satisfies Readonly<Record<string, StandardFamily>>;

/** The names of STANDARD_FAMILIES (the `family` attribute of LOC_SCALE_LOGPDF_SUM). */
export type StandardFamilyName = keyof typeof STANDARD_FAMILIES;

const familyOf = (name: unknown): StandardFamily | undefined => (STANDARD_FAMILIES as Readonly<Record<string, StandardFamily | undefined>>)[String(name)];

/**
 * Σ log p(x | μ, σ) of a location-scale family by one loop (outputs and attributes:
 * LOC_SCALE_LOGPDF_SUM). Partials: ∂/∂x = −w with w = −logf′(z)/σ, ∂/∂μ = w, and
 * ∂/∂σ = g_σ = −(z·logf′(z) + 1)/σ (Normal's w = z/σ and g_σ = (z² − 1)/σ are the case
 * logf = −z²/2).
 */
export function locScaleHostKernel(backendName: string): KernelFunc {
  return (args) => {
    const attrs = args.attrs ?? {};
    const family = familyOf(attrs["family"]);
    if (family === undefined) throw new Error(`internal: unknown family '${String(attrs["family"])}'`);
    const p = num(attrs, "p", 1);
    const q = num(attrs, "q", 1);
    const c = num(attrs, "c", 0);
    const { x, m, s, rows, perRow, sv, xv, mv, logS, out, wv, gv, outputs } = locScaleBuffers(backendName, args);
    const [xo, mo, so] = [x.offsets, m.offsets, s.offsets];
    const { logf, dlogf } = family;
    const constant = perRow * (c - (sv ? 0 : Math.log(s.constant)));
    for (let r = 0; r < rows; r++) {
      let acc = 0;
      for (let k = r * perRow, end = k + perRow; k < end; k++) {
        const xk = xv ? xv[xo ? xo[k]! : k]! : x.constant;
        const mk = mv ? mv[mo ? mo[k]! : k]! : m.constant;
        const sIdx = so ? so[k]! : k;
        const inv = sv ? 1 / sv[sIdx]! : 1 / s.constant;
        const z = (xk - mk) * inv;
        acc += logf(z, p, q);
        if (logS) acc -= logS[sIdx]!;
        if (wv) {
          const d = dlogf(z, p, q);
          wv[k] = -d * inv;
          if (gv) gv[k] = -(z * d + 1) * inv;
        }
      }
      out[r] = acc + constant;
    }
    return outputs;
  };
}
