/**
 * The constructors users write in `.dlm` files, by name: layers (`LAYERS`) and optimisers
 * (`OPTIMISERS`). Each entry gives its positional and keyword argument names (for arity
 * checks and hints), a one-line doc, and `make(args)`, which reads and checks the values.
 */
import { bind, type Bound, type Param, type Signature } from "../core/bind.js";
import { defined } from "../core/defined.js";
import {
  ArgumentError,
  readActivation,
  readBool,
  readInit,
  readLayer,
  readNumber,
  readPadding,
  readPair,
  readSize,
  readWindow,
  type CallArgs,
} from "./args.js";
import { multiHeadAttention } from "./attention.js";
import { batchNorm } from "./batch-norm.js";
import { chain } from "./chain.js";
import { convTranspose } from "./conv-transpose.js";
import { conv1d } from "./conv1d.js";
import { conv2d } from "./conv2d.js";
import { dense } from "./dense.js";
import { dropout } from "./dropout.js";
import { embedding } from "./embedding.js";
import { flatten } from "./flatten.js";
import { globalMaxPool, globalMeanPool } from "./global-pool.js";
import type { Layer } from "./layer.js";
import { layerNorm } from "./layer-norm.js";
import { adagrad, adam, adamw, rmsprop, sgd, type CommonOptions, type Optimiser } from "./optimisers.js";
import { parallel } from "./parallel.js";
import { maxPool, meanPool } from "./pool.js";
import { gru, lstm, rnn } from "./recurrent.js";
import { skipConnection } from "./skip.js";
import { upsample } from "./upsample.js";

/** An entry's arguments as its doc line writes them. */
export interface ArgNames {
  /** Positional argument names, in order; a trailing `...` marks the variadic one. */
  readonly positional: readonly string[];
  /** How many positional arguments are required. */
  readonly required: number;
  readonly variadic?: boolean;
  /** Names that may be given by keyword (a positional one listed here may be given either way). */
  readonly keywords: readonly string[];
}

export interface Entry<T> extends ArgNames {
  /** One line for help and hints, with the call form. */
  readonly doc: string;
  /** What core/bind.ts checks calls against. */
  readonly signature: Signature;
  make(args: CallArgs): T;
}

/** Evaluated arguments and what the binder made of them. */
interface Given extends CallArgs {
  readonly bound: Bound<unknown>;
}

/** The binder's view of `names`: positional ones also given by keyword when listed there. */
function signatureOf(name: string, names: ArgNames, doc: string): Signature {
  const last = names.positional.length - 1;
  const positional = names.positional.map((p, i): Param => ({
    name: p.replace(/\.\.\.$/, ""),
    kind: names.keywords.includes(p) ? "positional" : "positional-only",
    required: i < names.required,
    variadic: names.variadic === true && i === last,
  }));
  const keywordOnly = names.keywords.filter((k) => !names.positional.includes(k)).map((k): Param => ({ name: k, kind: "keyword" }));
  return { name, usage: doc, params: [...positional, ...keywordOnly] };
}

/** Argument `name` (given by position or by keyword), read with `read` when present. */
function opt<T>(args: Given, name: string, read: (v: unknown, where: string) => T, where: string): T | undefined {
  const v = args.bound.get(name);
  return v === undefined ? undefined : read(v, `${where}, argument '${name}'`);
}

function entry<T>(name: string, names: ArgNames, doc: string, build: (args: Given) => T): Entry<T> {
  const signature = signatureOf(name, names, doc);
  return {
    ...names,
    doc,
    signature,
    make: (args) => build({ ...args, bound: bind(signature, args.positional, args.keywords) }),
  };
}

