/**
 * Composite kernels for the sums of the two families that dominate large tensors, Normal and
 * Bernoulli(logit) (the public function is familyLogPdfSum in fused-logpdf.ts), with analytic,
 * lazily evaluated gradients.
 *
 * Every other case goes through the family kernel (fused-family.ts), whose loop runs the one
 * float64 definition of core/ir/families.ts. These composites exist for speed where a host
 * loop loses: on wasm above HOST_LOOP_MAX_SIZE elements, whose vectorised (SIMD) kernels cost
 * ~1–2 ns per element against the loop's ~6–9, and on backends whose buffers are not in host
 * memory (tensorflow, webgl), where the loop would copy them across. They call the backend's
 * own kernel functions directly (kernels/compose.ts): written as tfjs ops, Σ Normal(x | μ, σ)
 * is ~8 ops on the gradient tape, each replayed by one or more backward kernels. The gradient
 * is registered with `tf.registerGradient` and returns one closure per input; tfjs's tape
 * prunes the inputs that do not lead from the differentiated tensors (getFilteredNodesXToY in
 * tfjs-core), so e.g. the x-gradient of observed data is never computed, as with Stan's
 * hand-written partials (Carpenter et al. 2015). Unlike `tf.customGrad`, every tensor the
 * density depends on is a kernel input, so a trained variable passed as μ or σ is seen by the
 * tape.
 *
 * Outputs: the sum (scalar, or `[S₀]` with `batched`); when the tape is recording
 * (`withGrad`, set by the caller from `tf.engine().isTapeOn()`) also the element-wise partials
 * the backward pass needs, shaped like the broadcast shape S, which the gradient config saves
 * (`outputsToSave`):
 *   Normal:    w = z/σ (∂/∂x = −w, ∂/∂μ = w) and, for a tensor σ, g_σ = (z² − 1)/σ;
 *   Bernoulli: h = (1 − 2y)·sigmoid((1 − 2y)·η), so ∂/∂η = −h (= y − sigmoid(η) for y ∈ {0, 1},
 *              without the cancellation of 1 − sigmoid(η) for large η at y = 1).
 * A number operand is a kernel attribute (`x`, `loc`, `scale`, `y`, `logit`), not an input.
 * Every kernel records the operands' shapes as attributes (`xShape`, …) so that the gradient
 * can sum the broadcast partials back to each input's shape.
 *
 * The backward kernels have no gradient of their own: second derivatives through these sums
 * are not supported (tfjs reports the missing gradient of `DlmSumToShape`).
 *
 * This file imports TensorFlow.js directly (like kernels/), because engine.ts installs it.
 */
import * as tf from "@tensorflow/tfjs";
import { broadcastShapesOrThrow } from "./broadcast.js";
import { compose, type Composer, type Info, type KernelFunc } from "./kernels/compose.js";

/** Kernel name of Σ log Normal(x | loc, scale). Inputs (tensors only): x, loc, scale. */
export const NORMAL_LOGPDF_SUM = "DlmNormalLogPdfSum";
/** Kernel name of Σ log Bernoulli(y | logit). Inputs (tensors only): y, logit. */
export const BERNOULLI_LOGIT_LOGPMF_SUM = "DlmBernoulliLogitLogPmfSum";
/**
 * Kernel name of the backward step: inputs g (shape S) and dy (the sum's upstream gradient,
 * `[]` or `[S₀]`); attrs shape (the target), negate, batched. Output
 * sum-to-shape(±g·dy broadcast back over the summed axes).
 */
export const SUM_TO_SHAPE = "DlmSumToShape";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

type Attrs = NonNullable<Parameters<KernelFunc>[0]["attrs"]>;

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
const product = (xs: readonly number[]): number => xs.reduce((p, d) => p * d, 1);


/** Axes of S summed by the kernels: all, or all but the first. */
const sumAxes = (rank: number, batched: boolean): number[] => range(batched ? 1 : 0, rank);

/** Σ over `axes` (nothing to do for none). */
function sumOver(c: Composer, x: Info, axes: readonly number[]): Info {
  return axes.length > 0 ? c.run("Sum", { x }, { axis: [...axes], keepDims: false }) : x;
}

/** `x·k` for a host number k, skipping k = 1 and using Neg for k = −1. */
function scaleBy(c: Composer, x: Info, k: number): Info {
  if (k === 1) return x;
  if (k === -1) return c.run("Neg", { x });
  return c.run("Multiply", { a: x, b: c.fill([], k) });
}

interface RefCounting {
  incRef(dataId: object): void;
}

/**
 * Run a composition whose kernel has extra outputs: `body` returns the main result and the
 * auxiliary buffers; each auxiliary one gets a reference of its own before `compose` frees
 * its intermediates (buffers are reference-counted on every tfjs backend, which is how their
 * `Identity` shares a buffer), so it survives as a kernel output.
 */
