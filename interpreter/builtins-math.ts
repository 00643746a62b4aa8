/**
 * Math builtins: elementwise functions, reductions with `dims =`, and comparisons, all
 * chain-aware (the chain axis is never reduced, `dims = 1` is the first non-chain axis).
 */
import { tf } from "../core/engine.js";
import { digamma, expm1, lgamma, log1p, logSumExp, softplus } from "../core/special.js";
import * as steps from "../core/steps.js";
import type { Span } from "../grammar/ast.js";
import { elementwise, realAxis } from "./align.js";
import { checkArgsAt } from "./bind-call.js";
import { builtinSignature } from "./builtin-signatures.js";
import { DlmError } from "./errors.js";
import { asInt, asTensorValue, num, shapeOf, tensor, type Builtin, type TensorValue, type Value } from "./value.js";

/**
 * A builtin function value. Every call is bound against the builtin's signature
 * (builtin-signatures.ts) first, so a call with the wrong arguments fails at the call with the
 * binder's message, and `call` may take its arguments' number and keyword names as checked.
 */
export function builtin(name: string, call: Builtin["call"]): Builtin {
  return {
    kind: "builtin",
    name,
    call: (args, kwargs, span) => {
      const sig = builtinSignature(name);
      if (sig !== undefined) checkArgsAt(sig, args, kwargs, span);
      return call(args, kwargs, span);
    },
  };
}

function unary(name: string, f: (t: tf.Tensor) => tf.Tensor, host?: (x: number) => number): Builtin {
  return builtin(name, (args, _kwargs, span) => {
    const a = args[0]!;
    if (host !== undefined && a.kind === "num") return num(host(a.v));
    return elementwise([asTensorValue(a, span, `the argument of \`${name}\``)], f, span);
  });
}

/** The axes to reduce: `dims = d` (1-based, non-chain), else every non-chain axis. */
export function reduceAxes(x: TensorValue, kwargs: ReadonlyMap<string, Value>, span: Span): number[] {
  const d = kwargs.get("dims");
  const rank = shapeOf(x).length;
  if (d === undefined) return Array.from({ length: rank }, (_, i) => realAxis(x, i));
  const ds = d.kind === "list" ? d.items.map((v) => asInt(v, span, "dims")) : [asInt(d, span, "dims")];
  return ds.map((k) => {
    if (k < 1 || k > rank) throw new DlmError(`dims = ${k} is out of range for a value with ${rank} ${rank === 1 ? "axis" : "axes"}`, span);
    return realAxis(x, k - 1);
  });
}

function reduction(name: string, f: (t: tf.Tensor, axes: number[]) => tf.Tensor): Builtin {
  return builtin(name, (args, kwargs, span) => {
    const x = asTensorValue(args[0]!, span, `the argument of \`${name}\``);
    const axes = reduceAxes(x, kwargs, span);
    if (axes.length === 0) return x;
    return tensor(f(x.t, axes), x.batched);
  });
}

const variance = (t: tf.Tensor, axes: number[]): tf.Tensor => {
  // Sample variance (n − 1), as Julia's var and R's var.
  const n = axes.reduce((a, ax) => a * t.shape[ax]!, 1);
  const m = tf.mean(t, axes, true);
  return tf.div(tf.sum(tf.square(tf.sub(t, m)), axes), Math.max(n - 1, 1));
};

function minmax(name: "max" | "min"): Builtin {
  return builtin(name, (args, kwargs, span) => {
    if (args.length === 2) {
      const [a, b] = args as [Value, Value];
      if (a.kind === "num" && b.kind === "num") return num(name === "max" ? Math.max(a.v, b.v) : Math.min(a.v, b.v));
      return elementwise([asTensorValue(a, span), asTensorValue(b, span)], name === "max" ? tf.maximum : tf.minimum, span);
    }
    const x = asTensorValue(args[0]!, span);
    const axes = reduceAxes(x, kwargs, span);
    return tensor(name === "max" ? tf.max(x.t, axes) : tf.min(x.t, axes), x.batched);
  });
}

const logit = (t: tf.Tensor): tf.Tensor => tf.sub(tf.log(t), tf.log1p(tf.neg(t)));

