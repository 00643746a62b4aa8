/**
 * The network examples (examples/bnn, digits_cnn, lstm) in quick mode: fewer epochs, draws
 * and iterations, the seeds as written in each script. Each asserts the example's point from
 * its printed output against a reference that does not come from the code under test: chance
 * level or the constant predictor, and what uncertainty must do (higher off the data than on
 * it, accuracy higher on the confident half). `npm run examples` runs them at full size.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { numbersAfter, runExample } from "./quick.js";

describe("examples/bnn.dlm", () => {
  it("MAP, ADVI and NUTS classify the moons; the NUTS posterior is unsure off the data and MAP is not", async () => {
    const r = await runExample("bnn", { epochs: 200, iterations: 1000, draws: 60, warmup: 60, chains: 2, maxDepth: 4 });
    expect(r.code, r.err.join("\n")).toBe(0);
    // Each line: test accuracy, log lik, mean entropy on the test points, mean entropy off the data.
    const [mapAcc, , , mapOff] = numbersAfter(r.out, "MAP:");
    const [adviAcc] = numbersAfter(r.out, "ADVI:");
    const [nutsAcc, , nutsOn, nutsOff] = numbersAfter(r.out, "NUTS: test accuracy");
    // Chance is 0.5 and a linear boundary gets about 0.86 on the moons; a network bends it.
    expect(mapAcc).toBeGreaterThan(0.9);
    expect(nutsAcc).toBeGreaterThan(0.9);
    expect(adviAcc).toBeGreaterThan(0.7);
    // Off the data the posterior's networks disagree: half as much entropy again as on the
    // test points (2.4 times at these settings), and more than the single MAP network's (1.4 times).
    expect(nutsOff).toBeGreaterThan(1.5 * nutsOn!);
    expect(nutsOff).toBeGreaterThan(1.15 * mapOff!);
    expect(nutsOff).toBeLessThanOrEqual(Math.log(2));
    expect(readdirSync(r.plots).sort()).toEqual(["bnn_advi_entropy.svg", "bnn_map_entropy.svg", "bnn_nuts_entropy.svg"]);
  }, 180000);
});

describe("examples/digits_cnn.dlm", () => {
  it("a CNN learns the digits and MC dropout's confidence sorts right from wrong", async () => {
    const r = await runExample("digits_cnn", { epochs: 5, draws: 20 });
    expect(r.code, r.err.join("\n")).toBe(0);
    // Ten balanced classes: chance is 0.1; after five epochs a small CNN gets well above 0.8 on held-out digits.
    const [plain, mc] = numbersAfter(r.out, "test accuracy, dropout off:");
    expect(plain).toBeGreaterThan(0.8);
    expect(mc).toBeGreaterThan(0.8);
    const [confident, unconfident] = numbersAfter(r.out, "accuracy on the confident half:");
    expect(confident).toBeGreaterThan(unconfident!);
    // The least confident digit is shown with a probability well below the median confidence.
    const [, , , p] = numbersAfter(r.out, "unsure 1 - test digit");
    expect(p).toBeLessThan(numbersAfter(r.out, "median confidence:")[0]!);
    expect(readdirSync(r.plots).sort()).toEqual(["digits_calibration.svg", "digits_history.svg"]);
  }, 120000);
});

describe("examples/lstm.dlm", () => {
  it("an LSTM solves the adding problem far better than the constant predictor", async () => {
    const r = await runExample("lstm", { epochs: 8 });
    expect(r.code, r.err.join("\n")).toBe(0);
    const [lstm, constant] = numbersAfter(r.out, "test RMSE of the LSTM:");
    // The mean of two U(0, 1) values has sd sqrt(1/6) = 0.41: the constant predictor's RMSE.
    expect(Math.abs(constant! - Math.sqrt(1 / 6))).toBeLessThan(0.05);
    expect(lstm).toBeLessThan(0.5 * constant!);
    expect(readdirSync(r.plots)).toEqual(["lstm_history.svg"]);
  }, 120000);
});
