/**
 * Plots of posterior draws: trace plots, marginal densities and pair plots. The draws come as
 * plain data, `DrawsByName`: scalar name → one array of draws per chain.
 */
import { CONFIG, renderSvg, thinIndices, type Row, type TopLevelSpec } from "./render.js";
import { kde } from "./kde.js";

/** Scalar name (`beta[1]`) → draws, one array per chain. */
export type DrawsByName = ReadonlyMap<string, readonly (readonly number[])[]> | Readonly<Record<string, readonly (readonly number[])[]>>;

export interface PlotOptions {
  /** Plot only these scalars (default: the first `maxScalars`). */
  readonly names?: readonly string[];
  /** At most this many scalars (default 12; pair plots 6). */
  readonly maxScalars?: number;
  readonly title?: string;
}

/**
 * `DrawsByName` from draws stored row-wise: `rows[m][n][j]` is draw n of scalar `names[j]` in
 * chain m (the layout of the interpreter's `Posterior.outputs`).
 */
export function drawsFromRows(names: readonly string[], rows: readonly (readonly (readonly number[])[])[]): Map<string, number[][]> {
  return new Map(names.map((name, j) => [name, rows.map((chain) => chain.map((draw) => draw[j]!))]));
}

function entries(draws: DrawsByName): [string, readonly (readonly number[])[]][] {
  return draws instanceof Map ? [...draws.entries()] : Object.entries(draws);
}

function pick(draws: DrawsByName, options: PlotOptions, max: number): [string, readonly (readonly number[])[]][] {
  const all = entries(draws);
  if (options.names) {
    const byName = new Map(all);
    return options.names.map((n) => {
      const d = byName.get(n);
      if (!d) throw new RangeError(`no draws named '${n}'`);
      return [n, d];
    });
  }
  if (all.length === 0) throw new RangeError("there are no draws to plot");
  return all.slice(0, options.maxScalars ?? max);
}

const title = (options: PlotOptions): { title?: string } => (options.title ? { title: options.title } : {});

/** Trace plot: each scalar's draws against the iteration, one line per chain, one panel per scalar. */
export async function plotTrace(draws: DrawsByName, options: PlotOptions = {}): Promise<string> {
  const values: Row[] = [];
  for (const [name, chains] of pick(draws, options, 12)) {
    chains.forEach((c, m) => {
      for (const i of thinIndices(c.length, 1000)) values.push({ name, chain: String(m + 1), iteration: i + 1, value: c[i]! });
    });
  }
  const spec: TopLevelSpec = {
    ...title(options),
    config: CONFIG,
    data: { values },
    facet: { row: { field: "name", type: "nominal", title: null, sort: null } },
    spec: {
      width: 480,
      height: 90,
      mark: { type: "line", strokeWidth: 0.7, opacity: 0.8 },
      encoding: {
        x: { field: "iteration", type: "quantitative", title: "iteration" },
        y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
        color: { field: "chain", type: "nominal", title: "chain" },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
  return renderSvg(spec);
}

/** Marginal densities: a Gaussian KDE per chain and scalar, one panel per scalar. */
export async function plotDensity(draws: DrawsByName, options: PlotOptions = {}): Promise<string> {
  const values: Row[] = [];
  for (const [name, chains] of pick(draws, options, 12)) {
    chains.forEach((c, m) => {
      for (const p of kde(c, 100)) values.push({ name, chain: String(m + 1), x: p.x, density: p.density });
    });
  }
  const spec: TopLevelSpec = {
    ...title(options),
    config: CONFIG,
    data: { values },
    facet: { field: "name", type: "nominal", title: null, sort: null },
    columns: 3,
    spec: {
      width: 180,
      height: 120,
      mark: { type: "line", strokeWidth: 1.2 },
      encoding: {
        x: { field: "x", type: "quantitative", title: null, scale: { zero: false } },
        y: { field: "density", type: "quantitative", title: "density" },
        color: { field: "chain", type: "nominal", title: "chain" },
      },
    },
    resolve: { scale: { x: "independent", y: "independent" } },
  };
  return renderSvg(spec);
}

/** Pair plot: scatter plots of every pair of (at most 6) scalars, histograms on the diagonal, chains pooled. */
export async function plotPairs(draws: DrawsByName, options: PlotOptions = {}): Promise<string> {
  const chosen = pick(draws, options, 6);
  const n = Math.min(...chosen.map(([, chains]) => chains.reduce((a, c) => a + c.length, 0)));
  const pooled = chosen.map(([name, chains]) => [name, chains.flat()] as const);
  // Field names like `beta[1]` would read as nested access in Vega-Lite: use p0, p1, ... and titles.
  const rows: Row[] = thinIndices(n, 1000).map((i) => Object.fromEntries(pooled.map(([, xs], k) => [`p${k}`, xs[i]!])));
  const xTitle = (row: number, col: number): string | null => (row === pooled.length - 1 ? pooled[col]![0] : null);
  // Off the diagonal a scatter plot of the pair; on it a histogram of the scalar.
  const cell = (row: number, col: number) =>
    row === col
      ? {
          width: 120,
          height: 120,
          mark: { type: "bar" as const, opacity: 0.7 },
          encoding: {
            x: { field: `p${col}`, type: "quantitative" as const, bin: { maxbins: 30 }, title: xTitle(row, col) },
            y: { aggregate: "count" as const, type: "quantitative" as const, title: col === 0 ? pooled[row]![0] : null, axis: { labels: false, ticks: false } },
          },
        }
      : {
          width: 120,
          height: 120,
          mark: { type: "circle" as const, size: 6, opacity: 0.35 },
          encoding: {
            x: { field: `p${col}`, type: "quantitative" as const, title: xTitle(row, col), scale: { zero: false } },
            y: { field: `p${row}`, type: "quantitative" as const, title: col === 0 ? pooled[row]![0] : null, scale: { zero: false } },
          },
        };
  const spec: TopLevelSpec = {
    ...title(options),
    config: CONFIG,
    data: { values: rows },
    vconcat: pooled.map((_, row) => ({ hconcat: pooled.map((__, col) => cell(row, col)) })),
  };
  return renderSvg(spec);
}
