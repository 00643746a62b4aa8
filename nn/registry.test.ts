import { describe, expect, it } from "vitest";
import { tf } from "../core/engine.js";
import { key } from "../core/random.js";
import { ACTIVATIONS } from "./activations.js";
import { callArgs, pair } from "./args.js";
import { forward, initParams } from "./layer.js";
import { LAYERS, OPTIMISERS } from "./registry.js";
import { paramCount } from "./tree.js";

const make = (name: string, positional: unknown[] = [], keywords: Record<string, unknown> = {}) => LAYERS[name]!.make(callArgs(positional, keywords));

describe("LAYERS", () => {
  it("builds the language's network from evaluated arguments", () => {
    const net = make("Chain", [make("Dense", [pair(2, 16), ACTIVATIONS["tanh"]]), make("Dense", [pair(16, 16), "tanh"]), make("Dense", [pair(16, 3)])]);
    expect(net.describe()).toBe("Chain(Dense(2 => 16, tanh), Dense(16 => 16, tanh), Dense(16 => 3))");
    expect(paramCount(initParams(net, key(1)))).toBe(2 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3);
    expect(forward(net, initParams(net, key(1)), tf.zeros([5, 2])).shape).toEqual([5, 3]);
  });

  it("reads keyword arguments and every layer kind", () => {
    expect(make("Dense", [pair(3, 2)], { bias: false, init: "kaiming_normal" }).describe()).toBe("Dense(3 => 2; bias = false)");
    expect(make("Conv2D", [[3, 3], pair(1, 8), "relu"], { stride: 2, pad: "same" }).describe()).toBe('Conv2D((3, 3), 1 => 8, relu; stride = 2, pad = "same")');
    expect(make("Conv", [3, pair(1, 8)]).outputShape([28, 28, 1])).toEqual([26, 26, 8]);
    expect(make("MaxPool", [[2, 2]]).outputShape([26, 26, 8])).toEqual([13, 13, 8]);
    expect(make("MeanPool", [[2, 2]], { stride: 1 }).describe()).toBe("MeanPool((2, 2); stride = (1, 1))");
    expect(make("LayerNorm", [8, "gelu"], { eps: 1e-6 }).describe()).toBe("LayerNorm(8, gelu)");
    expect(make("BatchNorm", [8], { momentum: 0.2 }).kind).toBe("BatchNorm");
    expect(make("Embedding", [pair(100, 8)]).outputShape([5])).toEqual([5, 8]);
    expect(make("Dropout", [0.2]).describe()).toBe("Dropout(0.2)");
    expect(make("Flatten").outputShape([13, 13, 8])).toEqual([1352]);
  });

  it("checks arity, keywords and argument kinds with precise messages", () => {
    expect(() => make("Dense", [])).toThrow("`Dense` takes 1 to 2 positional arguments (in => out, activation), but 0 were given");
    expect(() => make("Dense", [pair(1, 2), "relu", 3])).toThrow("`Dense` takes 1 to 2 positional arguments (in => out, activation), but 3 were given");
    expect(() => make("Dense", [pair(1, 2)], { biass: true })).toThrow(expect.objectContaining({ message: "`Dense` has no keyword argument `biass`", hint: "did you mean `bias`?" }));
    expect(() => make("Dense", [3])).toThrow(/Dense, argument 1: expected a pair of sizes like 2 => 16, got 3/);
    expect(() => make("Dense", [pair(1, 2), "relux"])).toThrow(/unknown activation 'relux'/);
    expect(() => make("Dense", [pair(1, 2), "relu"], { activation: "tanh" })).toThrow("`Dense` is given `activation` twice: by position and as `activation = …`");
    expect(() => make("Chain", [3])).toThrow(/Chain, argument 1: expected a layer/);
    expect(() => make("Conv2D", [[3, 3], pair(1, 8)], { pad: "full" })).toThrow(/"same", "valid"/);
    for (const [name, e] of Object.entries(LAYERS)) {
      expect(e.doc.startsWith(`${name}(`)).toBe(true);
      expect(e.required).toBeLessThanOrEqual(e.positional.length);
    }
  });
});

describe("OPTIMISERS", () => {
  it("makes optimisers with Flux-style positional learning rates", () => {
    expect(OPTIMISERS["Adam"]!.make(callArgs([0.01])).describe()).toBe("Adam(0.01)");
    expect(OPTIMISERS["Adam"]!.make(callArgs()).describe()).toBe("Adam(0.001)");
    expect(OPTIMISERS["AdamW"]!.make(callArgs([0.01, 0.1])).describe()).toBe("AdamW(0.01, 0.1)");
    expect(OPTIMISERS["SGD"]!.make(callArgs([0.1], { momentum: 0.9, nesterov: true })).describe()).toBe("SGD(0.1; momentum = 0.9, nesterov = true)");
    expect(OPTIMISERS["Momentum"]!.make(callArgs()).describe()).toBe("SGD(0.01; momentum = 0.9)");
    expect(OPTIMISERS["RMSProp"]!.make(callArgs([0.01], { clip_norm: 1 })).name).toBe("RMSProp");
    expect(() => OPTIMISERS["Adam"]!.make(callArgs(["fast"]))).toThrow(/Adam, argument 'lr': expected a number, got "fast"/);
    expect(() => OPTIMISERS["Adam"]!.make(callArgs([], { momentum: 0.9 }))).toThrow("`Adam` has no keyword argument `momentum`");
  });
});