export const LAYERS: Readonly<Record<string, Entry<Layer>>> = {
  Dense: entry(
    "Dense",
    { positional: ["in => out", "activation"], required: 1, keywords: ["activation", "bias", "init"] },
    "Dense(in => out, activation = identity; bias = true, init = glorot_uniform): y = activation(x W + b), W [in, out]",
    (a) => {
      const p = readPair(a.positional[0], "Dense, argument 1");
      return dense(p.from, p.to, defined({
        activation: opt(a, "activation", readActivation, "Dense"),
        bias: opt(a, "bias", readBool, "Dense"),
        init: opt(a, "init", readInit, "Dense"),
      }));
    },
  ),
  Chain: entry(
    "Chain",
    { positional: ["layers..."], required: 1, variadic: true, keywords: [] },
    "Chain(layer1, layer2, ...): apply the layers in turn; parameters are named [1], [2], ...",
    (a) => chain(...a.positional.map((v, i) => readLayer(v, `Chain, argument ${i + 1}`))),
  ),
  Dropout: entry(
    "Dropout",
    { positional: ["p"], required: 1, keywords: [] },
    "Dropout(p): in training, zero each value with probability p and scale the rest by 1/(1 - p)",
    (a) => dropout(readNumber(a.positional[0], "Dropout, argument 'p'")),
  ),
  LayerNorm: entry(
    "LayerNorm",
    { positional: ["size", "activation"], required: 1, keywords: ["activation", "eps", "affine"] },
    "LayerNorm(size, activation = identity; eps = 1e-5, affine = true): normalise each row over its last axis, then gain and bias",
    (a) =>
      layerNorm(readSize(a.positional[0], "LayerNorm, argument 'size'"), defined({
        activation: opt(a, "activation", readActivation, "LayerNorm"),
        eps: opt(a, "eps", readNumber, "LayerNorm"),
        affine: opt(a, "affine", readBool, "LayerNorm"),
      })),
  ),
  BatchNorm: entry(
    "BatchNorm",
    { positional: ["channels", "activation"], required: 1, keywords: ["activation", "eps", "momentum", "affine"] },
    "BatchNorm(channels, activation = identity; eps = 1e-5, momentum = 0.1): normalise by batch statistics in training, running ones after",
    (a) =>
      batchNorm(readSize(a.positional[0], "BatchNorm, argument 'channels'"), defined({
        activation: opt(a, "activation", readActivation, "BatchNorm"),
        eps: opt(a, "eps", readNumber, "BatchNorm"),
        momentum: opt(a, "momentum", readNumber, "BatchNorm"),
        affine: opt(a, "affine", readBool, "BatchNorm"),
      })),
  ),
  Embedding: entry(
    "Embedding",
    { positional: ["vocab => dim"], required: 1, keywords: ["init"] },
    "Embedding(vocab => dim; init = randn): token i (1..vocab) ↦ row i of a [vocab, dim] weight",
    (a) => {
      const p = readPair(a.positional[0], "Embedding, argument 1");
      return embedding(p.from, p.to, defined({ init: opt(a, "init", readInit, "Embedding") }));
    },
  ),
  RNN: entry(
    "RNN",
    { positional: ["in => out", "activation"], required: 1, keywords: ["activation", "sequence", "bias", "init"] },
    "RNN(in => out, activation = tanh; sequence = false, bias = true, init = glorot_uniform): h_t = activation(x_t W_ih + h_{t-1} W_hh + b) over x (N, T, in); the last h (N, out), or every step (N, T, out) with sequence = true; init sets weight_ih, weight_hh starts orthogonal",
    (a) => {
      const p = readPair(a.positional[0], "RNN, argument 1");
      return rnn(p.from, p.to, defined({
        activation: opt(a, "activation", readActivation, "RNN"),
        sequence: opt(a, "sequence", readBool, "RNN"),
        bias: opt(a, "bias", readBool, "RNN"),
        init: opt(a, "init", readInit, "RNN"),
      }));
    },
  ),
  LSTM: gatedEntry("LSTM", "LSTM(in => out; sequence = false, bias = true, init = glorot_uniform): long short-term memory over x (N, T, in), gates (i, f, g, o) packed in weight_ih and weight_hh; the last h (N, out), or every step (N, T, out) with sequence = true; init sets weight_ih, weight_hh starts orthogonal", lstm),
  GRU: gatedEntry("GRU", "GRU(in => out; sequence = false, bias = true, init = glorot_uniform): gated recurrent unit (PyTorch form, gates r, z, n) over x (N, T, in); the last h (N, out), or every step (N, T, out) with sequence = true; init sets weight_ih, weight_hh starts orthogonal", gru),
  MultiHeadAttention: entry(
    "MultiHeadAttention",
    { positional: ["dim"], required: 1, keywords: ["heads", "causal", "bias", "init"] },
    "MultiHeadAttention(dim; heads = 1, causal = false, bias = true, init = glorot_uniform): self-attention over x (N, T, dim) to (N, T, dim); per head softmax(Q K^T / sqrt(dim / heads)) V with Q, K, V = x weight_q, x weight_k, x weight_v, the heads joined and projected by weight_o; heads must divide dim; causal = true hides later steps from each step",
    (a) =>
      multiHeadAttention(readSize(a.positional[0], "MultiHeadAttention, argument 'dim'"), defined({
        heads: opt(a, "heads", readSize, "MultiHeadAttention"),
        causal: opt(a, "causal", readBool, "MultiHeadAttention"),
        bias: opt(a, "bias", readBool, "MultiHeadAttention"),
        init: opt(a, "init", readInit, "MultiHeadAttention"),
      })),
  ),
  Conv2D: convEntry("Conv2D"),
  Conv: convEntry("Conv"),
  MaxPool: poolEntry("MaxPool"),
  MeanPool: poolEntry("MeanPool"),
  AvgPool: poolEntry("AvgPool"),
  SkipConnection: entry(
    "SkipConnection",
    { positional: ["layer", "connection"], required: 1, keywords: [] },
    'SkipConnection(layer, connection = "+"): layer(x) + x, or "cat" to concatenate layer(x) and x on the last axis',
    (a) => {
      const c = a.positional[1] ?? "+";
      if (c !== "+" && c !== "cat") throw new ArgumentError(`SkipConnection, argument 2: expected "+" or "cat", got ${String(c)}`);
      return skipConnection(readLayer(a.positional[0], "SkipConnection, argument 1"), c);
    },
  ),
  Flatten: entry("Flatten", { positional: [], required: 0, keywords: [] }, "Flatten(): each observation to a vector", () => flatten()),
  Conv1D: entry(
    "Conv1D",
    { positional: ["k", "cin => cout", "activation"], required: 2, keywords: ["activation", "stride", "pad", "bias", "init"] },
    'Conv1D(k, cin => cout, activation = identity; stride = 1, pad = "valid", bias = true): 1-D convolution on (N, length, channels) sequences',
    (a) => {
      const p = readPair(a.positional[1], "Conv1D, argument 2");
      return conv1d(readSize(a.positional[0], "Conv1D, argument 1"), p.from, p.to, defined({
        activation: opt(a, "activation", readActivation, "Conv1D"),
        stride: opt(a, "stride", readSize, "Conv1D"),
        pad: opt(a, "pad", readPadding, "Conv1D"),
        bias: opt(a, "bias", readBool, "Conv1D"),
        init: opt(a, "init", readInit, "Conv1D"),
      }));
    },
  ),
  ConvTranspose: entry(
    "ConvTranspose",
    { positional: ["(kh, kw)", "cin => cout", "activation"], required: 2, keywords: ["activation", "stride", "pad", "bias", "init"] },
    'ConvTranspose((kh, kw), cin => cout, activation = identity; stride = 1, pad = "valid", bias = true): transposed 2-D convolution, height (H - 1)·stride + kh for "valid"',
    (a) => {
      const p = readPair(a.positional[1], "ConvTranspose, argument 2");
      return convTranspose(readWindow(a.positional[0], "ConvTranspose, argument 1"), p.from, p.to, defined({
        activation: opt(a, "activation", readActivation, "ConvTranspose"),
        stride: opt(a, "stride", readSize, "ConvTranspose"),
        pad: opt(a, "pad", readPadding, "ConvTranspose"),
        bias: opt(a, "bias", readBool, "ConvTranspose"),
        init: opt(a, "init", readInit, "ConvTranspose"),
      }));
    },
  ),
  GlobalMeanPool: entry(
    "GlobalMeanPool",
    { positional: [], required: 0, keywords: [] },
    "GlobalMeanPool(): the mean of each channel over every spatial axis, (N, ..., channels) to (N, channels)",
    () => globalMeanPool(),
  ),
  GlobalMaxPool: entry(
    "GlobalMaxPool",
    { positional: [], required: 0, keywords: [] },
    "GlobalMaxPool(): the maximum of each channel over every spatial axis, (N, ..., channels) to (N, channels)",
    () => globalMaxPool(),
  ),
  Upsample: entry(
    "Upsample",
    { positional: ["scale"], required: 0, keywords: ["scale"] },
    "Upsample(scale): nearest-neighbour upsampling of (N, height, width, channels) images by scale or (sh, sw)",
    (a) => {
      const scale = opt(a, "scale", readWindow, "Upsample");
      if (scale === undefined) throw new ArgumentError("Upsample needs a scale, e.g. Upsample(2) or Upsample(scale = (2, 1))");
      return upsample(scale);
    },
  ),
  Parallel: entry(
    "Parallel",
    { positional: ["connection", "layers..."], required: 2, variadic: true, keywords: [] },
    'Parallel(connection, layer1, layer2, ...): every layer on the same input, outputs summed ("+") or concatenated on the last axis ("cat"); parameters [1], [2], ...',
    (a) => {
      const c = a.positional[0];
      if (c !== "+" && c !== "cat") throw new ArgumentError(`Parallel, argument 1: expected "+" or "cat", got ${String(c)}`);
      return parallel(c, ...a.positional.slice(1).map((v, i) => readLayer(v, `Parallel, argument ${i + 2}`)));
    },
  ),
};

