/**
 * Gradient training (MAP, or maximum likelihood where nothing has a prior): the asynchronous
 * driver of an optimiser over epochs of shuffled minibatches.
 *
 * The model is seen only as a `TrainObjective`: a loss of a parameter tree on some rows. Each
 * epoch's batches come from `fold(key(seed), epoch)` (nn/data's epochBatches), so a run
 * resumed from the checkpoint of epoch e sees exactly the batches an uninterrupted run sees.
 * After each epoch the driver records the metrics (the mean training loss and whatever
 * `evaluate` gives, e.g. validation loss and accuracy), hands a checkpoint to `onEpoch`, and
 * stops early when the monitored metric has not improved for `patience` epochs (returning the
 * best parameters). It yields to the event loop after every batch, so progress callbacks and
 * SIGINT handlers run; when `signal` is aborted it stops after the current batch and returns
 * the parameters so far with `interrupted: true`.
 */
import { tf } from "../core/engine.js";
import { key } from "../core/random.js";
import { batchSampler } from "../nn/data.js";
import { valueAndGrads } from "../nn/grad.js";
import { disposeOptimiserState, type Optimiser, type OptimiserState } from "../nn/optimisers.js";
import { disposeParams, mapParams, type ParamTree } from "../nn/tree.js";

export interface TrainObjective {
  /** Observation rows that minibatches are drawn from (1 when the data cannot be split). */
  readonly rows: number;
  /** The loss to minimise on `rows` (0-based; all of them when undefined) at optimiser step `step` (0-based, counted over the whole run): a scalar the caller owns. */
  loss(params: ParamTree, rows: Int32Array | undefined, step: number): tf.Scalar;
  /** State the model keeps besides the parameters (BatchNorm's running statistics): copied into checkpoints, and restored from one. */
  snapshot?(): ParamTree;
  restore?(state: ParamTree): void;
  /** Metrics after an epoch, by name (`val_loss`, `val_accuracy`, ...); lower is better for names ending in `loss`, `nll` or `rmse`. */
  evaluate?(params: ParamTree): Readonly<Record<string, number>>;
}

/** One epoch's metrics: `loss` (mean training loss) and those of `evaluate`. */
export type EpochMetrics = Readonly<Record<string, number>>;

export interface TrainProgress {
  /** 1-based epoch and batch. */
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean loss over the batches of this epoch so far. */
  readonly loss: number;
  /** Training rows processed per second in this run. */
  readonly rowsPerSecond: number;
  /** Metrics of the last finished epoch. */
  readonly last?: EpochMetrics;
}

/** Everything needed to continue a run: what `onEpoch` receives and `resume` takes. */
export interface TrainCheckpoint {
  /** Epochs completed. */
  readonly epoch: number;
  readonly params: ParamTree;
  readonly optimiser: OptimiserState;
  readonly history: readonly EpochMetrics[];
  /** The best epoch so far (1-based) by the monitored metric, and its parameters. */
  readonly best?: { readonly epoch: number; readonly value: number; readonly params: ParamTree };
  /** The objective's own state (`snapshot`), when it has any. */
  readonly state?: ParamTree;
}

export interface TrainSettings {
  readonly epochs: number;
  /** Rows per batch; at least `rows` means full-batch steps. */
  readonly batchSize: number;
  readonly seed: number;
  /** Stop after this many epochs without improvement of `monitor` (default: never). */
  readonly patience?: number;
  /** The metric for early stopping and the best parameters (default `val_loss` when evaluated, else `loss`). */
  readonly monitor?: string;
  /** Learning-rate factor for each (0-based) epoch, e.g. a step or cosine schedule. */
  readonly schedule?: (epoch: number) => number;
  /** Continue from a checkpoint (its tensors are copied; the caller keeps ownership). */
  readonly resume?: TrainCheckpoint;
  /** Called after every epoch; the checkpoint's tensors are valid only until the promise settles. */
  readonly onEpoch?: (c: TrainCheckpoint) => void | Promise<void>;
  readonly onProgress?: (p: TrainProgress) => void;
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  /** The fitted parameters (the best epoch's when early stopping is on); the caller owns them. */
  readonly params: ParamTree;
  readonly history: readonly EpochMetrics[];
  /** Epochs completed, and the epoch whose parameters were returned (1-based; 0 when none finished). */
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly interrupted: boolean;
  readonly stoppedEarly: boolean;
  readonly steps: number;
  readonly seconds: number;
}

