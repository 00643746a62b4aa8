/** Stan-style JSON and CSV data: shapes, integers, CmdStan's special values, and refusals. */
import { describe, expect, it } from "vitest";
import { parseCsvData, parseJsonData, toNested } from "./data.js";
import { UserError } from "./errors.js";

describe("parseJsonData", () => {
  it("nested arrays are row-major with their shape; integers stay integers", () => {
    const d = parseJsonData('{"N": 3, "x": [[1, 2, 3], [4, 5, 6]], "y": [0.5, 1, 2], "e": [], "E": [[], []]}', "d.json");
    expect(d.get("N")).toEqual({ shape: [], values: Float64Array.from([3]), integer: true });
    expect(d.get("x")!.shape).toEqual([2, 3]);
    expect(Array.from(d.get("x")!.values)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d.get("x")!.integer).toBe(true);
    expect(d.get("y")!.integer).toBe(false);
    expect(d.get("e")!.shape).toEqual([0]);
    expect(d.get("E")!.shape).toEqual([2, 0]);
    expect(toNested(d.get("x")!)).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(toNested(d.get("N")!)).toBe(3);
  });

  it("CmdStan's infinity and NaN strings; booleans as 0/1", () => {
    const d = parseJsonData('{"a": ["inf", "-Infinity", "NaN"], "b": true}', "d.json");
    const a = Array.from(d.get("a")!.values);
    expect(a[0]).toBe(Infinity);
    expect(a[1]).toBe(-Infinity);
    expect(a[2]).toBeNaN();
    expect(d.get("b")!.values[0]).toBe(1);
  });

  it("refuses ragged arrays, strings, objects, nulls and non-object documents, naming the place", () => {
    const bad: [string, RegExp][] = [
      ['{"x": [[1, 2], [3]]}', /d\.json: 'x\[2\]' has 1 entries, expected 2/],
      ['{"x": [[1, 2], 3]}', /'x\[2\]' is a number where an array of 2 was expected/],
      ['{"x": [1, [2]]}', /'x\[2\]' is an array where a number was expected/],
      ['{"x": [1, "a"]}', /'x\[2\]' is the string "a", expected a number/],
      ['{"x": {"a": 1}}', /'x' is an object, expected a number/],
      ['{"x": null}', /'x' is null/],
      ["[1, 2]", /must be a JSON object/],
      ['{"x": [1, 2}', /^d\.json:1:\d+: malformed JSON/],
    ];
    for (const [text, pattern] of bad) {
      expect(() => parseJsonData(text, "d.json"), text).toThrow(UserError);
      expect(() => parseJsonData(text, "d.json"), text).toThrow(pattern);
    }
  });
});

describe("parseCsvData", () => {
  it("one vector per header column; comments and blank lines skipped", () => {
    const d = parseCsvData("# a comment\nx,y\n1,2.5\n\n3,-4\n", "d.csv");
    expect([...d.keys()]).toEqual(["x", "y"]);
    expect(d.get("x")).toEqual({ shape: [2], values: Float64Array.from([1, 3]), integer: true });
    expect(Array.from(d.get("y")!.values)).toEqual([2.5, -4]);
    expect(d.get("y")!.integer).toBe(false);
  });

  it("refuses text, mixed and empty cells with the line number, and ragged rows", () => {
    expect(() => parseCsvData("x\n1\nfoo\n", "d.csv")).toThrow(/d\.csv:3: column 'x' mixes numbers \("1" on line 2\) and text \("foo"\)/);
    expect(() => parseCsvData("x\nb\na\n", "d.csv")).toThrow(/d\.csv: column 'x' holds text \("b" in the first row\), expected numbers/);
    expect(() => parseCsvData("x,y\n1,\n", "d.csv")).toThrow(/d\.csv:2: column 'y' has a missing value \(an empty cell\)/);
    expect(() => parseCsvData("x,y\n1,2,3\n", "d.csv")).toThrow(/d\.csv:2: 3 fields, but the header has 2/);
    expect(() => parseCsvData("x\n\"1\n", "d.csv")).toThrow(/d\.csv:2: malformed CSV/);
  });
});
