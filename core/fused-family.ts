/**
 * A family's log density as one tfjs kernel, from its one definition (core/ir/families.ts: the
 * float64 log density with its partials). It serves both the tfjs executor's log-density op
 * (elementwise) and the distributions' log-density sums on the interpreter's path (summed over
 * all axes, or per chain): the host executor, the tfjs executor and the interpreter score a
 * family with the same code.
 *
 * Forward: one loop over the arguments' broadcast (core/ir/families-compile.ts) writes the log
 * densities or their sums and, while a gradient tape records (`withGrad`), each tensor
 * argument's partials, shaped like the broadcast, which the gradient saves. Backward: one
 * kernel per differentiated argument (tfjs's tape prunes the others: the x-gradient of data is
 * never computed) scales the saved partials by the upstream gradient and sums them back to the
 * argument's shape.
 *
 * Memory: on cpu and wasm the loops read and write the backend's buffers in place; on other
 * backends (tensorflow, webgl) they read a copy and upload their outputs, a device round trip
 * per call, which keeps one definition there too.
 *
 * This file imports TensorFlow.js directly (like kernels/), because engine.ts installs it.
 */
import * as tf from "@tensorflow/tfjs";
import { broadcastOffsets, broadcastShapesOrThrow, sizeOf } from "./broadcast.js";
import { hostMemory, isHostBackend } from "./host-memory.js";
import { FAMILIES, type FamilyName } from "./ir/families.js";
import { familyLoop } from "./ir/families-compile.js";
import type { Info, KernelFunc } from "./kernels/compose.js";

/** Kernel name of a family's log density. Inputs `a0`…`a3` (tensors only; the value is a0). */
export const FAMILY_LOGPDF = "DlmFamilyLogPdf";
/** Kernel name of its backward step: inputs g (partials, the broadcast shape) and dy. */
export const FAMILY_LOGPDF_GRAD = "DlmFamilyLogPdfGrad";

/**
 * How the log densities are returned: one per element of the arguments' broadcast S
 * (`each`), their sum (`all`, a scalar), or the sum over every axis but the first (`rows`,
 * shape `[S₀]`: the chain axis, a scorer's per-chain sum).
 */
export type FamilyReduce = "each" | "all" | "rows";

/** A tensor, or a number (passed to the kernel as an attribute). */
export type Operand = tf.Tensor | number;

type Attrs = NonNullable<Parameters<KernelFunc>[0]["attrs"]>;

const valueShape = (shape: readonly number[], reduce: FamilyReduce): number[] => (reduce === "each" ? [...shape] : reduce === "rows" ? [shape[0]!] : []);

/** Buffers of any backend: in place on host memory, else read as copies and written by upload. */
interface Buffers {
  readonly read: (info: Info) => ArrayLike<number>;
  /** Float32 outputs of `shapes`, to fill, then `finish` hands them over as tensor infos. */
  readonly outputs: (shapes: readonly (readonly number[])[]) => { arrays: Float32Array[]; finish: () => Info[] };
}

interface AnyBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): Info;
}

const buffersByBackend = new WeakMap<object, Buffers>();

/** The buffers of `backend` (those of a host backend made once: kernels run on every gradient). */
function buffersOf(backend: object, backendName: string): Buffers {
  if (!isHostBackend(backendName)) return makeBuffers(backend, backendName);
  let b = buffersByBackend.get(backend);
  if (b === undefined) buffersByBackend.set(backend, (b = makeBuffers(backend, backendName)));
  return b;
}

function makeBuffers(backend: object, backendName: string): Buffers {
  if (isHostBackend(backendName)) {
    const mem = hostMemory(backend, backendName);
    return {
      // wasm views die when the heap grows: take them only after the outputs are allocated
      read: (info) => mem.view(info),
      outputs: (shapes) => {
        const infos = shapes.map((s) => mem.alloc(s));
        return { arrays: infos.map((i) => mem.view(i)), finish: () => infos };
      },
    };
  }
  const be = backend as AnyBackend;
  return {
    read: (info) => be.readSync(info.dataId),
    outputs: (shapes) => {
      const arrays = shapes.map((s) => new Float32Array(sizeOf(s)));
      return { arrays, finish: () => arrays.map((a, k) => be.makeTensorInfo([...shapes[k]!], "float32", a)) };
    },
  };
}

