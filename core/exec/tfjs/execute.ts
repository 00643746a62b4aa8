/**
 * The tfjs executor: an IR graph (core/ir/graph.ts) evaluated with tfjs ops in float32,
 * batched over chains: `[chains, dim] → [chains]`, differentiable by tfjs's autodiff (the
 * samplers' batched gradient, core/autodiff.ts). It serves where tfjs wins, large dense
 * products and GPU backends, from the same recorded graph as the host executor.
 *
 * Every node's value is a tensor of rank 1 + its IR rank whose leading axis is the chain
 * axis, of length `chains` for nodes that depend on θ and 1 for constants, so that NumPy
 * broadcasting of the IR shapes is tfjs's broadcasting with that one axis in front.
 * Constants are uploaded once, on the first call.
 */
import { tf } from "../../engine.js";
import { cholesky, triangularSolve } from "../../linalg.js";
import * as steps from "../../steps.js";
import { digamma, lgamma, logSumExp, normalLogCdf } from "../../special.js";
import { inputsOf, liveNodes, sizeOf, type Graph, type ReduceKind } from "../../ir/graph.js";
import type { BinaryFn, UnaryFn } from "../../ir/ops.js";
import { familyLogPdf } from "../../fused-family.js";
import { familyLogPdfSum } from "../../fused-logpdf.js";

/** Each elementwise op of ops.ts as tfjs ops (their gradients are tfjs's). */
export const TFJS_UNARY: Readonly<Record<UnaryFn, (x: tf.Tensor) => tf.Tensor>> = {
  neg: (x) => tf.neg(x),
  exp: (x) => tf.exp(x),
  log: (x) => tf.log(x),
  log1p: (x) => tf.log1p(x),
  expm1: (x) => tf.expm1(x),
  sqrt: (x) => tf.sqrt(x),
  square: (x) => tf.square(x),
  abs: (x) => tf.abs(x),
  sin: (x) => tf.sin(x),
  cos: (x) => tf.cos(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  softplus: (x) => tf.softplus(x),
  // not tf.logSigmoid: its gradient closes over x, which the executor's tidy has freed by then
  logSigmoid: (x) => tf.neg(tf.softplus(tf.neg(x))),
  logit: (x) => tf.sub(tf.log(x), tf.log1p(tf.neg(x))),
  relu: (x) => tf.relu(x),
  elu: (x) => tf.elu(x),
  lgamma: (x) => lgamma(x),
  digamma: (x) => digamma(x),
  logNormalCdf: (x) => normalLogCdf(x),
  floor: (x) => tf.floor(x),
  ceil: (x) => tf.ceil(x),
  round: (x) => tf.round(x),
  not: (x) => steps.not(x),
};

export const TFJS_BINARY: Readonly<Record<BinaryFn, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor>> = {
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  div: (a, b) => tf.div(a, b),
  pow: (a, b) => tf.pow(a, b),
  max: (a, b) => tf.maximum(a, b),
  min: (a, b) => tf.minimum(a, b),
  gt: (a, b) => steps.gt(a, b),
  ge: (a, b) => steps.ge(a, b),
  lt: (a, b) => steps.lt(a, b),
  le: (a, b) => steps.le(a, b),
  eq: (a, b) => steps.eq(a, b),
  ne: (a, b) => steps.ne(a, b),
  and: (a, b) => steps.and(a, b),
  or: (a, b) => steps.or(a, b),
};

export const TFJS_REDUCE: Readonly<Record<ReduceKind, (x: tf.Tensor, axes: number[]) => tf.Tensor>> = {
  sum: (x, axes) => tf.sum(x, axes),
  // core/special's: one fused kernel each way on cpu and wasm where the axes allow
  logsumexp: (x, axes) => logSumExp(x, axes),
  prod: (x, axes) => tf.prod(x, axes),
  max: (x, axes) => tf.max(x, axes),
  min: (x, axes) => tf.min(x, axes),
};

/** A batched log density `[chains, dim] → [chains]` of the graph's scalar node `output`. */
export type TfjsLogDensity = (q: tf.Tensor2D) => tf.Tensor1D;

/** The axes of `a` that a grouped reduction (graph.ts `reduce`) sums over, read off its group map. */
function reducedAxes(shape: readonly number[], group: Int32Array): number[] {
  const axes: number[] = [];
  let stride = 1;
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    // an axis is kept iff one step along it changes the output element (size-1 axes: either)
    if (shape[ax] === 1 || group[stride] === group[0]) axes.push(ax);
    stride *= shape[ax]!;
  }
  return axes.reverse();
}