/** LSTM and GRU: `(in => out; sequence, bias, init)`, the same arguments for both cells. */
function gatedEntry(name: "LSTM" | "GRU", doc: string, make: typeof lstm | typeof gru): Entry<Layer> {
  return entry(name, { positional: ["in => out"], required: 1, keywords: ["sequence", "bias", "init"] }, doc, (a) => {
    const p = readPair(a.positional[0], `${name}, argument 1`);
    return make(p.from, p.to, defined({
      sequence: opt(a, "sequence", readBool, name),
      bias: opt(a, "bias", readBool, name),
      init: opt(a, "init", readInit, name),
    }));
  });
}

function convEntry(name: string): Entry<Layer> {
  return entry(
    name,
    { positional: ["(kh, kw)", "cin => cout", "activation"], required: 2, keywords: ["activation", "stride", "pad", "bias", "init"] },
    `${name}((kh, kw), cin => cout, activation = identity; stride = 1, pad = "valid", bias = true): 2-D convolution on (N, height, width, channels) images`,
    (a) => {
      const p = readPair(a.positional[1], `${name}, argument 2`);
      return conv2d(readWindow(a.positional[0], `${name}, argument 1`), p.from, p.to, defined({
        activation: opt(a, "activation", readActivation, name),
        stride: opt(a, "stride", readSize, name),
        pad: opt(a, "pad", readPadding, name),
        bias: opt(a, "bias", readBool, name),
        init: opt(a, "init", readInit, name),
      }));
    },
  );
}

