// The argument binder: each kind of parameter, and each way a call can fail, with its message.
import { describe, expect, it } from "vitest";
import { bind, BindError, renderSignature, type BindProblem, type Signature } from "./bind.js";

const normal: Signature = {
  name: "Normal",
  params: [
    { name: "mu", required: true },
    { name: "sigma", required: true },
    { name: "size", kind: "keyword" },
  ],
};
const bernoulli: Signature = { name: "Bernoulli", params: [{ name: "p", required: true, alternatives: ["logit"] }, { name: "size", kind: "keyword" }] };
const sum: Signature = { name: "sum", params: [{ name: "x", kind: "positional-only", required: true }, { name: "dims", kind: "keyword" }] };
const chain: Signature = { name: "Chain", params: [{ name: "layers", kind: "positional-only", variadic: true, required: true }] };
const print: Signature = { name: "print", params: [{ name: "values", kind: "positional-only", variadic: true }] };
const dense: Signature = {
  name: "Dense",
  params: [
    { name: "in => out", kind: "positional-only", required: true },
    { name: "activation", default: "identity" },
    { name: "bias", kind: "keyword", default: true },
  ],
};
const nuts: Signature = { name: "NUTS", params: [{ name: "target_accept", kind: "keyword" }] };

function failure(f: () => unknown): BindError {
  try {
    f();
  } catch (e) {
    if (e instanceof BindError) return e;
    throw e;
  }
  throw new Error("expected a BindError");
}

describe("bind: parameter kinds", () => {
  it("positional parameters take values by position or by name", () => {
    expect(bind(normal, [0, 1], {}).get("sigma")).toBe(1);
    expect(bind(normal, [0], { sigma: 2 }).get("sigma")).toBe(2);
    expect(bind(normal, [], new Map([["mu", 3], ["sigma", 4]])).get("mu")).toBe(3);
  });

  it("keyword-only parameters take values by name; absent optional ones are undefined", () => {
    const b = bind(normal, [0, 1], { size: 5 });
    expect(b.get("size")).toBe(5);
    expect(bind(normal, [0, 1], {}).get("size")).toBeUndefined();
  });

  it("defaults fill what is not given, and given values win", () => {
    expect(bind(dense, ["2 => 3"], {}).get("activation")).toBe("identity");
    expect(bind(dense, ["2 => 3"], {}).get("bias")).toBe(true);
    expect(bind<unknown>(dense, ["2 => 3", "tanh"], { bias: false }).get("activation")).toBe("tanh");
    expect(bind<unknown>(dense, ["2 => 3"], { activation: "relu", bias: false }).get("bias")).toBe(false);
  });

  it("a variadic parameter collects the remaining positional arguments", () => {
    expect(bind(chain, ["a", "b", "c"], {}).rest).toEqual(["a", "b", "c"]);
    expect(bind(print, [], {}).rest).toEqual([]);
  });

  it("an alternative stands for its parameter, under its own name", () => {
    const b = bind(bernoulli, [], { logit: 0.5 });
    expect(b.given.has("logit")).toBe(true);
    expect(b.given.has("p")).toBe(false);
    expect(b.get("p")).toBe(0.5);
    expect(bind(bernoulli, [0.3], {}).get("p")).toBe(0.3);
  });
});

