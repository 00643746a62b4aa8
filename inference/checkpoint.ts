/**
 * Training checkpoints as JSON text: the parameter tree, the optimiser's step count and slots,
 * the metric history and the best epoch so far, every tensor as `{shape, values}` under its
 * path in the tree. Float32 values print exactly as shortest round-trip decimals, so a resumed
 * run continues from the same numbers.
 */
import { tf } from "../core/engine.js";
import { disposeOptimiserState, type OptimiserState } from "../nn/optimisers.js";
import { disposeParams, type ParamTree } from "../nn/tree.js";
import type { EpochMetrics, TrainCheckpoint } from "./train.js";

type Params = ParamTree | tf.Tensor;
interface StoredTensor {
  readonly shape: number[];
  readonly values: number[];
}
type Stored = StoredTensor | { readonly [k: string]: Stored };

const isStoredTensor = (x: unknown): x is StoredTensor =>
  typeof x === "object" && x !== null && Array.isArray((x as StoredTensor).shape) && Array.isArray((x as StoredTensor).values);

function store(p: Params): Stored {
  if (p instanceof tf.Tensor) return { shape: [...p.shape], values: Array.from(p.dataSync()) };
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, store(v)]));
}

function restore(s: unknown, where: string): Params {
  if (isStoredTensor(s)) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    if (s.values.length !== size || s.values.some((v) => typeof v !== "number")) throw new Error(`${where}: ${s.values.length} values for shape [${s.shape.join(", ")}]`);
    return tf.tensor(s.values, s.shape, "float32");
  }
  if (typeof s !== "object" || s === null || Array.isArray(s)) throw new Error(`${where}: expected a tensor or a tree of tensors`);
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, restore(v, `${where}.${k}`)])) as ParamTree;
}

/** The checkpoint as JSON text (`model` names the model it belongs to). */
export function writeCheckpoint(c: TrainCheckpoint, model: string): string {
  return `${JSON.stringify({
    format: "dlm-train-checkpoint", version: 1, model, epoch: c.epoch,
    params: store(c.params),
    optimiser: { count: c.optimiser.count, slots: Object.fromEntries(Object.entries(c.optimiser.slots).map(([k, v]) => [k, store(v)])) },
    history: c.history,
    ...(c.best !== undefined ? { best: { epoch: c.best.epoch, value: c.best.value, params: store(c.best.params) } } : {}),
    ...(c.state !== undefined ? { state: store(c.state) } : {}),
  })}\n`;
}

/** A checkpoint read back; throws an Error saying what is wrong. The caller owns its tensors. */
export function readCheckpoint(text: string, model: string): TrainCheckpoint {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`not a training checkpoint (${e instanceof Error ? e.message : String(e)})`);
  }
  if (raw === null || typeof raw !== "object" || raw["format"] !== "dlm-train-checkpoint") throw new Error("not a training checkpoint written by `train`");
  if (raw["model"] !== model) throw new Error(`the checkpoint is of the model \`${String(raw["model"])}\`, not \`${model}\``);
  const epoch = raw["epoch"];
  if (typeof epoch !== "number" || !Number.isInteger(epoch) || epoch < 0) throw new Error("the checkpoint has no epoch count");
  const opt = raw["optimiser"] as { count?: unknown; slots?: unknown } | undefined;
  if (opt === undefined || typeof opt.count !== "number" || typeof opt.slots !== "object" || opt.slots === null) throw new Error("the checkpoint has no optimiser state");
  const best = raw["best"] as { epoch: number; value: number; params: unknown } | undefined;
  const state: OptimiserState = { count: opt.count, slots: Object.fromEntries(Object.entries(opt.slots).map(([k, v]) => [k, restore(v, `optimiser.${k}`)])) };
  return {
    epoch,
    params: restore(raw["params"], "params") as ParamTree,
    optimiser: state,
    history: Array.isArray(raw["history"]) ? (raw["history"] as EpochMetrics[]) : [],
    ...(best !== undefined ? { best: { epoch: best.epoch, value: best.value, params: restore(best.params, "best") as ParamTree } } : {}),
    ...(raw["state"] !== undefined ? { state: restore(raw["state"], "state") as ParamTree } : {}),
  };
}

/** Dispose every tensor of a checkpoint read by `readCheckpoint`. */
export function disposeCheckpoint(c: TrainCheckpoint): void {
  disposeParams(c.params);
  disposeOptimiserState(c.optimiser);
  if (c.best !== undefined) disposeParams(c.best.params);
  if (c.state !== undefined) disposeParams(c.state);
}
