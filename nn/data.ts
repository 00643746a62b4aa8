/**
 * Data handling for training: minibatches of row indices, train/test splits, column
 * standardisation and one-hot labels.
 *
 * Row indices here are 0-based (they feed `tf.gather`); the interpreter adds 1 where the
 * language shows them (`split.train`). Class labels are 1-based (1..K), like the language.
 * All shuffling is a pure function of a `Key`.
 */
import { tf } from "../core/engine.js";
import { fold, stream, type Key } from "../core/random.js";
import { ShapeError, fmtShape } from "./layer.js";

/** A uniformly random permutation of 0..n−1 (Fisher–Yates, Knuth 1969, Alg. P). */
export function permutation(n: number, k: Key): Int32Array {
  const out = Int32Array.from({ length: n }, (_, i) => i);
  const s = stream(k);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(s.uniform() * (i + 1));
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}

export interface LoaderOptions {
  readonly batchSize: number;
  /** Shuffle each epoch (default true; then `key` is required). */
  readonly shuffle?: boolean;
  /** Drop the last, smaller batch (default false). */
  readonly dropLast?: boolean;
  readonly key?: Key;
}

export interface Minibatch {
  /** 0-based epoch and batch number. */
  readonly epoch: number;
  readonly batch: number;
  /** 0-based row indices of this batch. */
  readonly indices: Int32Array;
}

/**
 * The minibatches of one epoch over rows 0..n−1: a permutation drawn from `fold(key, epoch)`
 * (or the identity without shuffling), cut into batches of `batchSize`.
 */
export function epochBatches(n: number, epoch: number, options: LoaderOptions): Int32Array[] {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`number of rows must be a non-negative integer, got ${n}`);
  const shuffle = options.shuffle ?? true;
  if (shuffle && options.key === undefined) throw new RangeError("shuffling needs a random key");
  const order = shuffle ? permutation(n, fold(options.key!, epoch)) : Int32Array.from({ length: n }, (_, i) => i);
  const out: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(start + batchSize, n);
    if (end - start < batchSize && (options.dropLast ?? false)) break;
    out.push(order.slice(start, end));
  }
  return out;
}

/** Minibatches by epoch or by step, for a run over rows 0..n−1 (see `batchSampler`). */
export interface BatchSampler {
  /** Batches per epoch. */
  readonly perEpoch: number;
  /** The batches of a 0-based epoch: `epochBatches(n, epoch, options)`. */
  epoch(epoch: number): Int32Array[];
  /** The batch of a 0-based step: batch k mod perEpoch of epoch ⌊k / perEpoch⌋. */
  step(k: number): Int32Array;
}

/**
 * The one minibatch sampler of training (by epoch, inference/train.ts) and of ADVI (by
 * iteration, interpreter/vi.ts): a step-indexed view of `epochBatches` that keeps the current
 * epoch's batches, so a run by steps sees the batches a run by epochs sees.
 */
export function batchSampler(n: number, options: LoaderOptions): BatchSampler {
  const perEpoch = Math.max(1, (options.dropLast ?? false) ? Math.floor(n / options.batchSize) : Math.ceil(n / options.batchSize));
  let current = -1;
  let batches: Int32Array[] = [];
  const epoch = (e: number): Int32Array[] => {
    if (e !== current) {
      batches = epochBatches(n, e, options);
      current = e;
    }
    return batches;
  };
  return { perEpoch, epoch, step: (k) => epoch(Math.floor(k / perEpoch))[k % perEpoch]! };
}

/** Every minibatch of `epochs` epochs in order (a DataLoader over row indices). */
export function* minibatches(n: number, epochs: number, options: LoaderOptions): Generator<Minibatch> {
  for (let epoch = 0; epoch < epochs; epoch++) {
    const batches = epochBatches(n, epoch, options);
    for (let batch = 0; batch < batches.length; batch++) yield { epoch, batch, indices: batches[batch]! };
  }
}

/** The rows of `x` at 0-based `indices` (the caller owns the result). */
export function takeRows(x: tf.Tensor, indices: Int32Array): tf.Tensor {
  return tf.tidy(() => tf.gather(x, tf.tensor1d(indices, "int32")));
}

export interface Split {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/**
 * A random split of rows 0..n−1: round(fraction·n) rows for training, the rest for testing,
 * each part in increasing order. A pure function of the key.
 */
export function trainTestSplit(n: number, fraction: number, k: Key): Split {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`train fraction must be in (0, 1), got ${fraction}`);
  const perm = permutation(n, k);
  const nTrain = Math.round(fraction * n);
  const sorted = (a: Int32Array): Int32Array => a.sort();
  return { train: sorted(perm.slice(0, nTrain)), test: sorted(perm.slice(nTrain)) };
}

export interface ColumnStats {
  /** Column means, shape `[D]` (or `[]` for a vector). */
  readonly mean: tf.Tensor;
  /** Column standard deviations (n − 1 denominator, as R's `scale` and Julia's `std`); 1 where a column is constant. */
  readonly sd: tf.Tensor;
}

/** Means and standard deviations of the columns of `x` (`[N, D]`, or a vector `[N]`). */
export function columnStats(x: tf.Tensor): ColumnStats {
  if (x.rank !== 1 && x.rank !== 2) throw new ShapeError(`standardize expects a vector or a matrix, got shape ${fmtShape(x.shape)}`);
  const n = x.shape[0]!;
  if (n < 2) throw new ShapeError(`standardize needs at least 2 rows, got ${n}`);
  return tf.tidy(() => {
    const mean = tf.mean(x, 0);
    const ss = tf.sum(tf.square(tf.sub(x, mean)), 0);
    const sd = tf.sqrt(tf.div(ss, n - 1));
    return { mean, sd: tf.where(tf.greater(sd, 0), sd, tf.onesLike(sd)) };
  });
}

/**
 * (x − mean) / sd column by column, with the statistics of `like` (default `x` itself), so
 * test data is scaled with the training data's statistics: `standardize(xte, xtr)`.
 */
export function standardize(x: tf.Tensor, like: tf.Tensor = x): tf.Tensor {
  if (x.rank !== like.rank || (x.rank === 2 && x.shape[1] !== like.shape[1])) {
    throw new ShapeError(`standardize: x has shape ${fmtShape(x.shape)} but 'like' has shape ${fmtShape(like.shape)}`);
  }
  const { mean, sd } = columnStats(like);
  const out = tf.tidy(() => tf.div(tf.sub(x, mean), sd));
  tf.dispose([mean, sd]);
  return out;
}

/** One-hot rows for labels 1..K: `[N]` → `[N, K]` float32. Throws on a label outside 1..K. */
export function onehot(labels: tf.Tensor | ArrayLike<number>, k: number): tf.Tensor2D {
  const values = labels instanceof tf.Tensor ? labels.dataSync() : labels;
  const n = values.length;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const c = values[i]!;
    if (!Number.isInteger(c) || c < 1 || c > k) throw new RangeError(`label ${c} at position ${i + 1} is not an integer in 1..${k}`);
    out[i * k + c - 1] = 1;
  }
  return tf.tensor2d(out, [n, k]);
}
