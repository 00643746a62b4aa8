import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { key } from "../core/random.js";
import { batchSampler, columnStats, epochBatches, minibatches, onehot, permutation, standardize, takeRows, trainTestSplit } from "./data.js";

describe("minibatches", () => {
  it("cover every row once per epoch, reshuffled per epoch, reproducibly", () => {
    const opts = { batchSize: 4, key: key(1) };
    const e0 = epochBatches(10, 0, opts);
    expect(e0.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(Array.from(e0.flatMap((b) => Array.from(b))).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const e1 = epochBatches(10, 1, opts);
    expect(e1.map((b) => Array.from(b))).not.toEqual(e0.map((b) => Array.from(b)));
    expect(epochBatches(10, 0, { batchSize: 4, key: key(1) }).map((b) => Array.from(b))).toEqual(e0.map((b) => Array.from(b)));
    expect(epochBatches(10, 0, { ...opts, dropLast: true }).map((b) => b.length)).toEqual([4, 4]);
    expect(epochBatches(5, 0, { batchSize: 2, shuffle: false }).map((b) => Array.from(b))).toEqual([[0, 1], [2, 3], [4]]);
    const all = [...minibatches(10, 3, opts)];
    expect(all.length).toBe(9);
    expect(all[3]).toMatchObject({ epoch: 1, batch: 0 });
    expect(() => epochBatches(10, 0, { batchSize: 4 })).toThrow(/key/);
  });

  it("the batch sampler's steps are the epochs' batches in order (training by epochs, ADVI by steps)", () => {
    const opts = { batchSize: 4, key: key(3) };
    const sampler = batchSampler(10, opts);
    expect(sampler.perEpoch).toBe(3);
    const byEpoch = [0, 1, 2].flatMap((e) => epochBatches(10, e, opts)).map((b) => Array.from(b));
    expect(Array.from({ length: 9 }, (_, k) => Array.from(sampler.step(k)))).toEqual(byEpoch);
    expect(sampler.epoch(1).map((b) => Array.from(b))).toEqual(byEpoch.slice(3, 6));
    expect(batchSampler(10, { ...opts, dropLast: true }).perEpoch).toBe(2);
  });

  it("permutations are uniform: each position takes each value about equally often", () => {
    // 3000 permutations of 4: each (position, value) count is Binomial(3000, 1/4), sd ≈ 23.7.
    const counts = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (let i = 0; i < 3000; i++) permutation(4, key(i)).forEach((v, pos) => counts[pos]![v]!++);
    counts.flat().forEach((c) => expect(Math.abs(c - 750)).toBeLessThan(5 * 23.7));
  });

  it("takeRows gathers 0-based rows", () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    expect(takeRows(x, Int32Array.from([2, 0])).arraySync()).toEqual([[5, 6], [1, 2]]);
  });
});

describe("trainTestSplit", () => {
  it("has the right sizes, disjoint parts covering every row, and depends only on the key", () => {
    const s = trainTestSplit(103, 0.8, key(7));
    expect(s.train.length).toBe(82); // round(82.4)
    expect(s.test.length).toBe(21);
    const seen = new Set([...s.train, ...s.test]);
    expect(seen.size).toBe(103);
    expect(Math.min(...seen)).toBe(0);
    expect(Math.max(...seen)).toBe(102);
    expect(Array.from(s.train)).toEqual([...s.train].sort((a, b) => a - b));
    const again = trainTestSplit(103, 0.8, key(7));
    expect(Array.from(again.test)).toEqual(Array.from(s.test));
    expect(Array.from(trainTestSplit(103, 0.8, key(8)).test)).not.toEqual(Array.from(s.test));
    expect(() => trainTestSplit(10, 1.2, key(1))).toThrow(/fraction/);
  });
});

describe("standardize", () => {
  const x = tf.tensor2d([[1, 10, 5], [2, 20, 5], [3, 60, 5], [6, 30, 5]]);
  it("centres and scales columns (n − 1 sd), leaving constant columns centred", () => {
    const { mean, sd } = columnStats(x);
    // Column 1: mean 3, deviations (−2, −1, 0, 3), sum of squares 14, sd √(14/3).
    expect(Array.from(mean.dataSync())).toEqual([3, 30, 5]);
    expect(sd.dataSync()[0]).toBeCloseTo(Math.sqrt(14 / 3), 5);
    expect(sd.dataSync()[2]).toBe(1);
    const z = standardize(x).arraySync() as number[][];
    expect(z.map((r) => r[0]!)).toEqual([-2, -1, 0, 3].map((d) => expect.closeTo(d / Math.sqrt(14 / 3), 5)));
    expect(z.map((r) => r[2]!)).toEqual([0, 0, 0, 0]);
  });

  it("uses the statistics of `like`", () => {
    const test = tf.tensor2d([[3, 30, 5], [3 + Math.sqrt(14 / 3), 30, 6]]);
    const z = standardize(test, x).arraySync() as number[][];
    expect(z[0]).toEqual([0, 0, 0]);
    expect(z[1]![0]).toBeCloseTo(1, 5);
    expect(z[1]![2]).toBeCloseTo(1, 5);
    expect(() => standardize(tf.zeros([2, 2]), x)).toThrow(/like/);
  });

  it("handles vectors", () => {
    expect(Array.from(standardize(tf.tensor1d([1, 3])).dataSync())).toEqual([-Math.SQRT1_2, Math.SQRT1_2].map((v) => expect.closeTo(v, 5)));
  });
});

describe("onehot", () => {
  it("maps 1-based labels to rows and rejects labels outside 1..K", () => {
    expect(onehot([2, 1, 3], 3).arraySync()).toEqual([[0, 1, 0], [1, 0, 0], [0, 0, 1]]);
    expect(onehot(tf.tensor1d([1]), 2).arraySync()).toEqual([[1, 0]]);
    expect(() => onehot([0, 1], 2)).toThrow(/label 0 at position 1/);
    expect(() => onehot([1, 2.5], 3)).toThrow(/2.5/);
  });
});
