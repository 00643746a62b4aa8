/**
 * What a statistician reading the posterior plots relies on: panels in model order, a visible
 * note when some are left out, a way to choose them, a pair plot with one triangle, densities
 * on the diagonal and divergent draws marked, densities that respect a bound the draws keep
 * to, and a pair plot small enough to open.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Draws } from "../inference/draws/index.js";
import { guessBounds, kde, kdeBounded } from "./kde.js";
import { choosePanels, plotDensity, plotPairs, plotTrace, selectScalars } from "./posterior-plots.js";
import { parsePlotVars, writeRunPlots } from "./run-plots.js";

// Deterministic pseudo-draws in [-0.5, 0.5) (a fixed linear congruential sequence).
function lcg(seed: number, n: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (1103515245 * s + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  });
}

/** Eight schools' names in model order: mu, tau, theta_tilde[1..8], theta[1..8] (derived). */
const SCHOOLS = ["mu", "tau", ...Array.from({ length: 8 }, (_, i) => `theta_tilde[${i + 1}]`), ...Array.from({ length: 8 }, (_, i) => `theta[${i + 1}]`)];
function schools(chains = 2, n = 100): Map<string, number[][]> {
  return new Map(SCHOOLS.map((name, j) => [name, Array.from({ length: chains }, (_, c) => lcg(31 * j + c + 1, n).map((x) => (name === "tau" ? (x + 0.5) * 4 : x)))]));
}

/** Panel header texts of a faceted SVG, in document order (facet headers are the only 'role-title' texts … plus axis titles). */
function positions(svg: string, names: readonly string[]): number[] {
  return names.map((n) => svg.indexOf(`>${n}</text>`));
}

