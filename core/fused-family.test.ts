// The family kernel (fused-family.ts) beyond the sums that fused-logpdf.test.ts checks: its
// elementwise mode, the options (value-only terms left out, arguments called data), a masked
// gradient, memory, and cpu against wasm. References: the densities written out in float64
// (Poisson's k log λ − λ − lgamma(k + 1), LogNormal's Normal(log x) − log x) and their
// derivatives by hand.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "./engine.js";
import { familyLogPdf, forwardKernel } from "./fused-family.js";
import { digamma64, lgamma64 } from "./special-host.js";

afterAll(async () => {
  await initEngine("wasm");
});

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const read = (t: tf.Tensor): number[] => Array.from(t.dataSync());

function expectClose(got: readonly number[], want: readonly number[], rel: number): void {
  expect(got).toHaveLength(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i]! - w) / Math.max(1, Math.abs(w))).toBeLessThan(rel));
}

describe("familyLogPdf, one density per element", () => {
  it("LogNormal over [C, N] values with [C, 1] scales: values and gradients", () => {
    const x = [0.3, 1.2, 4.5, 0.9, 2.2, 0.05];
    const mu = 0.2;
    const s = [0.7, 1.6];
    const xt = tf.tensor2d(x, [2, 3]);
    const st = tf.tensor2d(s, [2, 1]);
    const want = x.map((v, i) => {
      const z = (Math.log(v) - mu) / s[Math.floor(i / 3)]!;
      return -0.5 * z * z - Math.log(s[Math.floor(i / 3)]!) - HALF_LOG_2PI - Math.log(v);
    });
    const lp = familyLogPdf("logNormal", [xt, mu, st], "each");
    expect(lp.shape).toEqual([2, 3]);
    expectClose(read(lp), want, 1e-6);
    // upstream gradient u_i = i + 1
    const u = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const [gx, gs] = tf.grads((a: tf.Tensor, b: tf.Tensor) => familyLogPdf("logNormal", [a, mu, b], "each"))([xt, st], u);
    const dx = x.map((v, i) => {
      const sc = s[Math.floor(i / 3)]!;
      const z = (Math.log(v) - mu) / sc;
      return (i + 1) * ((-z / sc - 1) / v);
    });
    const ds = s.map((sc, r) => [0, 1, 2].reduce((acc, j) => {
      const z = (Math.log(x[r * 3 + j]!) - mu) / sc;
      return acc + (r * 3 + j + 1) * ((z * z - 1) / sc);
    }, 0));
    expectClose(read(gx!), dx, 1e-5);
    expect(gs!.shape).toEqual([2, 1]);
    expectClose(read(gs!), ds, 1e-5);
    tf.dispose([xt, st, lp, u, gx!, gs!]);
  });

  it("Poisson counts: the value-only terms in by default, out with withConst: false", () => {
    const k = [0, 1, 3, 7, 20];
    const rate = 3.2;
    const kt = tf.tensor1d(k, "int32");
    const full = read(familyLogPdf("poisson", [kt, rate], "each"));
    const rest = read(familyLogPdf("poisson", [kt, rate], "each", { withConst: false }));
    expectClose(full, k.map((v) => v * Math.log(rate) - rate - lgamma64(v + 1)), 1e-6);
    expectClose(rest, k.map((v) => v * Math.log(rate) - rate), 1e-6);
    kt.dispose();
  });
});

