/**
 * Stock versus fixed wasm kernels (core/kernels): transposed BatchMatMul products, the
 * 784-128-10 MLP training step at batch 128, the conv2d and max-pool gradients of a small
 * conv layer, and Tile/broadcastTo. The cpu backend is timed alongside as the baseline.
 * Run: `npx tsx bench/matmul-bench.ts [--thresholds] [--only matmuls|mlpStep|convLayer|broadcasts]`.
 */
import { msPerCall } from "./timing.js";
import { tf, initEngine } from "../core/engine.js";
import { withStockKernels } from "../core/kernels/index.js";
import { det } from "../core/kernels/testing.js";


const fmt = (ms: number): string => (Number.isFinite(ms) ? ms.toFixed(ms < 10 ? 2 : 1) : "n/a");
const row = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;

/** A timed call with its inputs already made on the current backend. */
interface Case {
  readonly run: () => void;
  readonly inputs: readonly tf.Tensor[];
}

/**
 * Time a case on wasm with the stock kernels, on wasm with the fixes, and on cpu (NaN where
 * it throws). `make` builds the inputs on each backend, outside the timed region. The two
 * wasm variants alternate over `ROUNDS` rounds and keep their best median, so that a burst
 * of load from other processes on the machine does not land on one of them only.
 */
const ROUNDS = 3;
async function threeWays(make: () => Case, withCpu = true): Promise<[number, number, number]> {
  const timed = (g: () => number): number => {
    try {
      return g();
    } catch {
      return NaN;
    }
  };
  const measure = (minMs: number, minCalls: number) => (): number => {
    const c = make();
    try {
      return msPerCall(() => tf.tidy(c.run), minMs, minCalls);
    } finally {
      tf.dispose([...c.inputs]);
    }
  };
  await initEngine("wasm");
  let [stock, fixed] = [Infinity, Infinity];
  for (let r = 0; r < ROUNDS; r++) {
    stock = Math.min(stock, timed(() => withStockKernels("wasm", measure(150, 5))));
    fixed = Math.min(fixed, timed(measure(150, 5)));
  }
  if (!withCpu) return [stock, fixed, NaN];
  await initEngine("cpu");
  const cpu = timed(measure(0, 3));
  return [stock, fixed, cpu];
}

async function matmuls(): Promise<void> {
  console.log("\n### BatchMatMul (ms per product; GFLOP/s in brackets)\n");
  console.log(row(["product", "wasm stock", "wasm fixed", "cpu"]));
  console.log(row(["---", "---:", "---:", "---:"]));
  const cases: [string, number[], number[], boolean, boolean][] = [
    ["[512,512]·[512,512]", [512, 512], [512, 512], false, false],
    ["[512,512]ᵀ·[512,512]", [512, 512], [512, 512], true, false],
    ["[512,512]·[512,512]ᵀ", [512, 512], [512, 512], false, true],
    ["[128,784]ᵀ·[128,128] (dW₁)", [128, 784], [128, 128], true, false],
    ["[128,128]·[784,128]ᵀ (dx)", [128, 128], [784, 128], false, true],
  ];
  for (const [name, as, bs, ta, tb] of cases) {
    const flops = 2 * as[0]! * as[1]! * (tb ? bs[0]! : bs[1]!);
    const t = await threeWays(() => {
      const a = det(as, 1);
      const b = det(bs, 2);
      return { inputs: [a, b], run: () => void tf.matMul(a, b, ta, tb).dataSync() };
    });
    console.log(row([name, ...t.map((ms) => `${fmt(ms)} (${(flops / ms / 1e6).toFixed(1)})`)]));
  }
}

async function mlpStep(): Promise<void> {
  // One step of a 784-128-10 ReLU network with softmax cross-entropy, batch 128: forward,
  // backward (tf.grads over the four parameter tensors) and an SGD update.
  console.log("\n### 784-128-10 MLP training step, batch 128 (ms per step)\n");
  const [stock, fixed, cpu] = await threeWays(() => {
    const x = det([128, 784], 3);
    const labels = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: 128 }, (_, i) => i % 10), "int32"), 10), "float32"));
    const params = tf.tidy(() => [tf.mul(det([784, 128], 4), 0.05), tf.zeros([128]), tf.mul(det([128, 10], 5), 0.1), tf.zeros([10])]);
    const loss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor): tf.Scalar => {
      const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
      return tf.losses.softmaxCrossEntropy(labels, tf.add(tf.matMul(h, w2), b2));
    };
    const run = (): void => {
      const grads = tf.grads((w1, b1, w2, b2) => loss(w1!, b1!, w2!, b2!))(params);
      const updated = params.map((p, i) => tf.sub(p, tf.mul(0.1, grads[i]!)));
      updated[0]!.dataSync();
    };
    return { inputs: [x, labels, ...params], run };
  });
  console.log(row(["", "wasm stock", "wasm fixed", "cpu"]));
  console.log(row(["---", "---:", "---:", "---:"]));
  console.log(row(["step", fmt(stock), fmt(fixed), fmt(cpu)]));
}