describe("panel choice", () => {
  it("trace and density keep model order, not alphabetical order", async () => {
    // Alphabetically tau < theta[10] < theta[2] < mu would be reversed; model order is as given.
    const draws = new Map([["tau", [lcg(1, 50)]], ["mu", [lcg(2, 50)]], ["theta[2]", [lcg(3, 50)]], ["theta[10]", [lcg(4, 50)]]]);
    for (const svg of [await plotTrace(draws), await plotDensity(draws)]) {
      const at = positions(svg, ["tau", "mu", "theta[2]", "theta[10]"]);
      expect(at.every((p) => p >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
    }
  });

  it("cutting at 12 panels is said in the SVG; eight schools keeps mu, tau, theta_tilde first", async () => {
    const d = schools();
    const { chosen, note } = choosePanels(d, {}, 12);
    expect(chosen.map(([n]) => n)).toEqual(SCHOOLS.slice(0, 12));
    expect(note).toMatch(/first 12 of 18/);
    for (const svg of [await plotTrace(d), await plotDensity(d)]) {
      expect(svg).toContain("showing the first 12 of 18 quantities");
      expect(svg).toContain(">theta[2]</text>");
      expect(svg).not.toContain(">theta[3]</text>");
    }
    // Nothing cut, no note.
    expect(await plotTrace(new Map([["a", [lcg(1, 20)]]]))).not.toContain("showing the first");
  });

  it("vars: a name selects all its elements, an element itself; unknown names are refused", async () => {
    expect(selectScalars(SCHOOLS, ["tau", "theta"])).toEqual(["tau", ...SCHOOLS.slice(10)]);
    expect(selectScalars(SCHOOLS, ["theta[2]", "mu"])).toEqual(["theta[2]", "mu"]);
    // `theta` does not select `theta_tilde[…]`.
    expect(selectScalars(SCHOOLS, ["theta"])).not.toContain("theta_tilde[1]");
    expect(() => selectScalars(SCHOOLS, ["sigma"])).toThrow(/no draws named 'sigma' \(there are: mu, tau, theta_tilde, theta\)/);
    const svg = await plotTrace(schools(), { vars: ["theta"] });
    expect(svg).toContain(">theta[8]</text>");
    expect(svg).not.toContain(">mu</text>");
    expect(svg).not.toContain("showing the first");
    expect(parsePlotVars("a, b,theta[1,2],theta")).toEqual(["a", "b", "theta[1,2]", "theta"]);
  });
});

describe("pair plot", () => {
  it("one triangle of scatters, densities on the diagonal, derived quantities included", async () => {
    const d = new Map([...schools()].filter(([n]) => ["mu", "tau", "theta[1]", "theta[2]", "theta[3]", "theta[4]", "theta[5]"].includes(n)));
    const svg = await plotPairs(d);
    // 7 quantities (more than the old 6, derived theta[…] too): 21 scatters, 7 density lines, no histograms.
    expect((svg.match(/class="mark-symbol role-mark/g) ?? []).length).toBe(21);
    expect((svg.match(/class="mark-line role-mark/g) ?? []).length).toBe(7);
    expect((svg.match(/class="mark-rect role-mark/g) ?? []).length).toBe(0);
    expect(svg).toContain(">theta[5]</text>");
    expect(svg).not.toContain("showing the first");
  });

  it("divergent draws in red, drawn after (on top of) the others", async () => {
    const d = new Map([["mu", [lcg(1, 200), lcg(2, 200)]], ["tau", [lcg(3, 200), lcg(4, 200)]]]);
    const divergent = [0, 1].map((c) => Float64Array.from({ length: 200 }, (_, i) => (i % 50 === c ? 1 : 0)));
    const svg = await plotPairs(d, { divergent });
    const red = svg.match(/fill="#d62728"/g) ?? [];
    expect(red.length).toBe(8);
    expect(svg.indexOf('fill="#d62728"')).toBeGreaterThan(svg.lastIndexOf('fill="#4c78a8" stroke-width="0"'));
    // Without divergences, nothing red.
    expect(await plotPairs(d)).not.toContain("#d62728");
  });

  it("stays small: 4 chains × 1,000 draws of 10 quantities", async () => {
    const d = new Map(SCHOOLS.slice(0, 10).map((name, j) => [name, [0, 1, 2, 3].map((c) => lcg(100 * j + c + 1, 1000))]));
    const divergent = [0, 1, 2, 3].map((c) => Float64Array.from({ length: 1000 }, (_, i) => (i % 97 === c ? 1 : 0)));
    const svg = await plotPairs(d, { vars: SCHOOLS.slice(0, 10), divergent });
    // Before: 8.8 MB with only 6 of the quantities.
    expect(svg.length).toBeLessThan(2_000_000);
    const points = (svg.match(/d="M-[\d.]+,-[\d.]+h/g) ?? []).length;
    expect(points / 45).toBeLessThanOrEqual(1000 + 50);
    expect((svg.match(/class="mark-symbol role-mark/g) ?? []).length).toBe(90);
  }, 30_000);
});

describe("bounded densities", () => {
  // tau-like draws: positive, piled up near 0 (|x| of a normal-ish sequence).
  const tau = lcg(7, 2000).map((x) => Math.abs(x) * 3);

  it("reflection at 0 keeps a positive parameter's density at or above 0 and integrating to 1", () => {
    expect(kde(tau)[0]!.x).toBeLessThan(0); // the plain estimate spills below zero
    expect(guessBounds(tau)).toEqual({ lower: 0 });
    const grid = kdeBounded(tau, 400);
    expect(grid[0]!.x).toBe(0);
    let area = 0;
    for (let i = 1; i < grid.length; i++) area += ((grid[i]!.density + grid[i - 1]!.density) / 2) * (grid[i]!.x - grid[i - 1]!.x);
    expect(area).toBeGreaterThan(0.99);
    expect(area).toBeLessThan(1.01);
    // Uniform on [0, 1.5): the reflected estimate at 0 is near the true 1/1.5, not half of it.
    expect(grid[0]!.density).toBeGreaterThan(0.55);
  });

  it("[0, 1] draws are reflected at both ends; draws far from 0 are left alone", () => {
    const p = lcg(9, 1000).map((x) => x + 0.5);
    expect(guessBounds(p)).toEqual({ lower: 0, upper: 1 });
    const g = kdeBounded(p, 100);
    expect(g[0]!.x).toBe(0);
    expect(g.at(-1)!.x).toBe(1);
    expect(guessBounds(lcg(9, 1000).map((x) => x + 10))).toEqual({});
    expect(guessBounds(lcg(9, 1000).map((x) => x - 0.5))).toEqual({ upper: 0 });
    expect(guessBounds([0, 0, 0])).toEqual({});
  });

  it("density.svg of tau has no x below 0", async () => {
    const svg = await plotDensity({ tau: [tau] });
    // The line's aria label carries the first grid point: x: 0, not a negative number.
    expect(svg).toMatch(/aria-label="x: 0; density: /);
    expect(svg).not.toMatch(/aria-label="x: −/);
  });
});

describe("dlm sample --plot", () => {
  function drawsRecord(): Draws {
    const d = schools(2, 100);
    return {
      names: SCHOOLS,
      chains: [0, 1].map((c) => ({
        values: SCHOOLS.map((n) => Float64Array.from(d.get(n)![c]!)),
        stats: { lp__: Float64Array.from(lcg(50 + c, 100)), divergent__: Float64Array.from({ length: 100 }, (_, i) => (i === 10 + c ? 1 : 0)) },
      })),
      settings: { model: "schools", numSamples: 100, numWarmup: 100, adaptDelta: 0.8, maxDepth: 10, metric: "diag_e", seed: 1 },
    };
  }

  it("says on its note channel which plots were cut, and --plot-vars chooses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dlm-plots-"));
    const notes: string[] = [];
    const paths = await writeRunPlots(drawsRecord(), dir, { onNote: (l) => notes.push(l) });
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(["trace.svg", "density.svg", "pairs.svg"]);
    expect(notes).toEqual([
      "trace.svg: showing the first 12 of 19 quantities; choose others with vars = [...] (scripts) or --plot-vars (dlm sample)",
      "density.svg: showing the first 12 of 18 quantities; choose others with vars = [...] (scripts) or --plot-vars (dlm sample)",
      "pairs.svg: showing the first 8 of 18 quantities; choose others with vars = [...] (scripts) or --plot-vars (dlm sample)",
    ]);
    // The divergent__ column reaches the pair plot.
    expect(readFileSync(join(dir, "pairs.svg"), "utf8")).toContain("#d62728");
    const chosen: string[] = [];
    await writeRunPlots(drawsRecord(), dir, { vars: ["tau", "theta"], onNote: (l) => chosen.push(l) });
    expect(chosen).toEqual([]);
    const pairs = readFileSync(join(dir, "pairs.svg"), "utf8");
    expect(pairs).toContain(">theta[8]</text>");
    expect((pairs.match(/class="mark-line role-mark/g) ?? []).length).toBe(9);
    expect(statSync(join(dir, "pairs.svg")).size).toBeLessThan(2_000_000);
    await expect(writeRunPlots(drawsRecord(), dir, { vars: ["sigma"] })).rejects.toThrow(/no draws named 'sigma'/);
  }, 30_000);
});