const reduceOf = (attrs: Attrs): FamilyReduce => attrs["reduce"] as FamilyReduce;

/**
 * The forward kernel of a backend (attributes: family, reduce, withGrad, withConst, consts,
 * tensorArgs, a{j}Shape); exported for tests of the copying path of non-host backends.
 */
export function forwardKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const family = attrs["family"] as FamilyName;
    const f = FAMILIES[family];
    const reduce = reduceOf(attrs);
    const consts = attrs["consts"] as number[];
    const infos = Array.from({ length: f.arity }, (_, j) => inputs[`a${j}`]);
    // the arguments with partials (attribute `tensorArgs`: the tensors that may be differentiated)
    const tensorArgs = attrs["tensorArgs"] as number[];
    const withGrad = attrs["withGrad"] === true;
    const shape = broadcastShapesOrThrow(infos.flatMap((info) => (info === undefined ? [] : [info.shape])));
    const n = sizeOf(shape);
    const rows = reduce === "rows" ? shape[0]! : 1;
    const perRow = rows > 0 ? n / rows : 0;
    const buffers = buffersOf(backend, backendName);
    const { arrays, finish } = buffers.outputs([valueShape(shape, reduce), ...(withGrad ? tensorArgs.map(() => shape) : [])]);
    const data = infos.map((info, j) => (info === undefined ? [consts[j]!] : buffers.read(info)));
    const maps = infos.map((info) => (info === undefined ? undefined : broadcastOffsets(shape, info.shape)));
    const partials = infos.map((_, j) => (withGrad && tensorArgs.includes(j) ? arrays[1 + tensorArgs.indexOf(j)] : undefined));
    const wanted = partials.map((p) => p !== undefined);
    familyLoop(family, wanted, { each: reduce === "each", withConst: attrs["withConst"] === true }, data, maps)(rows, perRow, data, maps, partials, arrays[0]!);
    const out = finish();
    return out.length === 1 ? out[0]! : out;
  };
}

/** Σ to `target` of g·dy, dy broadcast back over the axes the forward pass summed (attributes: shape, reduce). */
function backwardKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const [g, dy] = [inputs["g"]!, inputs["dy"]!];
    const target = attrs["shape"] as number[];
    const reduce = reduceOf(attrs);
    const n = sizeOf(g.shape);
    const rows = reduce === "rows" ? g.shape[0]! : 1;
    const perRow = rows > 0 ? n / rows : 0;
    const to = broadcastOffsets(g.shape, target);
    const acc = new Float64Array(sizeOf(target));
    const buffers = buffersOf(backend, backendName);
    const { arrays, finish } = buffers.outputs([target]);
    const [gv, dv] = [buffers.read(g), buffers.read(dy)];
    // where the upstream gradient is 0 (a value masked out of the support, whose partials may be
    // NaN) nothing is added: 0·NaN would poison the sum
    if (reduce === "each") {
      if (to === undefined) for (let i = 0; i < n; i++) acc[i] = dv[i] === 0 ? 0 : gv[i]! * dv[i]!;
      else for (let i = 0; i < n; i++) if (dv[i] !== 0) acc[to[i]!]! += gv[i]! * dv[i]!;
    } else {
      for (let r = 0; r < rows; r++) {
        const d = dv[r]!;
        if (d === 0) continue;
        const end = (r + 1) * perRow;
        if (to === undefined) for (let i = r * perRow; i < end; i++) acc[i] = gv[i]! * d;
        else for (let i = r * perRow; i < end; i++) acc[to[i]!]! += gv[i]! * d;
      }
    }
    arrays[0]!.set(acc);
    return finish()[0]!;
  };
}

const gradient: tf.GradConfig = {
  kernelName: FAMILY_LOGPDF,
  outputsToSave: [false, true, true, true, true],
  gradFunc: (dy, saved, attrs) => {
    const tensorArgs = attrs["tensorArgs"] as number[];
    const d = Array.isArray(dy) ? dy[0]! : dy;
    const grads: Record<string, () => tf.Tensor> = {};
    for (let j = 0; j < 4; j++) {
      const shape = attrs[`a${j}Shape`] as number[] | undefined;
      if (shape === undefined) continue;
      const k = tensorArgs.indexOf(j);
      // an argument its caller called data: no partials were made
      grads[`a${j}`] = k < 0 ? () => tf.zeros(shape) : () => tf.engine().runKernel(FAMILY_LOGPDF_GRAD, { g: saved[k]!, dy: d }, { shape, reduce: attrs["reduce"] as string }) as tf.Tensor;
    }
    return grads;
  },
};

