/**
 * Networks in the recorded IR (interpreter/record-networks.ts): a Chain of Dense, LayerNorm,
 * Dropout, Flatten and Embedding layers whose parameters all have a prior records, and its log density and gradient equal the interpreter's
 * tfjs path (nn/'s own layers) at random points, for every activation the IR has; anything
 * else falls back to the interpreter with the reason.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../../core/engine.js";
import { outputNamesOf, outputsOf, posteriorModel } from "../../interpreter/instance.js";
import { hostOutputs } from "../../interpreter/record-outputs.js";
import { expectSameDensity, instance, points } from "./helpers.js";

const X = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(0.7 * i)]);
const Y = X.map(([a, b]) => a! - 0.5 * b!);

function hostNote(src: string, data: Record<string, unknown>): { notes: string[]; recorded: boolean } {
  const notes: string[] = [];
  const model = posteriorModel(instance(src, "m", data as never), { engine: "host", note: (l) => notes.push(l) });
  return { notes, recorded: model.hostValueAndGrad !== undefined };
}

describe("networks on the host engine", () => {
  it.each(["identity", "relu", "tanh", "sigmoid", "softplus", "elu", "swish", "gelu"])("Chain(Dense(2 => 5, %s), Dense(5 => 1)) with a Normal likelihood", (act) => {
    const src = `model m(x, y) {\n  net = Chain(Dense(2 => 5, ${act}), Dense(5 => 1))\n  params(net) ~ Normal(0, 1)\n  sigma ~ HalfNormal(1)\n  y ~ Normal(net(x)[:, 1], sigma)\n}`;
    const { notes, recorded } = hostNote(src, { x: X, y: Y });
    expect(notes).toEqual(["engine: host (float64, compiled)"]);
    expect(recorded).toBe(true);
    expectSameDensity(instance(src, "m", { x: X, y: Y }));
  });

  it("a classifier: three layers, no bias on one, softmax outputs scored by Categorical", () => {
    const src = `model m(x, y) {\n  net = Chain(Dense(2 => 4, relu), Dense(4 => 4, tanh, bias = false), Dense(4 => 3, softmax))\n  params(net) ~ Normal(0, 0.5)\n  p = net(x)\n  for i in 1:length(y) {\n    y[i] ~ Categorical(p[i, :])\n  }\n}`;
    const y = X.map((_, i) => (i % 3) + 1);
    expect(hostNote(src, { x: X, y }).recorded).toBe(true);
    expectSameDensity(instance(src, "m", { x: X, y }));
  });

  it("the draws' outputs of a network's parameters come from the recorded graph, as tfjs gives them", () => {
    const src = `model m(x, y) {\n  net = Chain(Dense(2 => 3, tanh), Dense(3 => 1))\n  params(net) ~ Normal(0, 1)\n  y ~ Normal(net(x)[:, 1], 0.5)\n}`;
    const inst = instance(src, "m", { x: X, y: Y });
    const host = hostOutputs(inst);
    expect(host).toBeDefined();
    const q = tf.tensor2d(points(inst.layout.dim, 2, 5).map((r) => Array.from(r)));
    const [ours, ref] = [host!(q), tf.tidy(() => outputsOf(inst, q))];
    q.dispose();
    expect(outputNamesOf(inst).slice(0, 3)).toEqual(["net[1].weight[1,1]", "net[1].weight[2,1]", "net[1].weight[1,2]"]);
    ours.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - ref[i]![j]!)).toBeLessThan(1e-6)));
  });

  it("LayerNorm (gain and bias as latents), Dropout (the identity when scoring) and Flatten", () => {
    const src = `model m(x, y) {\n  net = Chain(Dense(2 => 4, tanh), LayerNorm(4), Dropout(0.3), Flatten(), Dense(4 => 1))\n  params(net) ~ Normal(0, 1)\n  y ~ Normal(net(x)[:, 1], 0.5)\n}`;
    expect(hostNote(src, { x: X, y: Y }).recorded).toBe(true);
    expectSameDensity(instance(src, "m", { x: X, y: Y }));
  });

  it("an Embedding of 1-based indices of data, then a Dense layer", () => {
    const src = `model m(k, y) {\n  net = Chain(Embedding(4 => 3), Dense(3 => 1, softplus))\n  params(net) ~ Normal(0, 1)\n  y ~ Poisson(net(k)[:, 1])\n}`;
    const k = X.map((_, i) => (i % 4) + 1);
    const y = k.map((v) => v % 3);
    expect(hostNote(src, { k, y }).recorded).toBe(true);
    expectSameDensity(instance(src, "m", { k, y }));
  });

  it("parts of a network: net[1](x), net[2].weight, a named layer's parameters, as recorded quantities", () => {
    const src = `model m(x, y) {\n  net = Chain(Dense(2 => 3, tanh), Dense(3 => 1))\n  params(net) ~ Normal(0, 1)\n  h = net[1](x)\n  w = net[2].weight\n  b = net[1].bias\n  y ~ Normal((h @ w)[:, 1] + net[2].bias[1], 0.5)\n}`;
    const inst = instance(src, "m", { x: X, y: Y });
    expect(hostNote(src, { x: X, y: Y }).recorded).toBe(true);
    expectSameDensity(inst);
    const host = hostOutputs(inst);
    expect(host).toBeDefined();
    const q = tf.tensor2d(points(inst.layout.dim, 2, 9).map((r) => Array.from(r)));
    const [ours, ref] = [host!(q), tf.tidy(() => outputsOf(inst, q))];
    q.dispose();
    expect(outputNamesOf(inst)).toContain("w[3,1]");
    ours.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - ref[i]![j]!)).toBeLessThan(1e-5 * (1 + Math.abs(v)))));
  });

  it("priors layer by layer, params(net[1]) ~ D and params(net[2]) ~ D, with a network constructor", () => {
    const src = `network mlp(nin, nh) = Chain(Dense(nin => nh, tanh), Dense(nh => 1))\nmodel m(x, y) {\n  net = mlp(ncols(x), 4)\n  params(net[1]) ~ Normal(0, 2)\n  params(net[2]) ~ Cauchy(0, 1)\n  y ~ Bernoulli(logit = net(x)[:, 1])\n}`;
    const y = Y.map((v) => (v > 0 ? 1 : 0));
    expect(hostNote(src, { x: X, y }).recorded).toBe(true);
    expectSameDensity(instance(src, "m", { x: X, y }));
  });

  it("a single Dense layer, a Bernoulli-logit likelihood and a Laplace prior", () => {
    const src = `model m(x, y) {\n  net = Dense(2 => 1)\n  params(net) ~ Laplace(0, 1)\n  y ~ Bernoulli(logit = net(x)[:, 1])\n}`;
    const y = Y.map((v) => (v > 0 ? 1 : 0));
    expect(hostNote(src, { x: X, y }).recorded).toBe(true);
    expectSameDensity(instance(src, "m", { x: X, y }));
  });

  it("falls back with the reason: a layer the IR lacks, a parameter without a prior", () => {
    const data = { x: X, y: Y };
    const norm = hostNote(`model m(x, y) {\n  net = Chain(Dense(2 => 3), BatchNorm(3), Dense(3 => 1))\n  params(net) ~ Normal(0, 1)\n  y ~ Normal(net(x)[:, 1], 1)\n}`, data);
    expect(norm.recorded).toBe(false);
    expect(norm.notes[0]).toMatch(/^engine: tfjs \(cannot record: the layer BatchNorm\(3\) is not in the recorded set yet\)$/);
    const leaf = hostNote(`model m(x, y) {\n  net = Dense(2 => 1)\n  net.weight ~ Normal(0, 1)\n  y ~ Normal(net(x)[:, 1], 1)\n}`, data);
    expect(leaf.recorded).toBe(false);
    expect(leaf.notes[0]).toMatch(/^engine: tfjs \(cannot record: /);
  });
});