describe("familyLogPdf options and gradients", () => {
  it("an argument called data gets a zero gradient and no partials", async () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const m = tf.tensor1d([0.1, 0.2, 0.3]);
    const wanted = [false, true, false];
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => familyLogPdf("normal", [a, b, 1.5], "all", { wanted }))([x, m]);
    expect(read(g[0]!)).toEqual([0, 0, 0]);
    expectClose(read(g[1]!), [0.4, -1.2, 1.7].map((d) => d / 2.25), 1e-6);
    // the forward kernel returns the value and one partial (for m) while the tape records
    const outputs = tf.tidy(() => {
      let n = 0;
      tf.grad((b: tf.Tensor) => {
        const out = tf.engine().runKernel("DlmFamilyLogPdf", { a0: x, a1: b }, { family: "normal", reduce: "all", withGrad: true, withConst: true, consts: [0, 0, 1.5], tensorArgs: [1], a0Shape: [3], a1Shape: [3] });
        n = Array.isArray(out) ? out.length : 1;
        return Array.isArray(out) ? out[0]! : out;
      })(m);
      return n;
    });
    expect(outputs).toBe(2);
    tf.dispose([x, m, ...g]);
  });

  it("a value of a discrete family is never differentiated", () => {
    const k = tf.tensor1d([1, 4]);
    const g = tf.grad((a: tf.Tensor) => familyLogPdf("poissonLog", [a, 0.5], "all"))(k);
    expect(read(g)).toEqual([0, 0]);
    tf.dispose([k, g]);
  });

  it("values masked out of the support by tf.where give their parameter no NaN gradient", () => {
    // log x of x = −1 is NaN, and so is its partial by α; the mask's zero upstream gradient keeps
    // it out of the sum (0·NaN would be NaN)
    const x = tf.tensor1d([-1, 2, 0.5]);
    const mask = tf.tensor1d([false, true, true], "bool");
    const a = tf.scalar(2.5);
    const g = tf.grad((al: tf.Tensor) => tf.sum(tf.where(mask, familyLogPdf("gamma", [x, al, 1.3], "each"), tf.zerosLike(x))))(a);
    // ∂/∂α Σ over the two kept values of α log β − lgamma(α) + (α − 1) log x − βx
    const want = [2, 0.5].reduce((acc, v) => acc + Math.log(1.3) - digamma64(2.5) + Math.log(v), 0);
    expectClose(read(g), [want], 1e-5);
    tf.dispose([x, mask, a, g]);
  });

  it("leaves no tensors or buffers behind over 500 value+gradient calls", () => {
    const x = tf.tensor2d([0.3, 1.2, 4.5, 0.9], [2, 2]);
    const s = tf.tensor2d([0.7, 1.6], [2, 1]);
    const step = (): void =>
      tf.dispose(tf.tidy(() => {
        const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => tf.sum(familyLogPdf("studentT", [a, 3, 0.1, b], "each")))([x, s]);
        return [value, ...grads, familyLogPdf("gamma", [x, 2, s], "rows")];
      }));
    step();
    const before = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
    for (let i = 0; i < 500; i++) step();
    expect([tf.memory().numTensors, tf.engine().backend.numDataIds()]).toEqual(before);
    tf.dispose([x, s]);
  });

  it("gives the same values and gradients on cpu as on wasm", async () => {
    const run = (): number[][] =>
      tf.tidy(() => {
        const x = tf.tensor2d([0.3, 1.2, 4.5, 0.9, 2.2, 0.05], [2, 3]);
        const a = tf.tensor2d([1.5, 3], [2, 1]);
        const { value, grads } = tf.valueAndGrads((u: tf.Tensor, v: tf.Tensor) => familyLogPdf("inverseGamma", [u, v, 0.8], "rows"))([x, a], tf.tensor1d([1, 2]));
        return [value, ...grads].map(read);
      });
    await initEngine("cpu");
    const onCpu = run();
    await initEngine("wasm");
    const onWasm = run();
    onCpu.forEach((v, i) => expectClose(v, onWasm[i]!, 1e-6));
  });
});

describe("backends whose buffers are not in host memory", () => {
  it("the copying path (read by readSync, outputs uploaded) gives the host path's values and partials", async () => {
    await initEngine("cpu");
    const backend = tf.backend();
    const x = tf.tensor2d([0.5, -1, 2, 0.25], [2, 2]);
    const s = tf.tensor2d([0.7, 1.6], [2, 1]);
    const attrs = { family: "normal", reduce: "rows", withGrad: true, withConst: true, consts: [0, 0.1, 0], tensorArgs: [0, 2], a0Shape: [2, 2], a2Shape: [2, 1] };
    const run = (name: string): number[][] => {
      const out = forwardKernel(name)({ inputs: { a0: x, a2: s }, backend, attrs }) as tf.TensorInfo[];
      const values = out.map((info) => Array.from(backend.readSync(info.dataId) as Float32Array));
      for (const info of out) backend.disposeData(info.dataId);
      return values;
    };
    const copied = run("tensorflow");
    const inPlace = run("cpu");
    expect(copied).toHaveLength(3);
    copied.forEach((v, i) => expectClose(v, inPlace[i]!, 1e-7));
    // the per-chain sums themselves, in float64 by hand
    const want = [0, 1].map((r) => [0, 1].reduce((acc, j) => {
      const z = ([0.5, -1, 2, 0.25][r * 2 + j]! - 0.1) / [0.7, 1.6][r]!;
      return acc - 0.5 * z * z - Math.log([0.7, 1.6][r]!) - HALF_LOG_2PI;
    }, 0));
    expectClose(copied[0]!, want, 1e-6);
    tf.dispose([x, s]);
    await initEngine("wasm");
  });
});
