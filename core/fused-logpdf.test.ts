// Tests of the log-density sums (fused-logpdf.ts): the family kernel's sums (fused-family.ts,
// from core/ir/families.ts) and the composite kernels of Normal and Bernoulli(logit). References,
// all independent of the kernels: the densities written out in float64 by plain JS loops over
// the broadcast shape, central finite differences of that float64 reference (h = 1e-5, error
// O(h²)·f''' ≈ 1e-9), and the gradients tfjs's autodiff takes of the plain op formulas.
import { afterAll, describe, expect, it } from "vitest";
import { tf, initEngine } from "./engine.js";
import { familyLogPdf, type Operand } from "./fused-family.js";
import { bernoulliLogitLogPmfSum, familyLogPdfSum, normalLogPdfSum } from "./fused-logpdf.js";
import type { FamilyName } from "./ir/families.js";
import { lgamma64 } from "./special-host.js";
import { lcg } from "./kernels/testing.js";

afterAll(async () => {
  await initEngine("wasm");
});

type NormalSum = (x: Operand, loc: Operand, scale: Operand, batched: boolean) => tf.Tensor;
type BernoulliSum = (y: Operand, logit: Operand, batched: boolean) => tf.Tensor;
const reduceOf = (batched: boolean): "rows" | "all" => (batched ? "rows" : "all");

// Both implementations of the two families that have a composite: the family kernel (every size
// on cpu, up to HOST_LOOP_MAX_SIZE on wasm) and the composite kernels (larger tensors on wasm,
// other backends); with the names of their forward and backward kernels.
const IMPLEMENTATIONS: readonly (readonly [string, NormalSum, BernoulliSum, string, string])[] = [
  ["family kernel", (x, l, s, b) => familyLogPdf("normal", [x, l, s], reduceOf(b)), (y, e, b) => familyLogPdf("bernoulliLogit", [y, e], reduceOf(b)), "DlmFamilyLogPdf", "DlmFamilyLogPdfGrad"],
  ["composite kernels", normalLogPdfSum, bernoulliLogitLogPmfSum, "DlmNormalLogPdfSum", "DlmSumToShape"],
];

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** A host operand: flat float64 values and a shape (a number is shape []). */
interface Host {
  readonly data: number[];
  readonly shape: readonly number[];
}
const host = (shape: readonly number[], seed: number, lo: number, hi: number): Host => ({
  shape,
  data: Array.from(lcg(shape.reduce((p, d) => p * d, 1), seed), (u) => Math.fround(lo + ((u + 1) / 2) * (hi - lo))),
});
const num = (v: number): Host => ({ data: [v], shape: [] });
const tensorOf = (h: Host): tf.Tensor => tf.tensor(h.data, [...h.shape], "float32");

function broadcast(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => Math.max(...shapes.map((s) => s[i - rank + s.length] ?? 1)));
}

/** Index into `h` of the element at multi-index `idx` of the broadcast shape. */
function at(h: Host, idx: readonly number[]): number {
  const off = idx.length - h.shape.length;
  let flat = 0;
  h.shape.forEach((d, i) => {
    flat = flat * d + (d === 1 ? 0 : idx[i + off]!);
  });
  return flat;
}

/** Row sums (one row, or one per index of axis 0 with batched) of f over the broadcast shape, in float64. */
function refSum(ops: readonly Host[], batched: boolean, f: (...v: number[]) => number): number[] {
  const shape = broadcast(ops.map((o) => o.shape));
  const size = shape.reduce((p, d) => p * d, 1);
  const rows = batched ? shape[0]! : 1;
  const out = new Array<number>(rows).fill(0);
  for (let flat = 0; flat < size; flat++) {
    const idx: number[] = [];
    let r = flat;
    for (let i = shape.length - 1; i >= 0; i--) {
      idx.unshift(r % shape[i]!);
      r = Math.floor(r / shape[i]!);
    }
    out[batched ? idx[0]! : 0]! += f(...ops.map((o) => o.data[at(o, idx)]!));
  }
  return out;
}