function composeWithAux(backend: object, backendName: string, body: (c: Composer) => readonly [Info, readonly Info[]]): Info[] {
  let aux: readonly Info[] = [];
  const main = compose(backend, backendName, (c) => {
    const [result, extra] = body(c);
    for (const info of extra) (backend as RefCounting).incRef(info.dataId);
    aux = extra.map((info) => ({ dataId: info.dataId, shape: [...info.shape], dtype: info.dtype }));
    return result;
  });
  return aux.length > 0 ? [main, ...aux] : [main];
}

const num = (attrs: Attrs, name: string): number | undefined => {
  const v = attrs[name];
  return typeof v === "number" ? v : undefined;
};

/** The operands of a location-scale kernel: tensors where given, else the number attributes. */
interface LocScaleOperands {
  readonly x: Info | undefined;
  readonly loc: Info | undefined;
  readonly scale: Info | undefined;
  readonly xc: number;
  readonly lc: number;
  readonly sc: number;
  readonly shape: number[];
  readonly axes: number[];
  /** Elements summed into each output element. */
  readonly perRow: number;
}

function locScaleOperands(inputs: Parameters<KernelFunc>[0]["inputs"], attrs: Attrs): LocScaleOperands {
  const [x, loc, scale] = [inputs["x"], inputs["loc"], inputs["scale"]];
  const shape = broadcastShapesOrThrow([x, loc, scale].flatMap((t) => (t ? [t.shape] : [])));
  const axes = sumAxes(shape.length, attrs["batched"] === true);
  return { x, loc, scale, xc: num(attrs, "x") ?? 0, lc: num(attrs, "loc") ?? 0, sc: num(attrs, "scale") ?? 1, shape, axes, perRow: product(axes.map((i) => shape[i]!)) };
}

/** z = (x − μ)/σ. */
function standardise(c: Composer, o: LocScaleOperands): Info {
  const xi = o.x ?? c.fill([], o.xc);
  const d = o.loc ? c.run("Sub", { a: xi, b: o.loc }) : o.lc === 0 ? xi : c.run("Sub", { a: xi, b: c.fill([], o.lc) });
  return o.scale ? c.run("RealDiv", { a: d, b: o.scale }) : scaleBy(c, d, 1 / o.sc);
}

/** `value` − Σ log σ over the summed axes − `constant` (per summed element) · perRow. */
function subtractLogScale(c: Composer, o: LocScaleOperands, value: Info, constant: number): Info {
  let total = o.perRow * constant;
  let out = value;
  const scale = o.scale;
  if (scale) {
    // Σ over S of the broadcast log σ = (multiplicity) · Σ over σ's own axes.
    const offset = o.shape.length - scale.shape.length;
    const own = o.axes.filter((i) => i >= offset).map((i) => i - offset);
    const multiplicity = product(o.axes.map((i) => (i < offset || scale.shape[i - offset] === 1 ? o.shape[i]! : 1)));
    const logs = scaleBy(c, sumOver(c, c.run("Log", { x: scale }), own), multiplicity);
    out = c.run("Sub", { a: out, b: logs });
  } else {
    total += o.perRow * Math.log(o.sc);
  }
  return total !== 0 ? c.run("Sub", { a: out, b: c.fill([], total) }) : out;
}

/** The forward Normal kernel of one backend. */
function normalKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const o = locScaleOperands(inputs, attrs);
    const withGrad = attrs["withGrad"] === true;
    return composeWithAux(backend, backendName, (c) => {
      const z = standardise(c, o);
      const sq = c.run("Square", { x: z });
      const value = subtractLogScale(c, o, scaleBy(c, sumOver(c, sq, o.axes), -0.5), HALF_LOG_2PI);
      if (!withGrad) return [value, []];
      const w = o.scale ? c.run("RealDiv", { a: z, b: o.scale }) : scaleBy(c, z, 1 / o.sc);
      if (!o.scale) return [value, [w]];
      const gScale = c.run("RealDiv", { a: c.run("Sub", { a: sq, b: c.fill([], 1) }), b: o.scale });
      return [value, [w, gScale]];
    });
  };
}

/** The forward Bernoulli(logit) kernel of one backend. */
function bernoulliKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const y = inputs["y"];
    const logit = inputs["logit"];
    const batched = attrs["batched"] === true;
    const withGrad = attrs["withGrad"] === true && logit !== undefined;
    const yc = num(attrs, "y") ?? 0;
    const lc = num(attrs, "logit") ?? 0;
    const shape = broadcastShapesOrThrow([y, logit].flatMap((t) => (t ? [t.shape] : [])));
    const axes = sumAxes(shape.length, batched);
    return composeWithAux(backend, backendName, (c) => {
      const eta = logit ?? c.fill([], lc);
      // s = 1 − 2y; t = s·η; log p = −softplus(t) (bernoulli.ts's form).
      const s = y ? c.run("Sub", { a: c.fill([], 1), b: c.run("Add", { a: y, b: y }) }) : undefined;
      const t = s ? c.run("Multiply", { a: s, b: eta }) : scaleBy(c, eta, 1 - 2 * yc);
      const value = c.run("Neg", { x: sumOver(c, c.run("Softplus", { x: t }), axes) });
      if (!withGrad) return [value, []];
      const sig = c.run("Sigmoid", { x: t });
      return [value, [s ? c.run("Multiply", { a: s, b: sig }) : scaleBy(c, sig, 1 - 2 * yc)]];
    });
  };
}