function poolEntry(name: "MaxPool" | "MeanPool" | "AvgPool"): Entry<Layer> {
  const what = name === "MaxPool" ? "maximum" : "mean";
  return entry(
    name,
    { positional: ["(kh, kw)"], required: 1, keywords: ["stride", "pad"] },
    `${name}((kh, kw); stride = window, pad = "valid"): the ${what} of each window, channel by channel`,
    (a) => {
      const window = readWindow(a.positional[0], `${name}, argument 1`);
      const options = defined({ stride: opt(a, "stride", readWindow, name), pad: opt(a, "pad", readPadding, name) });
      return name === "MaxPool" ? maxPool(window, options) : meanPool(window, options);
    },
  );
}

const COMMON = ["weight_decay", "clip_norm", "clip_value"] as const;

function common(a: Given, name: string): CommonOptions {
  return defined({
    weightDecay: opt(a, "weight_decay", readNumber, name),
    clipNorm: opt(a, "clip_norm", readNumber, name),
    clipValue: opt(a, "clip_value", readNumber, name),
  });
}

const lrOf = (a: Given, name: string, fallback: number): number => opt(a, "lr", readNumber, name) ?? fallback;

export const OPTIMISERS: Readonly<Record<string, Entry<Optimiser>>> = {
  Descent: entry("Descent", { positional: ["lr"], required: 0, keywords: ["lr", ...COMMON] }, "Descent(lr = 0.1): plain gradient descent", (a) =>
    sgd(lrOf(a, "Descent", 0.1), common(a, "Descent")),
  ),
  SGD: entry(
    "SGD",
    { positional: ["lr"], required: 0, keywords: ["lr", "momentum", "nesterov", ...COMMON] },
    "SGD(lr = 0.1; momentum = 0, nesterov = false, weight_decay = 0, clip_norm, clip_value): stochastic gradient descent",
    (a) =>
      sgd(lrOf(a, "SGD", 0.1), defined({
        ...common(a, "SGD"),
        momentum: opt(a, "momentum", readNumber, "SGD"),
        nesterov: opt(a, "nesterov", readBool, "SGD"),
      })),
  ),
  Momentum: entry("Momentum", { positional: ["lr", "rho"], required: 0, keywords: ["lr", "rho", ...COMMON] }, "Momentum(lr = 0.01, rho = 0.9): SGD with momentum", (a) =>
    sgd(lrOf(a, "Momentum", 0.01), { ...common(a, "Momentum"), momentum: opt(a, "rho", readNumber, "Momentum") ?? 0.9 }),
  ),
  Nesterov: entry("Nesterov", { positional: ["lr", "rho"], required: 0, keywords: ["lr", "rho", ...COMMON] }, "Nesterov(lr = 0.001, rho = 0.9): SGD with Nesterov momentum", (a) =>
    sgd(lrOf(a, "Nesterov", 0.001), { ...common(a, "Nesterov"), momentum: opt(a, "rho", readNumber, "Nesterov") ?? 0.9, nesterov: true }),
  ),
  Adam: entry(
    "Adam",
    { positional: ["lr"], required: 0, keywords: ["lr", "beta1", "beta2", "eps", ...COMMON] },
    "Adam(lr = 0.001; beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0, clip_norm, clip_value): adaptive moments",
    (a) =>
      adam(lrOf(a, "Adam", 0.001), defined({
        ...common(a, "Adam"),
        beta1: opt(a, "beta1", readNumber, "Adam"),
        beta2: opt(a, "beta2", readNumber, "Adam"),
        eps: opt(a, "eps", readNumber, "Adam"),
      })),
  ),
  AdamW: entry(
    "AdamW",
    { positional: ["lr", "decay"], required: 0, keywords: ["lr", "decay", "beta1", "beta2", "eps", "clip_norm", "clip_value"] },
    "AdamW(lr = 0.001, decay = 0.01; beta1, beta2, eps, clip_norm, clip_value): Adam with decoupled weight decay",
    (a) =>
      adamw(lrOf(a, "AdamW", 0.001), opt(a, "decay", readNumber, "AdamW") ?? 0.01, defined({
        beta1: opt(a, "beta1", readNumber, "AdamW"),
        beta2: opt(a, "beta2", readNumber, "AdamW"),
        eps: opt(a, "eps", readNumber, "AdamW"),
        clipNorm: opt(a, "clip_norm", readNumber, "AdamW"),
        clipValue: opt(a, "clip_value", readNumber, "AdamW"),
      })),
  ),
  RMSProp: entry(
    "RMSProp",
    { positional: ["lr", "rho"], required: 0, keywords: ["lr", "rho", "eps", ...COMMON] },
    "RMSProp(lr = 0.001, rho = 0.9; eps = 1e-8): gradient scaled by a running RMS",
    (a) =>
      rmsprop(lrOf(a, "RMSProp", 0.001), defined({
        ...common(a, "RMSProp"),
        rho: opt(a, "rho", readNumber, "RMSProp"),
        eps: opt(a, "eps", readNumber, "RMSProp"),
      })),
  ),
  AdaGrad: entry(
    "AdaGrad",
    { positional: ["lr"], required: 0, keywords: ["lr", "eps", ...COMMON] },
    "AdaGrad(lr = 0.1; eps = 1e-8, weight_decay = 0, clip_norm, clip_value): gradient scaled by the root of its summed squares",
    (a) => adagrad(lrOf(a, "AdaGrad", 0.1), defined({ ...common(a, "AdaGrad"), eps: opt(a, "eps", readNumber, "AdaGrad") })),
  ),
};