const normal64 = (x: number, m: number, s: number): number => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - HALF_LOG_2PI;
const softplus64 = (t: number): number => Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
const bernoulli64 = (y: number, eta: number): number => -softplus64((1 - 2 * y) * eta);

/** Central differences of Σ_r u_r·refSum_r with respect to every element of operand `k`. */
function fdGrad(ops: readonly Host[], k: number, batched: boolean, u: readonly number[], f: (...v: number[]) => number): number[] {
  const h = 1e-5;
  const objective = (o: readonly Host[]): number => refSum(o, batched, f).reduce((acc, v, r) => acc + u[r]! * v, 0);
  return ops[k]!.data.map((v, i) => {
    const shifted = (delta: number): Host[] => ops.map((o, j) => (j === k ? { shape: o.shape, data: o.data.map((w, l) => (l === i ? v + delta : w)) } : o));
    return (objective(shifted(h)) - objective(shifted(-h))) / (2 * h);
  });
}

function expectClose(got: ArrayLike<number>, want: readonly number[], rel: number): void {
  expect(got.length).toBe(want.length);
  const scale = Math.max(1, ...want.map(Math.abs));
  want.forEach((w, i) => expect(Math.abs(got[i]! - w) / scale).toBeLessThan(rel));
}

// The unfused formulas, as distributions/normal.ts and bernoulli.ts write them.
const plainNormal = (x: tf.Tensor, m: tf.Tensor, s: tf.Tensor): tf.Tensor =>
  tf.sub(tf.mul(tf.square(tf.div(tf.sub(x, m), s)), -0.5), tf.add(tf.log(s), HALF_LOG_2PI));
const plainBernoulli = (y: tf.Tensor, eta: tf.Tensor): tf.Tensor => tf.neg(tf.softplus(tf.mul(tf.sub(1, tf.mul(2, y)), eta)));
const rowSum = (t: tf.Tensor, batched: boolean): tf.Tensor => (batched ? (t.rank > 1 ? tf.sum(t, [...Array(t.rank).keys()].slice(1)) : t) : tf.sum(t));

interface NormalCase {
  readonly name: string;
  readonly x: Host | number;
  readonly loc: Host | number;
  readonly scale: Host | number;
  readonly batched: boolean;
}

const C = 3;
const K = 5;
const NORMAL_CASES: readonly NormalCase[] = [
  { name: "[C, K] x, loc 0, [C, 1] scale, per chain", x: host([C, K], 1, -2, 2), loc: 0, scale: host([C, 1], 2, 0.5, 2), batched: true },
  { name: "[C, K] x, [K] loc, number scale, total", x: host([C, K], 3, -2, 2), loc: host([K], 4, -1, 1), scale: 2.5, batched: false },
  { name: "[C, K] x, [K] loc, [C, 1] scale, per chain", x: host([C, K], 5, -2, 2), loc: host([K], 6, -1, 1), scale: host([C, 1], 7, 0.3, 3), batched: true },
  { name: "unbatched [N] data, [N] loc, [] scale", x: host([7], 8, -3, 3), loc: host([7], 9, -1, 1), scale: host([], 10, 0.5, 2), batched: false },
  { name: "number x, [C, 1] loc, number scale, per chain", x: 0.7, loc: host([C, 1], 11, -1, 1), scale: 0.8, batched: true },
  { name: "[C, 1, K] x, [2, 1] loc, [K] scale, per chain", x: host([C, 1, K], 12, -2, 2), loc: host([2, 1], 13, -1, 1), scale: host([K], 14, 0.5, 1.5), batched: true },
  { name: "[C] x, number loc and scale, per chain (no sum)", x: host([C], 15, -2, 2), loc: -0.25, scale: 1.5, batched: true },
];

const operand = (v: Host | number): Host => (typeof v === "number" ? num(v) : v);
const asArg = (v: Host | number): tf.Tensor | number => (typeof v === "number" ? v : tensorOf(v));

