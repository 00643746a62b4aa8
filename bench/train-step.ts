/**
 * Training steps per second on the current backend (DLM_BACKEND, default wasm) for
 *   mlp: Dense 784-256-256-10 (ReLU), softmax cross-entropy, batch 128;
 *   cnn: Conv 5×5 1→16 (ReLU) → MaxPool 2 → Conv 5×5 16→32 (ReLU) → MaxPool 2 → Dense 512→10,
 *        'valid' padding on 28×28×1 images, batch 64;
 * each step being forward, gradient, Adam(0.001) update and reading the loss back, as
 *   ours:     nn/ layers, nn/grad.ts valueAndGrads and nn/optimisers.ts adam, stepped the way
 *             inference/train.ts steps (the path of the language's `train`), on tfjs's kernels
 *             (and core/kernels' fixes) without the native accelerator;
 *   ours, unfused loss and Adam: ours with the cross-entropy composed from ops and Adam as
 *             per-tensor ops (nn/optimisers.ts `fused: false`): the step before the fused kernels;
 *   ours + native (OpenBLAS | built-in GEMM): the same with the native accelerator's kernels
 *             (core/kernels/native.ts), when it is built, with each of its two GEMMs;
 *   tfjs:     the same network written directly in tfjs: tf.valueAndGrads over a list of plain
 *             tensors, tf.losses.softmaxCrossEntropy, the same Adam arithmetic;
 *   im2col:   (cnn only, with --im2col) ours with the convolutions done as im2col patches and one product, the
 *             path nn/conv2d.ts keeps for chain-batched weights: what tf.conv2d saves a step;
 *   pytorch:  bench/train_step_torch.py on the CPU with one thread, when /usr/bin/python3 can
 *             import torch (a fresh process each round: its start-up is not timed).
 * Every variant starts from the same parameters and trains on one fixed batch. The variants
 * alternate within each round, each round starting at the next one; a round's figure is the median step time (wall and process CPU
 * time, the latter steadier on a loaded machine), and the table shows the median over rounds.
 *
 * parts: the fused pieces alone, each against what it replaces: the Adam update of the MLP's and
 * of a small 64-64-10 network's parameters (per-tensor ops, the fused kernel's JavaScript loop,
 * its C loop) and the cross-entropy's value and gradient for 128 × 10 logits (ops, fused).
 *
 * Run: `npm run bench train-step`, or `npx tsx bench/train-step.ts [--rounds 7] [--only mlp|cnn|parts]
 * [--no-torch] [--im2col] [--profile]` (--profile prints the kernels that take the most time in one step).
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { benchPath } from "./paths.js";
import { tf, initEngine } from "../core/engine.js";
import { det } from "../core/kernels/testing.js";
import { nativeStatus, nativeSummary, useNativeBlas, withoutNative } from "../core/kernels/native.js";
import { key } from "../core/random.js";
import { linear } from "../nn/batched.js";
import { chain } from "../nn/chain.js";
import { conv2d, patches } from "../nn/conv2d.js";
import { dense } from "../nn/dense.js";
import { flatten } from "../nn/flatten.js";
import { valueAndGrads } from "../nn/grad.js";
import { forward, initParams, type Layer } from "../nn/layer.js";
import { crossentropy } from "../nn/losses.js";
import { adam, disposeOptimiserState, type OptimiserState } from "../nn/optimisers.js";
import { maxPool } from "../nn/pool.js";
import { disposeParams, mapParams, walkParams, type ParamTree } from "../nn/tree.js";

const PYTHON = "/usr/bin/python3";
const LR = 0.001;
const [B1, B2, EPS] = [0.9, 0.999, 1e-8];

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const ROUNDS = Number(option("--rounds") ?? 7);
const ONLY = option("--only");
const PROFILE = argv.includes("--profile");
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || (ONLY !== undefined && ONLY !== "mlp" && ONLY !== "cnn" && ONLY !== "parts")) {
  process.stderr.write("usage: train-step.ts [--rounds N] [--only mlp|cnn|parts] [--no-torch] [--im2col] [--profile]\n");
  process.exit(2);
}
/** Time per variant and round: at least this long and this many steps. */
const [MIN_MS, MIN_STEPS] = [1500, 5];

