/**
 * The choice of executor: small graphs go to the host unmeasured; graphs whose estimated host
 * cost is large are timed on every candidate (which one wins is the machine's business, so
 * only that a measurement decided is asserted, never a timing).
 */
import { describe, expect, it } from "vitest";
import { Graph } from "../ir/graph.js";
import { compileHost } from "./host/compile.js";
import { compileTfjs } from "./tfjs/execute.js";
import { chooseExecutor, estimateHostMicros, MEASURE_ABOVE_US } from "./choose.js";

/** Σ Normal(y | X β, 1) with X [n, k] data, β ~ Normal(0, 1). */
function regression(n: number, k: number): { g: Graph; out: number } {
  const g = new Graph();
  const beta = g.param(0, [k]);
  const x = g.constant(Float64Array.from({ length: n * k }, (_, i) => Math.sin(i)), [n, k]);
  const y = g.constant(Float64Array.from({ length: n }, (_, i) => Math.cos(i)), [n]);
  const lik = g.lpdf("normal", [y, g.matmul(x, beta), g.scalar(1)]);
  const out = g.add(lik, g.lpdf("normal", [beta, g.scalar(0), g.scalar(1)]));
  return { g, out };
}

describe("chooseExecutor", () => {
  it("takes the host for a small model without timing anything", () => {
    const { g, out } = regression(20, 3);
    expect(estimateHostMicros(g)).toBeLessThan(MEASURE_ABOVE_US);
    let made = false;
    const choice = chooseExecutor(g, compileHost(g, out), () => { made = true; return compileTfjs(g, out); }, 4, 2);
    expect(choice.executor).toBe("host");
    expect(choice.why).toMatch(/^estimated \S+ µs per gradient$/);
    expect(made).toBe(false);
  });

  it("the estimate grows with the dense product's size", () => {
    expect(estimateHostMicros(regression(400, 50).g)).toBeGreaterThan(5 * estimateHostMicros(regression(40, 50).g));
  });

  it("times both executors where the host's estimate is large, and says what it measured", () => {
    const { g, out } = regression(2000, 100);
    expect(estimateHostMicros(g)).toBeGreaterThan(MEASURE_ABOVE_US);
    const choice = chooseExecutor(g, compileHost(g, out), () => compileTfjs(g, out), 4, 1);
    expect(["host", "tfjs"]).toContain(choice.executor);
    expect(choice.why).toMatch(/^measured \S+ ms on the host, \S+ ms on the tfjs executor per gradient of 4 chains$/);
  });

  it("with a third candidate, takes whichever measured fastest; one that throws is never taken", () => {
    const { g, out } = regression(2000, 100);
    const host = compileHost(g, out);
    const tfjs = compileTfjs(g, out);
    const broken = (): never => {
      throw new Error("no");
    };
    const choice = chooseExecutor(g, host, () => tfjs, 4, 1, broken as never);
    expect(choice.executor).not.toBe("interpreter");
    expect(choice.why).toMatch(/, a failure on the interpreter per gradient of 4 chains$/);
    const none = chooseExecutor(g, host, broken, 4, 1);
    expect(none.executor).toBe("host");
  });
});