for (const [impl, normalLogPdfSum] of IMPLEMENTATIONS) describe(`Σ Normal (${impl})`, () => {
  for (const c of NORMAL_CASES) {
    it(`value and gradients: ${c.name}`, () => {
      const ops = [operand(c.x), operand(c.loc), operand(c.scale)];
      const want = refSum(ops, c.batched, normal64);
      const args = [asArg(c.x), asArg(c.loc), asArg(c.scale)] as const;
      const value = normalLogPdfSum(args[0], args[1], args[2], c.batched);
      expect(value.shape).toEqual(c.batched ? [want.length] : []);
      expectClose(value.dataSync(), want, 2e-6);
      // Against the plain formula (as normal.ts today): float32 rounding apart.
      const plain = tf.tidy(() => rowSum(plainNormal(...(args.map((a) => (typeof a === "number" ? tf.scalar(a) : a)) as [tf.Tensor, tf.Tensor, tf.Tensor])), c.batched));
      expectClose(value.dataSync(), Array.from(plain.dataSync()), 2e-6);
      tf.dispose([value, plain]);

      const tensorIdx = [0, 1, 2].filter((k) => typeof args[k] !== "number");
      const tensors = tensorIdx.map((k) => args[k] as tf.Tensor);
      const u = want.map((_, r) => 0.5 + r);
      const dy = c.batched ? tf.tensor1d(u) : tf.scalar(u[0]!);
      const call = (f: (a: tf.Tensor | number, b: tf.Tensor | number, s: tf.Tensor | number) => tf.Tensor) => (...ts: tf.Tensor[]) => {
        const a = [...args] as (tf.Tensor | number)[];
        tensorIdx.forEach((k, j) => (a[k] = ts[j]!));
        return f(a[0]!, a[1]!, a[2]!);
      };
      const fused = tf.grads(call((a, b, s) => normalLogPdfSum(a, b, s, c.batched)))(tensors, dy);
      const lift = (v: tf.Tensor | number): tf.Tensor => (typeof v === "number" ? tf.scalar(v) : v);
      const plainG = tf.grads(call((a, b, s) => rowSum(plainNormal(lift(a), lift(b), lift(s)), c.batched)))(tensors, dy);
      tensorIdx.forEach((k, j) => {
        expect(fused[j]!.shape).toEqual(tensors[j]!.shape);
        expectClose(fused[j]!.dataSync(), Array.from(plainG[j]!.dataSync()), 1e-5);
        expectClose(fused[j]!.dataSync(), fdGrad(ops, k, c.batched, u, normal64), 1e-5);
      });
      tf.dispose([...fused, ...plainG, ...tensors, dy]);
    });
  }

  it("a broadcast size above HOST_LOOP_MAX_SIZE agrees with the float64 reference", () => {
    const x = host([3, 1000], 71, -2, 2);
    const s = host([3, 1], 72, 0.5, 2);
    const [xt, st] = [tensorOf(x), tensorOf(s)];
    const v = normalLogPdfSum(xt, 0.1, st, true);
    expectClose(v.dataSync(), refSum([x, num(0.1), s], true, normal64), 2e-6);
    const [gx, gs] = tf.grads((a: tf.Tensor, b: tf.Tensor) => normalLogPdfSum(a, 0.1, b, true))([xt, st]);
    const sd = s.data;
    expectClose(gx!.dataSync(), x.data.map((xi, k) => -(xi - 0.1) / sd[Math.floor(k / 1000)]! ** 2), 1e-6);
    expectClose(gs!.dataSync(), fdGrad([x, num(0.1), s], 2, true, [1, 1, 1], normal64), 1e-5);
    tf.dispose([xt, st, v, gx!, gs!]);
  });

  it("rejects shapes that do not broadcast, and a per-chain sum at rank 0", () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([4]);
    expect(() => normalLogPdfSum(a, b, 1, false)).toThrow(/do not broadcast/);
    expect(() => normalLogPdfSum(tf.scalar(1), 0, 1, true)).toThrow(/rank/);
    tf.dispose([a, b]);
  });
});