/** A failed run: the loss became non-finite. */
export class TrainingError extends Error {
  override readonly name = "TrainingError";
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const lowerIsBetter = (metric: string): boolean => /(loss|nll|rmse|error)$/.test(metric);

const copy = (t: ParamTree): ParamTree => mapParams(t, (x) => tf.clone(x));

/** Minimise `objective.loss` from `init` (copied: the caller keeps it) with `optimiser`. */
export async function train(objective: TrainObjective, optimiser: Optimiser, init: ParamTree, s: TrainSettings): Promise<TrainResult> {
  if (!Number.isInteger(s.epochs) || s.epochs < 1) throw new RangeError(`epochs must be a positive integer, got ${s.epochs}`);
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1) throw new RangeError(`the batch size must be a positive integer, got ${s.batchSize}`);
  const start = performance.now();
  const r = s.resume;
  let params = copy(r?.params ?? init);
  let state: OptimiserState = r !== undefined ? { count: r.optimiser.count, slots: Object.fromEntries(Object.entries(r.optimiser.slots).map(([k, v]) => [k, v instanceof tf.Tensor ? tf.clone(v) : copy(v)])) } : optimiser.init(params);
  const history: EpochMetrics[] = [...(r?.history ?? [])];
  let best = r?.best !== undefined ? { ...r.best, params: copy(r.best.params) } : undefined;
  if (r?.state !== undefined) objective.restore?.(r.state);
  const full = s.batchSize >= objective.rows;
  const sampler = batchSampler(objective.rows, { batchSize: s.batchSize, key: key(s.seed) });
  let steps = 0;
  let rowsSeen = 0;
  let interrupted = false;
  let stoppedEarly = false;
  const monitorOf = (m: EpochMetrics): string => s.monitor ?? ("val_loss" in m ? "val_loss" : "loss");

  try {
    for (let epoch = r?.epoch ?? 0; epoch < s.epochs; epoch++) {
      const batches = full ? [undefined] : sampler.epoch(epoch);
      const scale = s.schedule?.(epoch) ?? 1;
      let lossSum = 0;
      let lossRows = 0;
      for (let b = 0; b < batches.length; b++) {
        const rows = batches[b];
        const n = rows?.length ?? objective.rows;
        const prev = { params, state };
        const next = tf.tidy(() => {
          const { value, grads } = valueAndGrads((p) => objective.loss(p, rows, state.count), params);
          const loss = value.dataSync()[0]!;
          const stepped = Number.isFinite(loss) ? optimiser.step(state, params, grads, scale) : undefined;
          return { loss, params: stepped?.params ?? {}, count: stepped?.state.count ?? 0, slots: stepped?.state.slots ?? {} };
        });
        if (!Number.isFinite(next.loss)) {
          disposeParams(next.params);
          throw new TrainingError(`the loss is ${next.loss} at epoch ${epoch + 1}, batch ${b + 1}: lower the learning rate, or check the data and priors`);
        }
        params = next.params;
        state = { count: next.count, slots: next.slots as OptimiserState["slots"] };
        disposeParams(prev.params);
        disposeOptimiserState(prev.state);
        steps++;
        rowsSeen += n;
        lossSum += next.loss * n;
        lossRows += n;
        s.onProgress?.({
          epoch: epoch + 1, epochs: s.epochs, batch: b + 1, batches: batches.length, loss: lossSum / lossRows,
          rowsPerSecond: rowsSeen / Math.max(1e-9, (performance.now() - start) / 1000), ...(history.length > 0 ? { last: history[history.length - 1]! } : {}),
        });
        await nextTick();
        if (s.signal?.aborted) {
          interrupted = true;
          break;
        }
      }
      if (interrupted) break;
      const metrics: EpochMetrics = { loss: lossSum / lossRows, ...objective.evaluate?.(params) };
      history.push(metrics);
      const monitor = monitorOf(metrics);
      const value = metrics[monitor];
      if (value === undefined) throw new RangeError(`there is no metric '${monitor}' to monitor (the metrics are ${Object.keys(metrics).join(", ")})`);
      const sign = lowerIsBetter(monitor) ? 1 : -1;
      if (best === undefined || sign * value < sign * best.value) {
        if (best !== undefined) disposeParams(best.params);
        best = { epoch: epoch + 1, value, params: copy(params) };
      }
      const own = objective.snapshot?.();
      try {
        await s.onEpoch?.({ epoch: epoch + 1, params, optimiser: state, history, ...(best !== undefined ? { best } : {}), ...(own !== undefined ? { state: own } : {}) });
      } finally {
        if (own !== undefined) disposeParams(own);
      }
      if (s.patience !== undefined && epoch + 1 - best.epoch >= s.patience) {
        stoppedEarly = true;
        break;
      }
    }
  } catch (e) {
    disposeParams(params);
    disposeOptimiserState(state);
    if (best !== undefined) disposeParams(best.params);
    throw e;
  }
  disposeOptimiserState(state);
  // Early stopping returns the best epoch's parameters; otherwise the last ones.
  const useBest = s.patience !== undefined && best !== undefined && !interrupted;
  if (useBest) disposeParams(params);
  else if (best !== undefined) disposeParams(best.params);
  return {
    params: useBest ? best!.params : params,
    history,
    epochs: history.length,
    bestEpoch: useBest ? best!.epoch : history.length,
    interrupted,
    stoppedEarly,
    steps,
    seconds: (performance.now() - start) / 1000,
  };
}
