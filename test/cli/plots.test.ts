/**
 * Every plot kind renders to a well-formed, non-empty SVG with the marks it should have; the
 * density estimate matches scipy.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScript } from "../../interpreter/index.js";
import { countElements, svgProblems } from "./svg.js";
import { kde, kdeAt, silvermanBandwidth } from "../../plots/kde.js";
import { drawsFromRows, plotDensity, plotPairs, plotTrace } from "../../plots/posterior-plots.js";
import { plotBand, plotHistory, plotUncertainty } from "../../plots/prediction-plots.js";

// Deterministic pseudo-draws (a fixed linear congruential sequence; no randomness needed here).
function lcg(seed: number, n: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (1103515245 * s + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  });
}
const draws = {
  mu: [lcg(1, 200), lcg(2, 200)],
  "beta[1]": [lcg(3, 200).map((x) => 2 + x), lcg(4, 200).map((x) => 2 + x)],
  sigma: [lcg(5, 200).map((x) => 1 + x / 2), lcg(6, 200).map((x) => 1 + x / 2)],
};

function wellFormed(svg: string): void {
  expect(svgProblems(svg)).toEqual([]);
  expect(svg.length).toBeGreaterThan(1000);
}

describe("plots", () => {
  it("trace: one line per chain and scalar, scalar names as panel titles", async () => {
    const svg = await plotTrace(draws);
    wellFormed(svg);
    expect(svg).toContain("beta[1]");
    expect(svg).toContain("iteration");
    // 3 panels × 2 chains, each its own line mark
    expect((svg.match(/class="mark-line role-mark/g) ?? []).length).toBe(6);
    expect(countElements(svg, "path")).toBeGreaterThanOrEqual(6);
  });

  it("density: a KDE line per chain and scalar", async () => {
    const svg = await plotDensity(new Map(Object.entries(draws)));
    wellFormed(svg);
    expect(svg).toContain("density");
    expect(svg).toContain("sigma");
  });

  it("pairs: one triangle of scatters with densities on the diagonal", async () => {
    const svg = await plotPairs(draws);
    wellFormed(svg);
    // 3 scatter cells (the lower triangle only) of 400 points each (names with brackets
    // included) and 3 density lines on the diagonal
    expect((svg.match(/class="mark-symbol role-mark/g) ?? []).length).toBe(3);
    expect((svg.match(/class="mark-line role-mark/g) ?? []).length).toBe(3);
    expect((svg.match(/class="mark-rect role-mark/g) ?? []).length).toBe(0);
    expect(countElements(svg, "path")).toBeGreaterThanOrEqual(3 * 400);
    expect(svg).toContain(">beta[1]<");
  });

  it("band: interval, mean line and observed points for 1-D regression", async () => {
    const x = Array.from({ length: 30 }, (_, i) => i / 10);
    const svg = await plotBand({
      x, mean: x.map((v) => 2 * v), lower: x.map((v) => 2 * v - 1), upper: x.map((v) => 2 * v + 1),
      innerLower: x.map((v) => 2 * v - 0.4), innerUpper: x.map((v) => 2 * v + 0.4),
      observed: { x, y: x.map((v, i) => 2 * v + (i % 3) - 1) }, title: "predictive band",
    });
    wellFormed(svg);
    expect(svg).toContain("predictive band");
    expect((svg.match(/class="mark-area role-mark/g) ?? []).length).toBe(2);
    expect((svg.match(/class="mark-symbol role-mark/g) ?? []).length).toBe(1);
    await expect(plotBand({ x: [1, 2], mean: [1], lower: [0, 0], upper: [2, 2] })).rejects.toThrow(/different lengths/);
  });

  it("uncertainty map: a grid of cells coloured by the value, with the data points", async () => {
    const x1: number[] = [];
    const x2: number[] = [];
    const value: number[] = [];
    for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) {
      x1.push(i / 11);
      x2.push(j / 11);
      value.push(Math.exp(-((i - 6) ** 2 + (j - 6) ** 2) / 20));
    }
    const svg = await plotUncertainty({ x1, x2, value, label: "entropy", points: { x1: [0.2, 0.8], x2: [0.3, 0.7], label: [1, 2] } });
    wellFormed(svg);
    expect(svg).toContain("entropy");
    expect(countElements(svg, "path")).toBeGreaterThanOrEqual(144 + 2);
  });

  it("history: training and ELBO curves", async () => {
    const svg = await plotHistory({ series: { loss: [3, 2, 1.5, 1.2, 1.1], "validation loss": [3.1, 2.2, 1.8, 1.7, NaN] }, stepLabel: "epoch" });
    wellFormed(svg);
    expect(svg).toContain("epoch");
    expect(svg).toContain("validation loss");
    await expect(plotHistory({ series: { elbo: [NaN] } })).rejects.toThrow(/no finite values/);
  });

  it("drawsFromRows turns chain × draw × scalar rows into draws by name", () => {
    const d = drawsFromRows(["a", "b[1]"], [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect([...d.keys()]).toEqual(["a", "b[1]"]);
    expect(d.get("a")).toEqual([[1, 3], [5, 7]]);
    expect(d.get("b[1]")).toEqual([[2, 4], [6, 8]]);
  });

  it("kde matches scipy.stats.gaussian_kde with Silverman's bandwidth", () => {
    // scipy 1.x, offline: x = [-1.2, 0.3, 0.5, 2.0, 2.2, 3.1]; h = 0.9·min(sd, IQR/1.34)·n^(−1/5)
    // = 0.8448506958283272 (numpy percentile, linear); gaussian_kde(x, bw_method = h / sd(ddof=1))
    // at 0, 1, 2.5: 0.17617243897757973, 0.19589132184808003, 0.20854175733323063.
    const xs = [-1.2, 0.3, 0.5, 2.0, 2.2, 3.1];
    expect(silvermanBandwidth(xs)).toBeCloseTo(0.8448506958283272, 12);
    expect(kdeAt(xs, 0)).toBeCloseTo(0.17617243897757973, 12);
    expect(kdeAt(xs, 1)).toBeCloseTo(0.19589132184808003, 12);
    expect(kdeAt(xs, 2.5)).toBeCloseTo(0.20854175733323063, 12);
    // The grid version integrates to 1 (trapezoid rule over ±3h past the data: ≥ 0.997).
    const grid = kde(xs, 400);
    let area = 0;
    for (let i = 1; i < grid.length; i++) area += ((grid[i]!.density + grid[i - 1]!.density) / 2) * (grid[i]!.x - grid[i - 1]!.x);
    expect(area).toBeGreaterThan(0.995);
    expect(area).toBeLessThan(1.0001);
  });
});

// Scripts: the `vars` keyword of plot_trace / plot_density / plot_pairs.
const scriptDir = mkdtempSync(join(tmpdir(), "dlm-script-plots-"));
async function runPlotScript(source: string): Promise<{ status: number; err: string[] }> {
  const err: string[] = [];
  const status = await runScript(source, { file: join(scriptDir, "script.dlm"), out: () => {}, err: (l) => err.push(l) });
  return { status, err };
}

const SCRIPT_MODEL = `model m(y) {
  a ~ Normal(0, 5)
  s ~ HalfNormal(1)
  b ~ Normal(0, 1, size = 3)
  y ~ Normal(a + b[1], s)
}
post = sample(m([0.5, 1.5, 1.0]), draws = 60, warmup = 60, chains = 2, seed = 3)
`;

describe("script plots: vars", () => {
  it("vars chooses the panels of plot_trace, plot_density and plot_pairs", async () => {
    const r = await runPlotScript(`${SCRIPT_MODEL}plot_trace(post, "t.svg", vars = ["b"])
plot_density(post, "d.svg", vars = ["s", "b[2]"])
plot_pairs(post, "p.svg", vars = ["a", "b"])
`);
    expect(r.err.join("\n")).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const t = readFileSync(join(scriptDir, "t.svg"), "utf8");
    expect(t).toContain(">b[3]</text>");
    expect(t).not.toContain(">a</text>");
    const d = readFileSync(join(scriptDir, "d.svg"), "utf8");
    expect(d.indexOf(">s</text>")).toBeGreaterThan(0);
    expect(d.indexOf(">s</text>")).toBeLessThan(d.indexOf(">b[2]</text>"));
    expect(d).not.toContain(">b[1]</text>");
    // 4 quantities: 6 scatter cells and 4 densities.
    const p = readFileSync(join(scriptDir, "p.svg"), "utf8");
    expect((p.match(/class="mark-line role-mark/g) ?? []).length).toBe(4);
  }, 60_000);

  it("an unknown name in vars is a script error naming what there is", async () => {
    const r = await runPlotScript(`${SCRIPT_MODEL}plot_trace(post, "x.svg", vars = ["sigma"])\n`);
    expect(r.status).toBe(1);
    expect(r.err.join("\n")).toMatch(/no draws named 'sigma' \(there are: a, s, b/);
  }, 60_000);
});