describe("familyLogPdfSum", () => {
  it("all-number operands give the scalar log density", () => {
    const v = familyLogPdfSum("normal", [1.5, 0.5, 2], false);
    expectClose(v.dataSync(), [normal64(1.5, 0.5, 2)], 1e-7);
    v.dispose();
  });

  it("takes the composite above HOST_LOOP_MAX_SIZE on wasm and the family kernel below, with the same sums", async () => {
    const small = tensorOf(host([4, 100], 81, -2, 2));
    const large = tensorOf(host([4, 1000], 82, -2, 2));
    const kernelsOf = async (x: tf.Tensor) => (await tf.profile(() => familyLogPdfSum("normal", [x, 0, 1.5], true))).kernels.map((k) => k.name);
    expect(await kernelsOf(small)).toEqual(["DlmFamilyLogPdf"]);
    expect(await kernelsOf(large)).toEqual(["DlmNormalLogPdfSum"]);
    for (const x of [small, large]) {
      const v = familyLogPdfSum("normal", [x, 0, 1.5], true);
      const w = familyLogPdf("normal", [x, 0, 1.5], "rows");
      expectClose(v.dataSync(), Array.from(w.dataSync()), 1e-6);
      tf.dispose([v, w]);
    }
    tf.dispose([small, large]);
  });

  it("an integer tensor is cast for the family kernel and refused by the composite", () => {
    const k = tf.tensor1d([1, 2], "int32");
    const v = familyLogPdfSum("normal", [k, 0, 1], false);
    expectClose(v.dataSync(), [normal64(1, 0, 1) + normal64(2, 0, 1)], 1e-6);
    expect(() => normalLogPdfSum(k, 0, 1, false)).toThrow(/float32/);
    tf.dispose([k, v]);
  });
});

// Other families through the family kernel, as float64 densities written out in full
// (normalisers included) in families.ts's parameterisation: StudentT(ν, μ, σ) (Stan's
// student_t_lpdf), Gamma(α, rate β), InverseGamma(α, scale β), Beta(a, b); fixed shape
// parameters as numbers, the others as tensors.
interface FamilyCase {
  readonly family: FamilyName;
  readonly name: string;
  /** The value and the parameters: numbers (kernel attributes) or tensors. */
  readonly args: readonly (Host | number)[];
  readonly batched: boolean;
  readonly density64: (...v: number[]) => number;
}
const lbeta64 = (a: number, b: number): number => lgamma64(a) + lgamma64(b) - lgamma64(a + b);
const studentT64 = (x: number, nu: number, m: number, s: number): number =>
  lgamma64((nu + 1) / 2) - lgamma64(nu / 2) - 0.5 * Math.log(nu * Math.PI) - Math.log(s) - ((nu + 1) / 2) * Math.log(1 + ((x - m) / s) ** 2 / nu);
const gamma64 = (x: number, a: number, b: number): number => a * Math.log(b) - lgamma64(a) + (a - 1) * Math.log(x) - b * x;
const invGamma64 = (x: number, a: number, b: number): number => a * Math.log(b) - lgamma64(a) - (a + 1) * Math.log(x) - b / x;
const beta64 = (x: number, a: number, b: number): number => (a - 1) * Math.log(x) + (b - 1) * Math.log(1 - x) - lbeta64(a, b);
const FAMILY_CASES: readonly FamilyCase[] = [
  { family: "studentT", name: "ν 3, [C, K] x, [C, 1] σ, per chain", args: [host([C, K], 31, -8, 8), 3, 0, host([C, 1], 32, 0.5, 2)], batched: true, density64: studentT64 },
  { family: "studentT", name: "[N] data, ν 0.7, [C, N] μ, number σ", args: [host([9], 33, -3, 3), 0.7, host([C, 9], 34, -1, 1), 1.7], batched: true, density64: studentT64 },
  { family: "studentT", name: "a [C, 1] ν, [C, 1] x", args: [host([C, 1], 35, -3, 3), host([C, 1], 36, 1, 9), -0.3, 1.2], batched: true, density64: studentT64 },
  { family: "gamma", name: "α 2.5, [C, K] x, [C, 1] rate", args: [host([C, K], 37, 0.05, 6), 2.5, host([C, 1], 38, 0.5, 2)], batched: true, density64: gamma64 },
  { family: "gamma", name: "[C, 1] α, [N] data, number rate, total", args: [host([9], 39, 0.05, 6), host([C, 1], 40, 0.5, 3), 1.3], batched: false, density64: gamma64 },
  { family: "inverseGamma", name: "α 1.5, [C, K] x, [] scale", args: [host([C, K], 41, 0.05, 4), 1.5, host([], 42, 0.4, 3)], batched: true, density64: invGamma64 },
  { family: "beta", name: "a 5, b 5, [C, K] x", args: [host([C, K], 43, 0.02, 0.98), 5, 5], batched: true, density64: beta64 },
  { family: "beta", name: "[C, 1] a, b 2.5, [C, K] x, total", args: [host([C, K], 44, 0.02, 0.98), host([C, 1], 45, 0.3, 4), 2.5], batched: false, density64: beta64 },
];