/** The backward kernel of one backend (see SUM_TO_SHAPE). */
function sumToShapeKernel(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const g = inputs["g"]!;
    const dy = inputs["dy"]!;
    const target = attrs["shape"] as number[];
    const negate = attrs["negate"] === true;
    const batched = attrs["batched"] === true;
    return compose(backend, backendName, (c) => {
      const rank = g.shape.length;
      let d = batched && rank > 1 ? c.reshape(dy, [dy.shape[0]!, ...range(1, rank).map(() => 1)]) : dy;
      if (negate) d = c.run("Neg", { x: d });
      const full = c.run("Multiply", { a: g, b: d });
      const offset = rank - target.length;
      const axes = range(0, rank).filter((i) => i < offset || (target[i - offset] === 1 && g.shape[i] !== 1));
      const summed = sumOver(c, full, axes);
      return summed.shape.length === target.length ? summed : c.reshape(summed, target);
    });
  };
}

/** `sumToShape(±g·dy)` for an input of `shape` (one engine kernel). */
function sumToShape(g: tf.Tensor, dy: tf.Tensor, shape: readonly number[], negate: boolean, batched: boolean): tf.Tensor {
  return tf.engine().runKernel(SUM_TO_SHAPE, { g, dy }, { shape: [...shape], negate, batched }) as tf.Tensor;
}

const firstDy = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(dy) ? dy[0]! : dy);
const shapeAttr = (attrs: Attrs, name: string): number[] => attrs[`${name}Shape`] as number[];

/** The gradient of the Normal kernel: w and g_σ saved. */
const locScaleGradient = (kernelName: string): tf.GradConfig => ({
  kernelName,
  outputsToSave: [false, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [w, gScale] = saved as [tf.Tensor, tf.Tensor | undefined];
    const d = firstDy(dy);
    const keep = attrs["batched"] === true;
    return {
      x: () => sumToShape(w, d, shapeAttr(attrs, "x"), true, keep),
      loc: () => sumToShape(w, d, shapeAttr(attrs, "loc"), false, keep),
      scale: () => sumToShape(gScale!, d, shapeAttr(attrs, "scale"), false, keep),
    };
  },
});
const normalGradient = locScaleGradient(NORMAL_LOGPDF_SUM);

const bernoulliGradient: tf.GradConfig = {
  kernelName: BERNOULLI_LOGIT_LOGPMF_SUM,
  outputsToSave: [false, true],
  gradFunc: (dy, saved, attrs) => {
    const [h] = saved as [tf.Tensor];
    const d = firstDy(dy);
    return {
      logit: () => sumToShape(h, d, shapeAttr(attrs, "logit"), true, attrs["batched"] === true),
      y: () => {
        throw new Error("bernoulliLogitLogPmfSum: no gradient with respect to y (a class label in {0, 1})");
      },
    };
  },
};

/**
 * Largest broadcast size that host loops take on wasm (the family kernel for Normal and
 * Bernoulli(logit) sums, the interval transform); bigger tensors go to composites of wasm's
 * vectorised (SIMD) kernels: on the 2-core machine a loop costs ~6–9 ns per element against
 * ~1–2 ns, so the composite's fixed cost of ~10 kernel launches is repaid from ~2,000–4,000
 * elements (bench/fused-logpdf.ts prints both). On cpu the backend's own kernels are generic
 * JS loops, slower than ours at every size: no limit there.
 */
export const HOST_LOOP_MAX_SIZE = 2048;

/** Kernel name → its composite implementation. */
const FACTORIES: readonly (readonly [string, (backendName: string) => KernelFunc])[] = [
  [NORMAL_LOGPDF_SUM, normalKernel],
  [BERNOULLI_LOGIT_LOGPMF_SUM, bernoulliKernel],
  [SUM_TO_SHAPE, sumToShapeKernel],
];

/**
 * Register the composite kernels for every backend tfjs knows (`tf.engine().backendNames()`:
 * cpu and wasm here, tensorflow where tfjs-node is loaded) and their gradients; idempotent.
 */
export function installFusedLogPdfKernels(): void {
  for (const backendName of tf.engine().backendNames()) {
    for (const [kernelName, composite] of FACTORIES) {
      if (!tf.getKernel(kernelName, backendName)) tf.registerKernel({ kernelName, backendName, kernelFunc: composite(backendName) });
    }
  }
  for (const config of [normalGradient, bernoulliGradient]) {
    if (tf.getGradient(config.kernelName)?.gradFunc !== config.gradFunc) tf.registerGradient(config);
  }
}
