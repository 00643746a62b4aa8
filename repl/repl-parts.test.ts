/** The REPL's pure parts: input continuation, completion, NumPy-style array printing. */
import { describe, expect, it } from "vitest";
import { inputContinues, unclosedBrackets } from "./brackets.js";
import { complete } from "./complete.js";
import { formatArray, formatNumber } from "../interpreter/format.js";

describe("unclosedBrackets", () => {
  it("counts open brackets, ignoring strings and comments", () => {
    expect(unclosedBrackets("model m(y) {")).toBe(1);
    expect(unclosedBrackets("x = [1, (2")).toBe(2);
    expect(unclosedBrackets("x = [1, 2]")).toBe(0);
    expect(unclosedBrackets('s = "(("')).toBe(0);
    expect(unclosedBrackets('s = "a\\"(" + f(')).toBe(1);
    expect(unclosedBrackets("x = 1 # (((\ny = (")).toBe(1);
    expect(unclosedBrackets("x = 1)")).toBe(0); // over-closed: complete, the parser reports it
  });
});

describe("inputContinues", () => {
  it("waits after a token that cannot end an expression, as the language's newline rule says", () => {
    for (const text of ["1 +", "x = 1 -", "a *", "b /", "x ^", "m @", "5 %", "a ==", "a !=", "a <", "a <=", "a >", "a >=", "a &&", "a ||",
      "x =", "x +=", "x -=", "x *=", "x /=", "y ~", "nin =>", "1:", "f(1,", "d.", "!", "for i in", "if c { 1 } else", "x = 1 +  # the rest below"]) {
      expect(inputContinues(text), text).toBe(true);
    }
  });
  it("runs a complete statement, whatever its strings and comments end with", () => {
    for (const text of ["1 + 2", "x = y", "f(x)", 's = "a +"', "x = 1 # and then +", "begin", "x.main", "x = [1, 2]", "a & ", "a |"]) {
      expect(inputContinues(text), text).toBe(false);
    }
    expect(inputContinues("model m(y) {")).toBe(true);
    expect(inputContinues("1 +\n2")).toBe(false);
  });
});

describe("complete", () => {
  const names = ["Normal", "HalfNormal", "normalize", "nrows", "post"];
  it("completes the identifier before the cursor", () => {
    expect(complete("y ~ Nor", names)).toEqual([["Normal"], "Nor"]);
    expect(complete("x = n", names)).toEqual([["normalize", "nrows"], "n"]);
    expect(complete("summary(po", names)).toEqual([["post"], "po"]);
    expect(complete("x = 1 + ", names)).toEqual([[], ""]);
  });
  it("completes :commands at the start of a line only", () => {
    expect(complete(":re", names)).toEqual([[":reload"], ":re"]);
    expect(complete(":", names)[0]).toContain(":help");
  });
});

describe("formatArray", () => {
  it("prints nested rows with a common width", () => {
    expect(formatArray([1, 2, 3], [3])).toBe("[1, 2, 3]");
    expect(formatArray([1, -2.5, 30, 4], [2, 2])).toBe("[[   1, -2.5],\n [  30,    4]]");
    expect(formatArray([7], [])).toBe("7");
    expect(formatArray([], [0])).toBe("[]");
  });

  it("summarises past 1000 elements to the first and last 3 along every axis, as numpy does", () => {
    // numpy.arange(2000) prints as [   0    1    2 ... 1997 1998 1999] (threshold 1000, edgeitems 3).
    expect(formatArray(Array.from({ length: 2000 }, (_, i) => i), [2000])).toBe("[   0,    1,    2, ..., 1997, 1998, 1999]");
    // numpy.arange(40 * 40).reshape(40, 40): rows 0, 1, 2, ..., 37, 38, 39, each cut the same way.
    const m = formatArray(Array.from({ length: 1600 }, (_, i) => i), [40, 40]);
    const lines = m.split("\n");
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe("[[   0,    1,    2, ...,   37,   38,   39],");
    expect(lines[3]).toBe(" ...,");
    expect(lines[6]).toBe(" [1560, 1561, 1562, ..., 1597, 1598, 1599]]");
    // 1000 elements exactly: not summarised
    expect(formatArray(new Array(1000).fill(0), [1000]).includes("...")).toBe(false);
  });

  it("numbers: integers plain, six significant digits, exponent form for tiny and huge", () => {
    expect(formatNumber(3)).toBe("3");
    expect(formatNumber(1 / 3)).toBe("0.333333");
    expect(formatNumber(1.5e-7)).toBe("1.5e-7");
    expect(formatNumber(2.5e8 + 0.5)).toBe("2.5e+8");
    expect(formatNumber(NaN)).toBe("NaN");
    expect(formatNumber(-Infinity)).toBe("-Inf");
  });
});