describe("Σ of other families (family kernel)", () => {
  for (const f of FAMILY_CASES) {
    it(`${f.family}: value and gradients, ${f.name}`, () => {
      const ops = f.args.map(operand);
      const want = refSum(ops, f.batched, f.density64);
      const args = f.args.map(asArg);
      const value = familyLogPdfSum(f.family, args, f.batched);
      expect(value.shape).toEqual(f.batched ? [want.length] : []);
      expectClose(value.dataSync(), want, 3e-6);
      value.dispose();
      const tensorIdx = args.flatMap((a, k) => (typeof a === "number" ? [] : [k]));
      const tensors = tensorIdx.map((k) => args[k] as tf.Tensor);
      const u = want.map((_, r) => 0.5 + r);
      const dy = f.batched ? tf.tensor1d(u) : tf.scalar(u[0]!);
      const grads = tf.grads((...ts: tf.Tensor[]) => {
        const a = [...args];
        tensorIdx.forEach((k, j) => (a[k] = ts[j]!));
        return familyLogPdfSum(f.family, a, f.batched);
      })(tensors, dy);
      tensorIdx.forEach((k, j) => {
        expect(grads[j]!.shape).toEqual(tensors[j]!.shape);
        expectClose(grads[j]!.dataSync(), fdGrad(ops, k, f.batched, u, f.density64), 2e-5);
      });
      tf.dispose([...grads, ...tensors, dy]);
    });
  }
});

interface BernoulliCase {
  readonly name: string;
  readonly y: Host | number;
  readonly logit: Host | number;
  readonly batched: boolean;
}

const labels = (shape: readonly number[], seed: number): Host => {
  const h = host(shape, seed, 0, 1);
  return { shape, data: h.data.map((v) => (v > 0.5 ? 1 : 0)) };
};

const BERNOULLI_CASES: readonly BernoulliCase[] = [
  { name: "[N] labels, [C, N] logits, per chain", y: labels([11], 21), logit: host([C, 11], 22, -4, 4), batched: true },
  { name: "number label 1, [K] logits, total", y: 1, logit: host([K], 23, -6, 6), batched: false },
  { name: "unbatched [N] labels and logits, extreme logits", y: labels([8], 24), logit: { shape: [8], data: [-100, -30, -12, -0.5, 0.5, 12, 30, 100] }, batched: false },
  { name: "[C, N] labels, [C, 1] logits, per chain", y: labels([C, 6], 25), logit: host([C, 1], 26, -3, 3), batched: true },
];

