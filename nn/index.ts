/**
 * Neural networks as plain values: layers, parameter trees, activations, initialisers,
 * losses, optimisers and minibatching. See layer.ts for the chain-batched apply contract.
 */
export type { Shape, Tree, ParamTree, ShapeTree, TreeLeaf, ParamEntry } from "./tree.js";
export { paramName, parseParamName, walkTree, walkParams, mapTree, mapParams, zipParams, subtree, paramCount, disposeParams } from "./tree.js";
export type { Layer, ApplyContext, ParamSpec, SpecTree, StateStore, ForwardOptions } from "./layer.js";
export { ShapeError, forward, initParams, paramShapes, inferBatched, stateStore, childContext } from "./layer.js";
export { linear, lift } from "./batched.js";
export type { ParamBlock } from "./sites.js";
export { paramBlocks, treeFromNamed } from "./sites.js";

export type { DenseLayer, DenseOptions } from "./dense.js";
export { dense } from "./dense.js";
export type { ChainLayer } from "./chain.js";
export { chain } from "./chain.js";
export type { BlockLayer, BlockCall } from "./block.js";
export { block } from "./block.js";
export type { DropoutLayer } from "./dropout.js";
export { dropout } from "./dropout.js";
export type { LayerNormLayer, NormOptions } from "./layer-norm.js";
export { layerNorm } from "./layer-norm.js";
export type { BatchNormLayer, BatchNormOptions } from "./batch-norm.js";
export { batchNorm } from "./batch-norm.js";
export type { EmbeddingLayer } from "./embedding.js";
export { embedding } from "./embedding.js";
export type { RecurrentLayer, RecurrentOptions, RnnOptions } from "./recurrent.js";
export { rnn, lstm, gru, orthogonalBlocks } from "./recurrent.js";
export type { AttentionLayer, AttentionOptions } from "./attention.js";
export { multiHeadAttention } from "./attention.js";
export type { Conv2DLayer, ConvOptions } from "./conv2d.js";
export { conv2d } from "./conv2d.js";
export type { PoolLayer, PoolOptions } from "./pool.js";
export { maxPool, meanPool } from "./pool.js";
export { flatten } from "./flatten.js";
export type { SkipLayer, Connection } from "./skip.js";
export { skipConnection } from "./skip.js";
export type { Conv1DLayer } from "./conv1d.js";
export { conv1d } from "./conv1d.js";
export type { ConvTransposeLayer } from "./conv-transpose.js";
export { convTranspose } from "./conv-transpose.js";
export type { GlobalPoolLayer } from "./global-pool.js";
export { globalMeanPool, globalMaxPool } from "./global-pool.js";
export type { UpsampleLayer } from "./upsample.js";
export { upsample } from "./upsample.js";
export type { ParallelLayer } from "./parallel.js";
export { parallel } from "./parallel.js";
export type { Padding } from "./padding.js";

export type { Activation } from "./activations.js";
export { ACTIVATIONS, activation, toActivation } from "./activations.js";
export type { Initialiser, Fans } from "./init.js";
export { INITIALISERS, fans, glorotUniform, glorotNormal, kaimingUniform, kaimingNormal, normalInit, zerosInit, onesInit } from "./init.js";
export type { Loss, Aggregate } from "./losses.js";
export { LOSSES, mse, mae, huber, crossentropy, binaryCrossentropy } from "./losses.js";
export type { Optimiser, OptimiserState, Params, CommonOptions, SgdOptions, AdamOptions, RmsPropOptions, AdaGradOptions } from "./optimisers.js";
export { sgd, adam, adamw, rmsprop, adagrad, globalNorm, disposeOptimiserState } from "./optimisers.js";
export type { TreeValueAndGrad } from "./grad.js";
export { valueAndGrads } from "./grad.js";
export type { LoaderOptions, Minibatch, Split, ColumnStats } from "./data.js";
export { permutation, epochBatches, minibatches, takeRows, trainTestSplit, columnStats, standardize, onehot } from "./data.js";

export type { Pair, CallArgs } from "./args.js";
export { pair, callArgs, ArgumentError } from "./args.js";
export type { ArgNames, Entry } from "./registry.js";
export { LAYERS, OPTIMISERS } from "./registry.js";
