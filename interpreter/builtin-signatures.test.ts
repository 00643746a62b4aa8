// Every builtin has a signature, and builtin() binds calls against it at run time as the static
// checker does before the run: one message for a wrong call, whichever finds it.
import { describe, expect, it } from "vitest";
import { bind } from "../core/bind.js";
import { DISTRIBUTIONS } from "../distributions/index.js";
import { LAYERS } from "../nn/index.js";
import { builtinNames, builtinSignature } from "./builtin-signatures.js";
import { builtinValues } from "./builtins.js";
import { DlmError } from "./errors.js";
import { globalNames } from "./script.js";
import type { Builtin, Value } from "./value.js";

const span = { start: 0, end: 1 };

describe("builtin signatures", () => {
  it("every builtin function a script can call has one", () => {
    const registries = new Set([...Object.keys(DISTRIBUTIONS), ...Object.keys(LAYERS)]);
    const constants = new Set(["pi", "Inf"]);
    const missing = globalNames().filter((n) => !registries.has(n) && !constants.has(n) && builtinSignature(n) === undefined);
    expect(missing.sort()).toEqual([]);
  });

  it("names only builtins a script has: the static checker knows these names", () => {
    const runtime = new Set(globalNames());
    expect(builtinNames().filter((n) => !runtime.has(n)).sort()).toEqual([]);
  });

  it("names only what Object.prototype does not: `constructor` is no builtin", () => {
    expect(builtinSignature("constructor")).toBeUndefined();
    expect(builtinSignature("toString")).toBeUndefined();
  });

  it("a builtin value binds its call before it runs", () => {
    const sum = builtinValues().get("sum") as Builtin;
    const call = (args: Value[], kwargs: [string, Value][] = []): unknown => sum.call(args, new Map(kwargs), span);
    const one: Value = { kind: "num", v: 1 };
    expect(() => call([one, one])).toThrow(expect.objectContaining({ message: "`sum` takes 1 positional argument (x), but 2 were given", hint: "usage: sum(x; dims?)", span }));
    try {
      call([one], [["dim", one]]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DlmError);
      expect((e as DlmError).message).toBe("`sum` has no keyword argument `dim`");
      expect((e as DlmError).hint).toBe("did you mean `dims`?");
    }
  });

  it("a name on both sides of `;` may be given by position or by keyword, not both", () => {
    const coverage = builtinSignature("coverage")!;
    expect(bind<unknown>(coverage, ["pred", "y", 0.8], {}).get("level")).toBe(0.8);
    expect(bind<unknown>(coverage, ["pred", "y"], { level: 0.8 }).get("level")).toBe(0.8);
    expect(() => bind<unknown>(coverage, ["pred", "y", 0.8], { level: 0.8 })).toThrow("`coverage` is given `level` twice: by position and as `level = …`");
  });
});