for (const [impl, , bernoulliLogitLogPmfSum] of IMPLEMENTATIONS) describe(`Σ Bernoulli(logit) (${impl})`, () => {
  for (const c of BERNOULLI_CASES) {
    it(`value and gradient: ${c.name}`, () => {
      const ops = [operand(c.y), operand(c.logit)];
      const want = refSum(ops, c.batched, bernoulli64);
      const y = asArg(c.y);
      const eta = tensorOf(operand(c.logit));
      const value = bernoulliLogitLogPmfSum(y, eta, c.batched);
      expect(value.shape).toEqual(c.batched ? [want.length] : []);
      expectClose(value.dataSync(), want, 2e-6);
      const yT = typeof y === "number" ? tf.scalar(y) : y;
      const plain = tf.tidy(() => rowSum(plainBernoulli(yT, eta), c.batched));
      expectClose(value.dataSync(), Array.from(plain.dataSync()), 2e-6);

      const u = want.map((_, r) => 1.5 - r);
      const dy = c.batched ? tf.tensor1d(u) : tf.scalar(u[0]!);
      const g = tf.grad((e: tf.Tensor) => bernoulliLogitLogPmfSum(y, e, c.batched))(eta, dy);
      const gPlain = tf.grad((e: tf.Tensor) => rowSum(plainBernoulli(yT, e), c.batched))(eta, dy);
      expect(g.shape).toEqual(eta.shape);
      expectClose(g.dataSync(), Array.from(gPlain.dataSync()), 1e-6);
      expectClose(g.dataSync(), fdGrad(ops, 1, c.batched, u, bernoulli64), 1e-5);
      tf.dispose([value, plain, g, gPlain, eta, yT, dy]);
      if (typeof y !== "number") y.dispose();
    });
  }

  it("a broadcast size above HOST_LOOP_MAX_SIZE agrees with the float64 reference", () => {
    const y = labels([3000], 73);
    const eta = host([2, 3000], 74, -5, 5);
    const [yt, et] = [tensorOf(y), tensorOf(eta)];
    const v = bernoulliLogitLogPmfSum(yt, et, true);
    expectClose(v.dataSync(), refSum([y, eta], true, bernoulli64), 2e-6);
    const g = tf.grad((e: tf.Tensor) => bernoulliLogitLogPmfSum(yt, e, true))(et);
    expectClose(g.dataSync(), eta.data.map((e, k) => y.data[k % 3000]! - 1 / (1 + Math.exp(-e))), 1e-6);
    tf.dispose([yt, et, v, g]);
  });

  it("takes int32 and bool labels, and gives no gradient with respect to y", () => {
    const eta = tf.tensor1d([-1, 0.5, 2]);
    const yi = tf.tensor1d([1, 0, 1], "int32");
    const yb = tf.tensor1d([1, 0, 1], "bool");
    const want = bernoulli64(1, -1) + bernoulli64(0, 0.5) + bernoulli64(1, 2);
    for (const y of [yi, yb]) {
      const v = bernoulliLogitLogPmfSum(y, eta, false);
      expectClose(v.dataSync(), [want], 1e-6);
      v.dispose();
    }
    const yf = tf.tensor1d([1, 0, 1]);
    // the composite refuses; the family kernel never differentiates a label (zero gradient)
    if (impl === "composite kernels") expect(() => tf.grad((y: tf.Tensor) => bernoulliLogitLogPmfSum(y, eta, false))(yf)).toThrow(/no gradient with respect to y/);
    else expect(Array.from(tf.grad((y: tf.Tensor) => bernoulliLogitLogPmfSum(y, eta, false))(yf).dataSync())).toEqual([0, 0, 0]);
    tf.dispose([eta, yi, yb, yf]);
  });
});

const kernelNames = async (f: () => tf.TensorContainer): Promise<string[]> => {
  const info = await tf.profile(() => {
    const out = f();
    tf.dispose(out);
  });
  return info.kernels.map((k) => k.name);
};

