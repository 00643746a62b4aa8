import { describe, expect, it } from "vitest";
import { broadcastShape, broadcastShapesOrThrow } from "./broadcast.js";

describe("broadcast shapes (NumPy's rules)", () => {
  it("aligns at the right, stretches 1s, and says when shapes disagree", () => {
    expect(broadcastShape([3, 1], [4])).toEqual([3, 4]);
    expect(broadcastShape([2, 1, 5], [3, 1], [5])).toEqual([2, 3, 5]);
    expect(broadcastShape([], [2, 3])).toEqual([2, 3]);
    expect(broadcastShape()).toEqual([]);
    expect(broadcastShape([0], [1])).toEqual([0]);
    expect(broadcastShape([3], [4])).toBeUndefined();
    expect(() => broadcastShapesOrThrow([[2, 3], [4, 3]])).toThrow(/shapes \[2, 3\] and \[4, 3\] do not broadcast/);
    expect(() => broadcastShapesOrThrow([[2], [3]], (m) => new TypeError(m))).toThrow(TypeError);
  });
});