/** Register both kernels on every backend tfjs knows, and the gradient; idempotent. */
export function installFamilyKernels(): void {
  for (const backendName of tf.engine().backendNames()) {
    if (!tf.getKernel(FAMILY_LOGPDF, backendName)) tf.registerKernel({ kernelName: FAMILY_LOGPDF, backendName, kernelFunc: forwardKernel(backendName) });
    if (!tf.getKernel(FAMILY_LOGPDF_GRAD, backendName)) tf.registerKernel({ kernelName: FAMILY_LOGPDF_GRAD, backendName, kernelFunc: backwardKernel(backendName) });
  }
  if (tf.getGradient(FAMILY_LOGPDF)?.gradFunc !== gradient.gradFunc) tf.registerGradient(gradient);
}

/** Options of `familyLogPdf`. */
export interface FamilyLogPdfOptions {
  /** Include the family's value-only terms (default true). */
  readonly withConst?: boolean;
  /**
   * The arguments that may be differentiated (default: every tensor, less the value of a
   * discrete family). The others, data, get
   * no partials and a zero gradient: a caller that knows which arguments depend on its
   * parameters (the tfjs executor) saves a pass over their elements.
   */
  readonly wanted?: readonly boolean[];
}

/**
 * log p(args[0] | args[1..]) of `family` (its parameterisation in families.ts) over the
 * arguments' broadcast, per element or summed (`reduce`), differentiable in every tensor
 * argument. `withConst: false` leaves out the family's value-only terms (`constTerm`, such as
 * −lgamma(k + 1) of counts), for a caller that sums them once. Values must lie in the support
 * (the density inside it is computed, with no mask). Tensors that are not float32 are cast.
 */
export function familyLogPdf(family: FamilyName, args: readonly Operand[], reduce: FamilyReduce, { withConst = true, wanted }: FamilyLogPdfOptions = {}): tf.Tensor {
  const f = FAMILIES[family];
  if (args.length !== f.arity) throw new RangeError(`${family} takes ${f.arity} arguments, got ${args.length}`);
  const cast = args.map((a) => (typeof a === "number" || a.dtype === "float32" ? a : tf.cast(a, "float32")));
  try {
    const inputs: tf.NamedTensorMap = {};
    const attrs: Attrs = { family, reduce, withConst, withGrad: tf.engine().isTapeOn(), consts: cast.map((a) => (typeof a === "number" ? a : 0)) };
    const tensorArgs: number[] = [];
    cast.forEach((a, j) => {
      if (typeof a === "number") return;
      inputs[`a${j}`] = a;
      attrs[`a${j}Shape`] = [...a.shape];
      if (wanted?.[j] ?? !(j === 0 && f.discrete === true)) tensorArgs.push(j);
    });
    attrs["tensorArgs"] = tensorArgs;
    const tensors = cast.filter((a): a is tf.Tensor => typeof a !== "number");
    const shape = broadcastShapesOrThrow(tensors.map((t) => t.shape), (m) => new RangeError(`${family}: ${m}`));
    if (reduce === "rows" && shape.length === 0) throw new RangeError(`${family}: a per-row sum needs arguments of rank ≥ 1`);
    if (tensors.length === 0) {
      const out = new Float64Array(1);
      const data = cast.map((a) => [a as number]);
      familyLoop(family, [], { each: true, withConst }, data, [])(1, 1, data, [], [], out);
      return tf.scalar(out[0]!);
    }
    const out = tf.engine().runKernel(FAMILY_LOGPDF, inputs, attrs);
    if (!Array.isArray(out)) return out;
    // the tape keeps its own references to the partials it saved
    for (const t of out.slice(1)) t.dispose();
    return out[0]!;
  } finally {
    cast.forEach((a, j) => {
      if (a !== args[j]) (a as tf.Tensor).dispose();
    });
  }
}