for (const [impl, normalLogPdfSum, , forward, backward] of IMPLEMENTATIONS) describe(`only the needed gradients (${impl})`, () => {
  it("x constant takes fewer kernels than x differentiated; each gradient is one kernel", async () => {
    const x = tensorOf(host([4, 97], 31, -1, 1));
    const loc = tensorOf(host([97], 32, -1, 1));
    const s = tensorOf(host([4, 1], 33, 0.5, 2));
    const both = await kernelNames(() => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => normalLogPdfSum(a, b, c, true))([x, loc, s]));
    const noX = await kernelNames(() => tf.grads((b: tf.Tensor, c: tf.Tensor) => normalLogPdfSum(x, b, c, true))([loc, s]));
    const onlyS = await kernelNames(() => tf.grad((c: tf.Tensor) => normalLogPdfSum(x, loc, c, true))(s));
    const count = (names: string[], n: string): number => names.filter((k) => k === n).length;
    expect(count(both, backward)).toBe(3);
    expect(count(noX, backward)).toBe(2);
    expect(count(onlyS, backward)).toBe(1);
    expect(noX.length).toBeLessThan(both.length);
    expect(count(both, forward)).toBe(1);
    // Without a tape the forward pass is exactly one kernel.
    expect(await kernelNames(() => normalLogPdfSum(x, loc, s, true))).toEqual([forward]);
    tf.dispose([x, loc, s]);
  });

  it("a trained variable passed as loc or scale gets its gradient (the customGrad pitfall)", () => {
    const x = tensorOf(host([6], 41, -2, 2));
    const m = tf.variable(tf.scalar(0.3), true, `fused_test_m_${forward}`);
    const s = tf.variable(tf.scalar(1.7), true, `fused_test_s_${forward}`);
    const { value, grads } = tf.variableGrads(() => normalLogPdfSum(x, m, s, false) as tf.Scalar, [m, s]);
    const xs = Array.from(x.dataSync());
    const mv = m.dataSync()[0]!;
    const sv = s.dataSync()[0]!;
    expectClose(value.dataSync(), [xs.reduce((a, xi) => a + normal64(xi, mv, sv), 0)], 1e-6);
    expectClose(grads[`fused_test_m_${forward}`]!.dataSync(), [xs.reduce((a, xi) => a + (xi - mv) / sv ** 2, 0)], 1e-5);
    expectClose(grads[`fused_test_s_${forward}`]!.dataSync(), [xs.reduce((a, xi) => a + (((xi - mv) / sv) ** 2 - 1) / sv, 0)], 1e-5);
    tf.dispose([x, m, s, value, ...Object.values(grads)]);
  });
});

for (const [impl, normalLogPdfSum, bernoulliLogitLogPmfSum] of IMPLEMENTATIONS) describe(`memory and backends (${impl})`, () => {
  it("leaves no tensors or buffers behind over 1,000 value+gradient calls", () => {
    const w = tensorOf(host([4, 97], 51, -1, 1));
    const s = tensorOf(host([4, 1], 52, 0.5, 2));
    const y = tensorOf(labels([20], 53));
    const eta = tensorOf(host([4, 20], 54, -3, 3));
    const step = (): void => {
      const r = tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor, e: tf.Tensor): tf.Tensor =>
          tf.add(normalLogPdfSum(a, 0, b, true), bernoulliLogitLogPmfSum(y, e, true));
        const { value, grads } = tf.valueAndGrads(f)([w, s, eta], tf.ones([4]));
        return [value, ...grads];
      });
      tf.dispose(r);
    };
    // Without a tape (value only: one output per kernel) as well.
    const valueOnly = (): void => tf.dispose([normalLogPdfSum(w, 0, s, true), bernoulliLogitLogPmfSum(y, eta, false)]);
    step();
    valueOnly();
    const before = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
    for (let i = 0; i < 1000; i++) {
      step();
      valueOnly();
    }
    expect([tf.memory().numTensors, tf.engine().backend.numDataIds()]).toEqual(before);
    tf.dispose([w, s, y, eta]);
  });

  it("gives the same values and gradients on cpu as on wasm", async () => {
    const run = (): number[][] =>
      tf.tidy(() => {
        const x = tensorOf(host([4, 9], 61, -2, 2));
        const s = tensorOf(host([4, 1], 62, 0.5, 2));
        const y = tensorOf(labels([9], 63));
        const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.add(normalLogPdfSum(a, 0.2, b, true), bernoulliLogitLogPmfSum(y, a, true));
        const { value, grads } = tf.valueAndGrads(f)([x, s], tf.tensor1d([1, 2, 3, 4]));
        return [value, ...grads].map((t) => Array.from(t.dataSync()));
      });
    await initEngine("cpu");
    expect(tf.getBackend()).toBe("cpu");
    const onCpu = run();
    await initEngine("wasm");
    expect(tf.getBackend()).toBe("wasm");
    const onWasm = run();
    onCpu.forEach((a, i) => expectClose(a, onWasm[i]!, 1e-6));
  });
});
