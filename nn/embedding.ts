/**
 * Embedding(vocab => dim; init = randn): row lookup, token i ↦ weight[i, :], with 1-based
 * tokens like every index in the language. The weight is `[vocab, dim]` (Flux: `[dim, vocab]`).
 *
 * The lookup is a one-hot product, onehot(x) @ W, because the gather gradient needs
 * UnsortedSegmentSum, which the wasm backend of tfjs 4.22 lacks; the product also serves
 * chain-batched weights `[C, vocab, dim]` like Dense does. Memory is N·vocab per batch.
 * x `[N, ...]` of integers → `[N, ..., dim]`; tokens outside 1..vocab give a zero vector.
 */
import { tf } from "../core/engine.js";
import { carriesBatch, linear } from "./batched.js";
import { normalInit, type Initialiser } from "./init.js";
import { getParam, positiveInt, type Layer } from "./layer.js";

export interface EmbeddingLayer extends Layer {
  readonly kind: "Embedding";
  readonly vocab: number;
  readonly dim: number;
}

export function embedding(vocab: number, dim: number, options: { readonly init?: Initialiser } = {}): EmbeddingLayer {
  positiveInt(vocab, "Embedding vocabulary size");
  positiveInt(dim, "Embedding dimension");
  const specs = { weight: { shape: [vocab, dim], init: options.init ?? normalInit(1) } };
  return {
    kind: "Embedding",
    vocab,
    dim,
    describe: () => `Embedding(${vocab} => ${dim})`,
    paramSpecs: () => specs,
    outputShape: (inputShape) => [...inputShape, dim],
    apply: (params, x, ctx) => {
      const w = getParam(params, "weight", ctx);
      const hot = tf.oneHot(tf.cast(tf.sub(x, 1), "int32"), vocab);
      return linear(tf.cast(hot, "float32"), w, carriesBatch(w, 2, "weight", ctx));
    },
  };
}
