/**
 * Calibration measures against hand computations and closed forms: reliability bins and ECE on
 * a small set worked by hand, normal-mixture quantiles against the normal quantile function and
 * a symmetric mixture, and interval coverage.
 */
import { describe, expect, it } from "vitest";
import { normalQuantile64 } from "../../core/special-host.js";
import { coverageOf, expectedCalibrationError, normalMixtureQuantile, reliability, sortedQuantile } from "./calibration.js";

describe("calibration", () => {
  it("reliability bins and ECE of a worked example", () => {
    // Confidences 0.95, 0.92 (right, wrong) fall in bin 10; 0.65, 0.61, 0.68 (right, right, wrong) in bin 7.
    const r = reliability([0.95, 0.92, 0.65, 0.61, 0.68], [true, false, true, true, false], 10);
    expect(r.count[9]).toBe(2);
    expect(r.count[6]).toBe(3);
    expect(r.confidence[9]).toBeCloseTo(0.935, 12);
    expect(r.accuracy[9]).toBeCloseTo(0.5, 12);
    expect(r.confidence[6]).toBeCloseTo((0.65 + 0.61 + 0.68) / 3, 12);
    expect(r.accuracy[6]).toBeCloseTo(2 / 3, 12);
    expect(Number.isNaN(r.accuracy[0]!)).toBe(true);
    // ECE = 2/5·|0.5 − 0.935| + 3/5·|2/3 − 0.6467|
    expect(expectedCalibrationError(r)).toBeCloseTo((2 / 5) * 0.435 + (3 / 5) * Math.abs(2 / 3 - 1.94 / 3), 12);
    // A confidence of exactly 1 is in the last bin; a perfectly calibrated set has ECE 0.
    expect(reliability([1], [true], 4).count[3]).toBe(1);
    expect(expectedCalibrationError(reliability([0.75, 0.75, 0.75, 0.75], [true, true, true, false], 4))).toBeCloseTo(0, 12);
  });

  it("normal-mixture quantiles: one component is the normal quantile; a symmetric pair is symmetric", () => {
    for (const p of [0.05, 0.25, 0.5, 0.9, 0.999]) {
      expect(normalMixtureQuantile([2], [9], p)).toBeCloseTo(2 + 3 * normalQuantile64(p), 8);
    }
    // 0.5·N(−1, 1) + 0.5·N(1, 1): the median is 0 and the quantiles are symmetric.
    expect(normalMixtureQuantile([-1, 1], [1, 1], 0.5)).toBeCloseTo(0, 8);
    expect(normalMixtureQuantile([-1, 1], [1, 1], 0.1)).toBeCloseTo(-normalMixtureQuantile([-1, 1], [1, 1], 0.9), 8);
  });

  it("coverage counts the observations inside their intervals, ends included", () => {
    expect(coverageOf([0, 1, 2, 3], [0, 0, 0, 0], [1, 1, 1, 1])).toBe(0.5);
    expect(sortedQuantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});