interface Model {
  readonly name: "mlp" | "cnn";
  readonly title: string;
  readonly batch: number;
  readonly inputShape: readonly number[];
  readonly net: Layer;
  /** The same network over the list of parameters in walk order (hand-written tfjs). */
  readonly logits: (x: tf.Tensor, ps: readonly tf.Tensor[]) => tf.Tensor;
}

const relu = { activation: "relu" } as const;

/**
 * The Conv2D layer with its convolution done as im2col (patches and one product), the path
 * nn/conv2d.ts takes for weights with a chain axis; bias and ReLU as the layer adds them.
 */
function im2colConv(kh: number, kw: number, cin: number, cout: number): Layer {
  return {
    ...conv2d([kh, kw], cin, cout, relu),
    apply: (params: ParamTree, x: tf.Tensor): tf.Tensor => {
      const w = tf.reshape(params["weight"] as tf.Tensor, [kh * kw * cin, cout]);
      return tf.relu(tf.add(linear(patches(x, kh, kw, 1, "valid"), w, false), params["bias"] as tf.Tensor));
    },
  };
}

const mlp: Model = {
  name: "mlp",
  title: "MLP 784-256-256-10, batch 128",
  batch: 128,
  inputShape: [784],
  net: chain(dense(784, 256, relu), dense(256, 256, relu), dense(256, 10)),
  logits: (x, [w1, b1, w2, b2, w3, b3]) => {
    const h1 = tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1 as tf.Tensor2D), b1!));
    const h2 = tf.relu(tf.add(tf.matMul(h1, w2 as tf.Tensor2D), b2!));
    return tf.add(tf.matMul(h2, w3 as tf.Tensor2D), b3!);
  },
};

const cnnLayers = (conv: (kh: number, kw: number, cin: number, cout: number) => Layer): Layer =>
  chain(conv(5, 5, 1, 16), maxPool([2, 2]), conv(5, 5, 16, 32), maxPool([2, 2]), flatten(), dense(4 * 4 * 32, 10));

const cnn: Model = {
  name: "cnn",
  title: "CNN conv5×5×16 → maxpool 2 → conv5×5×32 → maxpool 2 → dense 10, 28×28×1, batch 64",
  batch: 64,
  inputShape: [28, 28, 1],
  net: cnnLayers((kh, kw, cin, cout) => conv2d([kh, kw], cin, cout, relu)),
  logits: (x, [w1, b1, w2, b2, w3, b3]) => {
    const c1 = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, "valid"), b1!));
    const p1 = tf.maxPool(c1 as tf.Tensor4D, 2, 2, "valid");
    const c2 = tf.relu(tf.add(tf.conv2d(p1, w2 as tf.Tensor4D, 1, "valid"), b2!));
    const p2 = tf.maxPool(c2 as tf.Tensor4D, 2, 2, "valid");
    return tf.add(tf.matMul(tf.reshape(p2, [x.shape[0]!, -1]), w3 as tf.Tensor2D), b3!);
  },
};

/** A variant that owns its state: `step` trains one step and returns the loss. */
interface Variant {
  readonly name: string;
  step(): number;
  dispose(): void;
}

interface Data {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  readonly init: ParamTree;
}

function makeData(m: Model): Data {
  const x = det([m.batch, ...m.inputShape], 11);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: m.batch }, (_, i) => i % 10), "int32"), 10).toFloat());
  return { x, y, init: initParams(m.net, key(1)) };
}

/** Which kernels a variant runs on: tfjs's own, or the native accelerator with one of its GEMMs. */
type Accel = "off" | "openblas" | "builtin";

function inMode<T>(accel: Accel, f: () => T): T {
  if (accel === "off") return withoutNative(tf.getBackend(), f);
  const before = nativeStatus().blas;
  useNativeBlas(accel);
  try {
    return f();
  } finally {
    if (before) useNativeBlas(before);
  }
}

/** The accelerator variants this machine can run. */
function accelModes(): Accel[] {
  const s = nativeStatus();
  if (!s.loaded) return [];
  return s.openblas ? ["openblas", "builtin"] : ["builtin"];
}

const accelName = (a: Accel): string => (a === "openblas" ? "ours + native (OpenBLAS)" : "ours + native (built-in GEMM)");