export const MATH_BUILTINS: readonly Builtin[] = [
  unary("exp", tf.exp, Math.exp),
  unary("log", tf.log, Math.log),
  unary("log1p", (t) => log1p(t), Math.log1p),
  unary("expm1", (t) => expm1(t), Math.expm1),
  unary("sqrt", tf.sqrt, Math.sqrt),
  unary("abs", tf.abs, Math.abs),
  unary("square", tf.square, (x) => x * x),
  unary("sin", tf.sin, Math.sin),
  unary("cos", tf.cos, Math.cos),
  unary("tanh", tf.tanh, Math.tanh),
  unary("floor", tf.floor, Math.floor),
  unary("ceil", tf.ceil, Math.ceil),
  unary("round", tf.round, Math.round),
  unary("sigmoid", tf.sigmoid, (x) => 1 / (1 + Math.exp(-x))),
  unary("logistic", tf.sigmoid, (x) => 1 / (1 + Math.exp(-x))),
  unary("inv_logit", tf.sigmoid, (x) => 1 / (1 + Math.exp(-x))),
  unary("logit", logit, (x) => Math.log(x / (1 - x))),
  unary("softplus", (t) => softplus(t)),
  unary("relu", tf.relu, (x) => Math.max(0, x)),
  unary("elu", tf.elu),
  unary("gelu", (t) => tf.mul(tf.mul(t, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(t, tf.mul(0.044715, tf.pow(t, 3)))))))),
  unary("swish", (t) => tf.mul(t, tf.sigmoid(t))),
  unary("identity", (t) => t, (x) => x),
  unary("lgamma", (t) => lgamma(t)),
  unary("digamma", (t) => digamma(t)),
  builtin("softmax", (args, kwargs, span) => lastAxisOp(args, kwargs, span, (t, ax) => (ax === t.rank - 1 ? tf.softmax(t) : tf.exp(tf.sub(t, logSumExp(t, ax, true)))))),
  builtin("logsoftmax", (args, kwargs, span) => lastAxisOp(args, kwargs, span, (t, ax) => tf.sub(t, logSumExp(t, ax, true)))),
  builtin("pow", (args, _kwargs, span) => {
    const [a, b] = args as [Value, Value];
    if (a.kind === "num" && b.kind === "num") return num(a.v ** b.v);
    return elementwise([asTensorValue(a, span), asTensorValue(b, span)], tf.pow, span);
  }),
  builtin("clamp", (args, _kwargs, span) => {
    return elementwise(args.map((a) => asTensorValue(a, span)), (x, lo, hi) => tf.minimum(tf.maximum(x!, lo!), hi!), span);
  }),
  builtin("ifelse", (args, _kwargs, span) => {
    return elementwise(args.map((a) => asTensorValue(a, span)), (c, a, b) => {
      const shape = tf.broadcastTo(tf.zeros([]), tf.add(tf.add(c!, a!), b!).shape).shape;
      return tf.where(steps.truthMask(tf.broadcastTo(c!, shape)), tf.broadcastTo(a!, shape), tf.broadcastTo(b!, shape));
    }, span);
  }),
  reduction("sum", (t, ax) => tf.sum(t, ax)),
  reduction("mean", (t, ax) => tf.mean(t, ax)),
  reduction("prod", (t, ax) => tf.prod(t, ax)),
  reduction("var", variance),
  reduction("std", (t, ax) => tf.sqrt(variance(t, ax))),
  reduction("sd", (t, ax) => tf.sqrt(variance(t, ax))),
  reduction("logsumexp", (t, ax) => logSumExp(t, ax)),
  minmax("max"),
  minmax("min"),
  builtin("cumsum", (args, kwargs, span) => {
    const x = asTensorValue(args[0]!, span);
    const axes = kwargs.has("dims") ? reduceAxes(x, kwargs, span) : [realAxis(x, 0)];
    return tensor(tf.cumsum(x.t, axes[0]!), x.batched);
  }),
];

function lastAxisOp(args: readonly Value[], kwargs: ReadonlyMap<string, Value>, span: Span, f: (t: tf.Tensor, axis: number) => tf.Tensor): Value {
  const x = asTensorValue(args[0]!, span);
  const axis = kwargs.has("dims") ? reduceAxes(x, kwargs, span)[0]! : x.t.rank - 1;
  return tensor(f(x.t, axis), x.batched);
}