async function convLayer(): Promise<void> {
  // A small conv layer: x [32, 28, 28, 8], 3×3 filter to 16 channels, 'same' padding.
  console.log("\n### conv2d gradients, x [32,28,28,8], filter [3,3,8,16], 'same' (ms per call)\n");
  console.log(row(["kernel", "wasm stock", "wasm fixed", "cpu"]));
  console.log(row(["---", "---:", "---:", "---:"]));
  for (const stride of [1, 2]) {
    const ho = Math.ceil(28 / stride);
    const dx = await threeWays(() => {
      const dy = det([32, ho, ho, 16], 1) as tf.Tensor4D;
      const w = det([3, 3, 8, 16], 2) as tf.Tensor4D;
      return { inputs: [dy, w], run: () => void tf.conv2dTranspose(dy, w, [32, 28, 28, 8], stride, "same").dataSync() };
    });
    const dw = await threeWays(() => {
      const x = det([32, 28, 28, 8], 3) as tf.Tensor4D;
      const dy = det([32, ho, ho, 16], 4);
      const w = det([3, 3, 8, 16], 2);
      const run = (): void =>
        void tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, v as tf.Tensor4D, stride, "same"), dy)))(w).dataSync();
      return { inputs: [x, dy, w], run };
    });
    console.log(row([`Conv2DBackpropInput, stride ${stride}`, ...dx.map(fmt)]));
    console.log(row([`Conv2DBackpropFilter (+ forward), stride ${stride}`, ...dw.map(fmt)]));
  }
  for (const [k, s] of [[2, 2], [3, 2]] as const) {
    const pool = await threeWays(() => {
      const x = det([32, 28, 28, 16], 5) as tf.Tensor4D;
      const dy = det([32, 14, 14, 16], 6);
      const run = (): void =>
        void tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, k, s, "same"), dy)))(x).dataSync();
      return { inputs: [x, dy], run };
    });
    console.log(row([`MaxPoolGrad (+ forward), x [32,28,28,16], ${k}×${k}/${s} 'same'`, ...pool.map(fmt)]));
  }
}

async function thresholds(): Promise<void> {
  // Where copying a transposed operand pays (the thresholds in core/kernels/batch-matmul.ts).
  console.log("\n### BatchMatMul thresholds: stock vs fixed on wasm (ms per product)\n");
  console.log(row(["product", "multiply-adds", "wasm stock", "wasm fixed"]));
  console.log(row(["---", "---:", "---:", "---:"]));
  const cases: [number[], number[], boolean, boolean][] = [];
  for (const m of [1, 4, 8, 16, 64]) cases.push([[m, 10_000], [100, 10_000], false, true], [[m, 128], [784, 128], false, true]);
  for (const m of [1, 16]) cases.push([[100, m], [100, 10_000], true, false]);
  for (const m of [16, 64, 256]) cases.push([[m, 10], [10, 10], false, true]);
  for (const [as, bs, ta, tb] of cases) {
    const flops = as[0]! * as[1]! * (tb ? bs[0]! : bs[1]!);
    const [stock, fixed] = await threeWays(() => {
      const a = det(as, 1);
      const b = det(bs, 2);
      return { inputs: [a, b], run: () => void tf.matMul(a, b, ta, tb).dataSync() };
    }, false);
    const name = `[${as.join(",")}]${ta ? "ᵀ" : ""}·[${bs.join(",")}]${tb ? "ᵀ" : ""}`;
    console.log(row([name, String(flops), fmt(stock), fmt(fixed)]));
  }
}

async function broadcasts(): Promise<void> {
  console.log("\n### Tile / broadcastTo / stack / concat, x [256,1000] (ms per call)\n");
  console.log(row(["call", "wasm stock", "wasm fixed", "cpu"]));
  console.log(row(["---", "---:", "---:", "---:"]));
  const cases: [string, () => Case][] = [
    ["tf.tile([256,1], [1,1000])", () => {
      const x = det([256, 1], 1);
      return { inputs: [x], run: () => void tf.tile(x, [1, 1000]).dataSync() };
    }],
    ["tf.where(mask, x, tf.scalar(-Infinity))", () => {
      const x = det([256, 1000], 2);
      const mask = tf.greater(x, 0);
      return { inputs: [x, mask], run: () => void tf.where(mask, x, tf.scalar(-Infinity)).dataSync() };
    }],
    ["tf.stack([x, y], 2) (Pack)", () => {
      const x = det([256, 1000], 3);
      const y = det([256, 1000], 4);
      return { inputs: [x, y], run: () => void tf.stack([x, y], 2).dataSync() };
    }],
    ["tf.concat([x, ones [256,1]], 1)", () => {
      const x = det([256, 1000], 5);
      const one = tf.ones([256, 1]);
      return { inputs: [x, one], run: () => void tf.concat([x, one], 1).dataSync() };
    }],
  ];
  for (const [name, make] of cases) console.log(row([name, ...(await threeWays(make)).map(fmt)]));
}

// `--only <section>` runs one section; `--thresholds` adds the BatchMatMul threshold sweep.
const only = process.argv[process.argv.indexOf("--only") + 1];
const sections: Record<string, () => Promise<void>> = { matmuls, mlpStep, convLayer, broadcasts };
for (const [name, run] of Object.entries(sections)) {
  if (process.argv.includes("--only") && name !== only) continue;
  await run();
  if (name === "matmuls" && process.argv.includes("--thresholds")) await thresholds();
}