/** The cross-entropy as nn/losses.ts composed it from ops before the fused kernel. */
const composedCrossentropy = (logits: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits, -1)), -1)));

/**
 * ours: one step as inference/train.ts takes it, on the kernels `accel` names; `unfused`: with
 * the loss composed from ops and Adam as per-tensor ops (as before the fused kernels).
 */
function oursVariant(name: string, net: Layer, d: Data, accel: Accel = "off", unfused = false): Variant {
  const opt = adam(LR, { fused: !unfused });
  const loss = unfused ? composedCrossentropy : (z: tf.Tensor, y: tf.Tensor) => crossentropy(z, y) as tf.Scalar;
  let params = mapParams(d.init, (t) => tf.clone(t));
  let state: OptimiserState = opt.init(params);
  return {
    name,
    step: () => {
      const next = inMode(accel, () => tf.tidy(() => {
        const { value, grads } = valueAndGrads((p) => loss(forward(net, p, d.x, { training: true }), d.y), params);
        const lossValue = value.dataSync()[0]!;
        const stepped = opt.step(state, params, grads);
        return { loss: lossValue, params: stepped.params, count: stepped.state.count, slots: stepped.state.slots };
      }));
      disposeParams(params);
      disposeOptimiserState(state);
      params = next.params;
      state = { count: next.count, slots: next.slots };
      return next.loss;
    },
    dispose: () => {
      disposeParams(params);
      disposeOptimiserState(state);
    },
  };
}

/** tfjs: the network over a flat list of tensors, Adam written out. */
function tfjsVariant(m: Model, d: Data): Variant {
  let ps = walkParams(d.init).map((e) => tf.clone(e.tensor));
  let ms = ps.map((p) => tf.zerosLike(p));
  let vs = ps.map((p) => tf.zerosLike(p));
  let t = 0;
  const f = (...theta: tf.Tensor[]): tf.Scalar => tf.losses.softmaxCrossEntropy(d.y, m.logits(d.x, theta)) as tf.Scalar;
  return {
    name: "tfjs",
    step: () => {
      t++;
      const next = withoutNative(tf.getBackend(), () => tf.tidy(() => {
        const { value, grads } = tf.valueAndGrads(f)(ps);
        const loss = value.dataSync()[0]!;
        const out = { loss, ps: [] as tf.Tensor[], ms: [] as tf.Tensor[], vs: [] as tf.Tensor[] };
        ps.forEach((p, i) => {
          const g = grads[i]!;
          const m1 = tf.add(tf.mul(B1, ms[i]!), tf.mul(1 - B1, g));
          const v1 = tf.add(tf.mul(B2, vs[i]!), tf.mul(1 - B2, tf.square(g)));
          const dir = tf.div(tf.div(m1, 1 - B1 ** t), tf.add(tf.sqrt(tf.div(v1, 1 - B2 ** t)), EPS));
          out.ps.push(tf.sub(p, tf.mul(LR, dir)));
          out.ms.push(m1);
          out.vs.push(v1);
        });
        return out;
      }));
      tf.dispose([...ps, ...ms, ...vs]);
      ({ ps, ms, vs } = next);
      return next.loss;
    },
    dispose: () => tf.dispose([...ps, ...ms, ...vs]),
  };
}

/** Wall and process CPU milliseconds of one step (CPU time is steadier on a loaded machine). */
interface StepTime {
  readonly wall: number;
  readonly cpu: number;
}