describe("bind: each mistake, one message", () => {
  const cases: readonly { what: string; call: () => unknown; problem: BindProblem; message: string; hint?: string }[] = [
    { what: "too many positional", call: () => bind(normal, [0, 1, 2], {}), problem: "too-many", message: "`Normal` takes 2 positional arguments (mu, sigma), but 3 were given", hint: "usage: Normal(mu, sigma; size?)" },
    { what: "too many for a range", call: () => bind(dense, [1, 2, 3], {}), problem: "too-many", message: "`Dense` takes 1 to 2 positional arguments (in => out, activation), but 3 were given" },
    { what: "too many for an optional one", call: () => bind({ name: "Adam", params: [{ name: "lr" }] }, [1, 2], {}), problem: "too-many", message: "`Adam` takes at most 1 positional argument (lr), but 2 were given" },
    { what: "none expected", call: () => bind(nuts, [1], {}), problem: "too-many", message: "`NUTS` takes no positional arguments, but 1 was given" },
    { what: "too few positional", call: () => bind(sum, [], {}), problem: "too-few", message: "`sum` takes 1 positional argument (x), but 0 were given" },
    { what: "too few for a variadic", call: () => bind(chain, [], {}), problem: "too-few", message: "`Chain` takes at least 1 positional argument (layers...), but 0 were given" },
    { what: "too few, by count when nothing is named", call: () => bind(normal, [0], {}), problem: "too-few", message: "`Normal` takes 2 positional arguments (mu, sigma), but 1 was given" },
    { what: "unknown keyword, with a near name", call: () => bind(normal, [0, 1], { sgima: 1 }), problem: "unknown-keyword", message: "`Normal` has no keyword argument `sgima`", hint: "did you mean `sigma`?" },
    { what: "unknown keyword, near an alternative", call: () => bind(bernoulli, [], { logits: 0 }), problem: "unknown-keyword", message: "`Bernoulli` has no keyword argument `logits`", hint: "did you mean `logit`?" },
    { what: "unknown keyword, nothing near", call: () => bind(sum, [1], { zzzz: 1 }), problem: "unknown-keyword", message: "`sum` has no keyword argument `zzzz`", hint: "it takes `dims`" },
    { what: "unknown keyword, none taken", call: () => bind(chain, [1], { zzzz: 1 }), problem: "unknown-keyword", message: "`Chain` has no keyword argument `zzzz`", hint: "it takes no keyword arguments" },
    { what: "positional-only by name", call: () => bind(sum, [], { x: 1 }), problem: "positional-by-keyword", message: "`sum` takes `x` by position, not by name" },
    { what: "given twice", call: () => bind(dense, [1, "tanh"], { activation: "relu" }), problem: "given-twice", message: "`Dense` is given `activation` twice: by position and as `activation = …`" },
    { what: "alternative given with a position", call: () => bind(bernoulli, [0.5], { logit: 0 }), problem: "given-twice", message: "`Bernoulli` is given `p` twice: by position and as `logit = …`" },
    { what: "conflicting alternatives", call: () => bind(bernoulli, [], { p: 0.5, logit: 0 }), problem: "conflicting-alternatives", message: "`Bernoulli` takes `p` or `logit`, not both", hint: "`p` and `logit` are two ways to give `p`" },
    { what: "missing required, others named", call: () => bind(normal, [0], { size: 3 }), problem: "missing", message: "`Normal` is missing its argument `sigma`" },
    { what: "missing required with an alternative", call: () => bind(bernoulli, [], { size: 3 }), problem: "missing", message: "`Bernoulli` is missing its argument `p` or `logit`" },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const e = failure(c.call);
      expect(e.problem).toBe(c.problem);
      expect(e.message).toBe(c.message);
      if (c.hint !== undefined) expect(e.hint).toBe(c.hint);
    });
  }

  it("says what the callee is when the signature does", () => {
    const model: Signature = { name: "m", what: "the model", params: [{ name: "y", kind: "positional-only" }, { name: "s", kind: "keyword" }] };
    expect(failure(() => bind(model, [1, 2], {})).message).toBe("the model `m` takes at most 1 positional argument (y), but 2 were given");
    expect(failure(() => bind(model, [], { t: 1 })).message).toBe("the model `m` has no keyword argument `t`");
  });

  it("names the offending keyword, so a checker can point at it", () => {
    expect(failure(() => bind(normal, [0, 1], { sgima: 1 })).keyword).toBe("sgima");
    expect(failure(() => bind(normal, [0, 1, 2], {})).keyword).toBeUndefined();
  });

  it("the usage hint is the signature's own line when it has one", () => {
    expect(failure(() => bind({ ...normal, usage: "Normal(mu, sigma): the normal density" }, [], {})).hint).toBe("usage: Normal(mu, sigma): the normal density");
  });
});

describe("renderSignature", () => {
  it("shows optional, variadic, keyword-only and alternative parameters", () => {
    expect(renderSignature(normal)).toBe("Normal(mu, sigma; size?)");
    expect(renderSignature(bernoulli)).toBe("Bernoulli(p or logit = …; size?)");
    expect(renderSignature(chain)).toBe("Chain(layers...)");
    expect(renderSignature(print)).toBe("print(values...)");
    expect(renderSignature(dense)).toBe("Dense(in => out, activation?; bias?)");
  });
});