/** Σ over every axis but the leading (chain) one: `[lead, ...]` → `[lead]`. */
const perChain = (t: tf.Tensor): tf.Tensor => (t.rank === 1 ? t : tf.sum(t, Array.from({ length: t.rank - 1 }, (_, i) => i + 1)));

/** Compile `output` (a node of one element) of `g` to a tfjs function of θ batched over chains. */
export function compileTfjs(g: Graph, output: number): TfjsLogDensity {
  const nodes = g.nodes;
  if (sizeOf(nodes[output]!.shape) !== 1) throw new RangeError(`the output node has shape [${nodes[output]!.shape.join(", ")}], not one element`);
  const live = liveNodes(nodes, output);
  // which nodes depend on θ: the families' partials are wanted for those arguments only
  const onTheta: boolean[] = [];
  nodes.forEach((n, k) => (onTheta[k] = n.op === "param" || inputsOf(n).some((a) => onTheta[a])));
  const axesOf = new Map<number, number[]>();
  nodes.forEach((n, k) => {
    if (live[k] && n.op === "reduce") axesOf.set(k, reducedAxes(nodes[n.a]!.shape, n.group));
  });

  // constants and index vectors are uploaded on the first call and kept for the executor's
  // life (disposed when it is collected): data matrices would otherwise be copied every call
  const kept: tf.Tensor[] = [];
  const constTensor = new Map<number, tf.Tensor>();
  const indexTensor = new Map<number, tf.Tensor>();
  const keep = <T extends tf.Tensor>(t: T): T => {
    kept.push(tf.keep(t));
    return t;
  };
  const run: TfjsLogDensity = (q) =>
    tf.tidy(() => {
      const chains = q.shape[0];
      const v: (tf.Tensor | undefined)[] = new Array(nodes.length);
      /** Node a's value with its IR shape padded with ones on the left to rank r (after the chain axis). */
      const at = (a: number, r: number): tf.Tensor => {
        const t = v[a]!;
        const s = nodes[a]!.shape;
        return s.length === r ? t : tf.reshape(t, [t.shape[0]!, ...new Array<number>(r - s.length).fill(1), ...s]);
      };
      /** Node a as [lead, n] with its lead broadcast to `chains`. */
      const rows = (a: number): tf.Tensor => {
        const t = tf.reshape(v[a]!, [v[a]!.shape[0]!, sizeOf(nodes[a]!.shape)]);
        return t.shape[0] === chains ? t : tf.broadcastTo(t, [chains, t.shape[1]!]);
      };
      const lead = (a: number): number => v[a]!.shape[0]!;
      for (let k = 0; k < nodes.length; k++) {
        if (!live[k]) continue;
        const n = nodes[k]!;
        const r = n.shape.length;
        const shaped = (t: tf.Tensor, l: number): tf.Tensor => (t.shape.length === r + 1 && t.shape[0] === l && n.shape.every((d, i) => t.shape[i + 1] === d) ? t : tf.reshape(t, [l, ...n.shape]));
        switch (n.op) {
          case "param":
            v[k] = shaped(tf.slice(q, [0, n.offset], [chains, sizeOf(n.shape)]), chains);
            break;
          case "const": {
            let c = constTensor.get(k);
            if (c === undefined) constTensor.set(k, (c = keep(tf.tensor(Float32Array.from(n.data), [1, ...n.shape]))));
            v[k] = c;
            break;
          }
          case "unary":
            v[k] = TFJS_UNARY[n.fn](v[n.a]!);
            break;
          case "binary":
            v[k] = TFJS_BINARY[n.fn](at(n.a, r), at(n.b, r));
            break;
          case "sum":
            v[k] = perChain(v[n.a]!);
            break;
          case "reduce": {
            const axes = axesOf.get(k)!.map((ax) => ax + 1);
            const t = v[n.a]!;
            const red = axes.length === 0 ? t : TFJS_REDUCE[n.kind](t, axes);
            v[k] = shaped(red, lead(n.a));
            break;
          }
          case "cumsum": {
            // along the last axis: tfjs's Cumsum gradient mis-shapes other axes of rank-4 input
            const t = tf.transpose(tf.reshape(v[n.a]!, [lead(n.a), n.outer, n.len, n.inner]), [0, 1, 3, 2]);
            v[k] = shaped(tf.transpose(tf.cumsum(t, 3), [0, 1, 3, 2]), lead(n.a));
            break;
          }
          case "take": {
            let idx = indexTensor.get(k);
            if (idx === undefined) indexTensor.set(k, (idx = keep(tf.tensor1d(n.index, "int32"))));
            const flat = tf.reshape(v[n.a]!, [lead(n.a), sizeOf(nodes[n.a]!.shape)]);
            v[k] = shaped(tf.gather(flat, idx, 1), lead(n.a));
            break;
          }
          case "concat": {
            const l = n.parts.some((p) => lead(p) !== 1) ? chains : 1;
            const parts = n.parts.map((p) => (l === 1 ? tf.reshape(v[p]!, [1, sizeOf(nodes[p]!.shape)]) : rows(p)));
            v[k] = shaped(parts.length === 1 ? parts[0]! : tf.concat(parts, 1), l);
            break;
          }
          case "matmul": {
            const { a, b, m, k: kk, n: nn } = n;
            const la = lead(a);
            const lb = lead(b);
            const l = Math.max(la, lb);
            const A = tf.reshape(v[a]!, [la, m, kk]);
            const B = tf.reshape(v[b]!, [lb, kk, nn]);
            // a constant operand is one matrix shared by every chain
            const prod = la === 1 && lb !== 1 ? tf.reshape(tf.matMul(tf.reshape(A, [m, kk]), tf.reshape(tf.transpose(B, [1, 0, 2]), [kk, lb * nn])), [m, lb, nn])
              : lb === 1 && la !== 1 ? tf.reshape(tf.matMul(tf.reshape(A, [la * m, kk]), tf.reshape(B, [kk, nn])), [la, m, nn])
              : tf.matMul(A, B);
            v[k] = shaped(la === 1 && lb !== 1 ? tf.transpose(prod, [1, 0, 2]) : prod, l);
            break;
          }
          case "cholesky":
            v[k] = cholesky(v[n.a]!);
            break;
          case "trisolve": {
            const l = Math.max(lead(n.l), lead(n.b));
            const L = lead(n.l) === l ? v[n.l]! : tf.broadcastTo(v[n.l]!, [l, n.n, n.n]);
            const B = tf.reshape(v[n.b]!, [lead(n.b), n.n, n.m]);
            const Bl = lead(n.b) === l ? B : tf.broadcastTo(B, [l, n.n, n.m]);
            v[k] = shaped(triangularSolve(L, Bl, { transpose: n.transpose }), l);
            break;
          }
          case "lpdf": {
            const rank = Math.max(...n.args.map((a) => nodes[a]!.shape.length));
            const args = n.args.map((a) => at(a, rank));
            const wanted = n.args.map((a) => onTheta[a]!);
            if (n.each === true) {
              const each = familyLogPdf(n.family, args, "each", { wanted });
              v[k] = shaped(each, each.shape[0]!);
            } else v[k] = familyLogPdfSum(n.family, args, true, { wanted });
            break;
          }
          case "select": {
            const l = Math.max(lead(n.cond), lead(n.a), lead(n.b));
            const full = (a: number): tf.Tensor => {
              const t = at(a, r);
              return t.shape.every((d, i) => d === (i === 0 ? l : n.shape[i - 1])) ? t : tf.broadcastTo(t, [l, ...n.shape]);
            };
            v[k] = tf.where(steps.truthMask(full(n.cond)), full(n.a), full(n.b));
            break;
          }
          default: {
            const unknown: never = n;
            throw new RangeError(`the tfjs executor has no rule for the node ${JSON.stringify(unknown)}`);
          }
        }
      }
      const out = tf.reshape(v[output]!, [lead(output)]);
      if (out.shape[0] === chains) return out as tf.Tensor1D;
      // a density that does not depend on θ: the same value for every chain, and a zero gradient
      return tf.add(tf.broadcastTo(out, [chains]), tf.mul(tf.sum(q, 1), 0)) as tf.Tensor1D;
    });
  released.register(run, kept);
  return run;
}

/** Frees an executor's kept tensors once the executor itself is garbage. */
const released = new FinalizationRegistry<tf.Tensor[]>((kept) => tf.dispose(kept));