/** Median wall and CPU milliseconds per step over at least MIN_MS and MIN_STEPS steps. */
function medianStepMs(v: Variant): StepTime {
  const wall: number[] = [];
  const cpu: number[] = [];
  const start = performance.now();
  while (performance.now() - start < MIN_MS || wall.length < MIN_STEPS) {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    v.step();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const torchAvailable = (): boolean =>
  !argv.includes("--no-torch") && spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;

interface TorchRound {
  readonly ms: number;
  readonly cpu_ms: number;
  readonly torch: string;
  readonly threads: number;
}

/** One round of the PyTorch script; undefined (with a note) when it fails. */
function torchRound(model: string): TorchRound | undefined {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const r = spawnSync(PYTHON, [benchPath("train_step_torch.py"), "--model", model, "--min-ms", String(MIN_MS), "--min-steps", String(MIN_STEPS)], {
    env,
    encoding: "utf8",
  });
  if (r.status !== 0) {
    process.stderr.write(`train-step: the PyTorch script failed (${r.status}): ${r.stderr.trim().split("\n").at(-1) ?? ""}\n`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as TorchRound;
}

/** The kernels of one step that take the most time, summed by name. */
async function profileStep(v: Variant): Promise<void> {
  const info = await tf.profile(() => void v.step());
  const byName = new Map<string, { ms: number; n: number }>();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    e.n++;
    byName.set(k.name, e);
  }
  const top = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8);
  console.log(`\n${v.name}: ${info.kernels.length} kernels; ${top.map(([n, e]) => `${n} ×${e.n} ${e.ms.toFixed(1)} ms`).join(", ")}`);
}

const fmt = (ms: number): string => (Number.isFinite(ms) ? ms.toFixed(ms < 10 ? 2 : 1) : "n/a");
const row = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;

async function runModel(m: Model, withTorch: boolean): Promise<void> {
  const d = makeData(m);
  const variants: Variant[] = [oursVariant("ours", m.net, d), oursVariant("ours, unfused loss and Adam", m.net, d, "off", true), ...accelModes().map((a) => oursVariant(accelName(a), m.net, d, a)), tfjsVariant(m, d)];
  if (m.name === "cnn" && argv.includes("--im2col")) variants.push(oursVariant("ours, im2col conv", cnnLayers(im2colConv), d));
  // Same start, same data: the first losses must agree, or the variants train different things.
  const first = variants.map((v) => v.step());
  if (first.some((l) => Math.abs(l - first[0]!) > 1e-4 * Math.max(1, Math.abs(first[0]!)))) {
    throw new Error(`train-step: first losses disagree: ${first.join(", ")}`);
  }
  if (PROFILE) for (const v of variants) await profileStep(v);
  const times: StepTime[][] = variants.map(() => []);
  const torchTimes: StepTime[] = [];
  let torchInfo: TorchRound | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    // Each round starts at the next variant, so that no variant always runs first (after PyTorch's process).
    for (let j = 0; j < variants.length; j++) {
      const i = (j + r) % variants.length;
      times[i]!.push(medianStepMs(variants[i]!));
    }
    if (withTorch) {
      const tr = torchRound(m.name);
      if (tr) {
        torchTimes.push({ wall: tr.ms, cpu: tr.cpu_ms });
        torchInfo = tr;
      }
    }
  }
  variants.forEach((v) => v.dispose());
  tf.dispose([d.x, d.y]);
  disposeParams(d.init);

  const names = [...variants.map((v) => v.name), ...(torchTimes.length > 0 ? [`pytorch ${torchInfo!.torch}, ${torchInfo!.threads} thread${torchInfo!.threads === 1 ? "" : "s"}`] : [])];
  const series = [...times, ...(torchTimes.length > 0 ? [torchTimes] : [])];
  const wall = series.map((ts) => median(ts.map((t) => t.wall)));
  const cpu = series.map((ts) => median(ts.map((t) => t.cpu)));
  console.log(`\n### ${m.title} (${tf.getBackend()}; median of ${ROUNDS} rounds)\n`);
  // Speed relative to PyTorch: its time per step over the variant's (above 1: faster than PyTorch).
  const torch = torchTimes.length > 0 ? { wall: wall.at(-1)!, cpu: cpu.at(-1)! } : undefined;
  console.log(row(["variant", "wall ms/step", "CPU ms/step", "steps/s (wall)", "CPU ÷ ours", ...(torch ? ["speed ÷ pytorch (wall)", "speed ÷ pytorch (CPU)"] : [])]));
  console.log(row(["---", "---:", "---:", "---:", "---:", ...(torch ? ["---:", "---:"] : [])]));
  names.forEach((n, i) => {
    const vs = torch ? [(torch.wall / wall[i]!).toFixed(2), (torch.cpu / cpu[i]!).toFixed(2)] : [];
    console.log(row([n, fmt(wall[i]!), fmt(cpu[i]!), (1000 / wall[i]!).toFixed(1), (cpu[i]! / cpu[0]!).toFixed(2), ...vs]));
  });
  const tfjsCpu = cpu[names.indexOf("tfjs")]!;
  const torchText = torch ? `, ours ÷ pytorch ${(cpu[0]! / torch.cpu).toFixed(2)}` : "";
  console.log(`\nCPU time per step: ours ÷ tfjs ${(cpu[0]! / tfjsCpu).toFixed(2)}${torchText} (below 1 means ours is faster)`);
  console.log(`per-round wall/CPU ms/step: ${names.map((n, i) => `${n}: ${series[i]!.map((t) => `${fmt(t.wall)}/${fmt(t.cpu)}`).join(" ")}`).join("; ")}`);
}

/** A variant that repeats `f` (tidied) on the kernels `accel` names. */
function partVariant(name: string, accel: Accel, f: () => void): Variant {
  return { name, step: () => (inMode(accel, () => tf.tidy(f)), 0), dispose: () => undefined };
}

/** Adam's update alone over `net`'s parameters: per-tensor ops, the fused kernel's JavaScript and C loops. */
function optimiserParts(title: string, net: Layer, jsLoop: boolean): void {
  const params = initParams(net, key(1));
  const grads = mapParams(params, (t) => tf.mul(t, 0.01));
  const [ops, fused] = [adam(LR, { fused: false }), adam(LR)];
  const state = ops.init(params);
  const run = (opt: typeof ops) => () => {
    const next = opt.step(state, params, grads);
    disposeParams(next.params);
    disposeOptimiserState(next.state);
  };
  const variants = [partVariant("per-tensor ops", "off", run(ops))];
  if (jsLoop) variants.push(partVariant("fused, JavaScript loop", "off", run(fused)));
  if (nativeStatus().loaded) variants.push(partVariant("fused, C loop (native)", "builtin", run(fused)));
  partTable(title, variants);
  disposeParams(params);
  disposeParams(grads);
  disposeOptimiserState(state);
}

function partTable(title: string, variants: Variant[]): void {
  const times: StepTime[][] = variants.map(() => []);
  for (let r = 0; r < ROUNDS; r++) variants.forEach((v, i) => times[i]!.push(medianStepMs(v)));
  const cpu = times.map((ts) => median(ts.map((t) => t.cpu)));
  console.log(`\n### ${title} (${tf.getBackend()}; median of ${ROUNDS} rounds)\n`);
  console.log(row(["variant", "CPU ms", "÷ first"]));
  console.log(row(["---", "---:", "---:"]));
  variants.forEach((v, i) => console.log(row([v.name, cpu[i]!.toFixed(3), (cpu[i]! / cpu[0]!).toFixed(2)])));
}

function runParts(): void {
  // Without the addon, wasm takes the JavaScript loop for small tensors only (JS_LOOP_MAX_PER_TENSOR): the MLP's are not.
  optimiserParts("Adam update, MLP 784-256-256-10 parameters (269k in 6 tensors)", mlp.net, false);
  optimiserParts("Adam update, 64-64-10 parameters (4.8k in 4 tensors)", chain(dense(64, 64, relu), dense(64, 10)), true);
  const z = det([128, 10], 3);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 128 }, (_, i) => i % 10), "int32"), 10).toFloat());
  const grad = (loss: (z: tf.Tensor, y: tf.Tensor) => tf.Scalar) => () => void tf.valueAndGrad((zz: tf.Tensor) => loss(zz, y))(z).grad.dataSync();
  partTable("softmax cross-entropy, value and gradient, 128 × 10 logits", [
    partVariant("ops (logSoftmax, product, sums, mean)", "off", grad(composedCrossentropy)),
    partVariant("fused kernel", "off", grad((zz, yy) => crossentropy(zz, yy) as tf.Scalar)),
  ]);
  tf.dispose([z, y]);
}

const engine = await initEngine();
const withTorch = torchAvailable();
console.log(`backend ${engine.backend}, tfjs ${engine.tfjsVersion}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"})`);
console.log(nativeSummary());
if (!withTorch) console.log("PyTorch: not measured (/usr/bin/python3 cannot import torch, or --no-torch)");
for (const m of [mlp, cnn]) {
  if (ONLY === undefined || ONLY === m.name) await runModel(m, withTorch);
}
if (ONLY === undefined || ONLY === "parts") runParts();
