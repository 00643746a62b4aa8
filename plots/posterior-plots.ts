/**
 * Plots of posterior draws: trace plots, marginal densities and pair plots. The draws come as
 * plain data, `DrawsByName`: scalar name → one array of draws per chain, in model order (the
 * order of the draws' columns), which is the order the panels keep.
 */
import { CONFIG, renderSvg, thinIndices, type Row, type TopLevelSpec } from "./render.js";
import { guessBounds, kdeBounded } from "./kde.js";

/** Scalar name (`beta[1]`) → draws, one array per chain. */
export type DrawsByName = ReadonlyMap<string, readonly (readonly number[])[]> | Readonly<Record<string, readonly (readonly number[])[]>>;

export interface PlotOptions {
  /** Plot exactly these scalars, in this order. */
  readonly names?: readonly string[];
  /**
   * Plot these variables: a name selects all its elements (`theta` → `theta[1]`, `theta[2]`, ...),
   * an element name (`theta[2]`) just that one. Variables in the order given, elements in model order.
   */
  readonly vars?: readonly string[];
  /** Without `names` or `vars`, at most this many scalars (default 12; pair plots 8), and a note says so. */
  readonly maxScalars?: number;
  readonly title?: string;
  /** Pair plots: per chain, one flag per draw (nonzero: a divergent transition, e.g. the `divergent__` column). */
  readonly divergent?: readonly ArrayLike<number>[];
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

/**
 * The scalars `vars` selects from `all` (model order): a variable name selects every element
 * `name[...]`, an exact scalar name itself. Unknown names are an error listing what there is.
 */
export function selectScalars(all: readonly string[], vars: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const v of vars) {
    const hits = all.filter((n) => n === v || n.startsWith(`${v}[`));
    if (hits.length === 0) {
      const variables = [...new Set(all.map((n) => n.replace(/\[.*$/, "")))];
      throw new RangeError(`no draws named '${v}' (there are: ${variables.join(", ")})`);
    }
    for (const h of hits) {
      if (seen.has(h)) continue;
      seen.add(h);
      out.push(h);
    }
  }
  return out;
}

/** The panels a plot shows, and a note when some were left out (so a cut is never silent). */
export interface Chosen {
  readonly chosen: [string, readonly (readonly number[])[]][];
  readonly note?: string;
}

/** Chooses the scalars to plot: `names`, else `vars`, else the first `max` in model order (with a note when cut). */
export function choosePanels(draws: DrawsByName, options: PlotOptions, max: number): Chosen {
  const all = entries(draws);
  if (all.length === 0) throw new RangeError("there are no draws to plot");
  const byName = new Map(all);
  const explicit = options.names ?? (options.vars ? selectScalars(all.map(([n]) => n), options.vars) : undefined);
  if (explicit) {
    return {
      chosen: explicit.map((n) => {
        const d = byName.get(n);
        if (!d) throw new RangeError(`no draws named '${n}'`);
        return [n, d];
      }),
    };
  }
  const limit = options.maxScalars ?? max;
  if (all.length <= limit) return { chosen: all };
  return {
    chosen: all.slice(0, limit),
    note: `showing the first ${limit} of ${all.length} quantities; choose others with vars = [...] (scripts) or --plot-vars (dlm sample)`,
  };
}

/** The title, with the cut note as a visible subtitle. */
function title(options: PlotOptions, note: string | undefined): { title: NonNullable<TopLevelSpec["title"]> } | Record<string, never> {
  if (note === undefined) return options.title ? { title: options.title } : {};
  // Vega drops a title group whose text is empty (subtitle and all), so without a title the note is the title.
  if (!options.title) return { title: { text: note, color: "#b00000", fontSize: 11, fontWeight: "normal", anchor: "start" } };
  return { title: { text: options.title, subtitle: note, subtitleColor: "#b00000", subtitleFontSize: 11, anchor: "start" } };
}

/** Trace plot: each scalar's draws against the iteration, one line per chain, one panel per scalar. */
export async function plotTrace(draws: DrawsByName, options: PlotOptions = {}): Promise<string> {
  const { chosen, note } = choosePanels(draws, options, 12);
  const values: Row[] = [];
  chosen.forEach(([name, chains], order) => {
    chains.forEach((c, m) => {
      for (const i of thinIndices(c.length, 1000)) values.push({ name, order, chain: String(m + 1), iteration: i + 1, value: c[i]! });
    });
  });
  const spec: TopLevelSpec = {
    ...title(options, note),
    config: CONFIG,
    data: { values },
    // Panels in the order chosen (model order), not Vega-Lite's alphabetical default.
    facet: { row: { field: "name", type: "nominal", title: null, sort: { field: "order", op: "min" } } },
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

/** Marginal densities: a KDE per chain and scalar (reflected at a bound the draws keep to), one panel per scalar. */
export async function plotDensity(draws: DrawsByName, options: PlotOptions = {}): Promise<string> {
  const { chosen, note } = choosePanels(draws, options, 12);
  const values: Row[] = [];
  chosen.forEach(([name, chains], order) => {
    // One set of bounds from all chains, so every chain's curve is corrected alike.
    const bounds = guessBounds(chains.flat());
    chains.forEach((c, m) => {
      for (const p of kdeBounded(c, 100, bounds)) values.push({ name, order, chain: String(m + 1), x: p.x, density: p.density });
    });
  });
  const spec: TopLevelSpec = {
    ...title(options, note),
    config: CONFIG,
    data: { values },
    facet: { field: "name", type: "nominal", title: null, sort: { field: "order", op: "min" } },
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

/**
 * Vega writes each point's position with full double precision (`translate(106.09057012942422,…)`);
 * two decimals are a hundredth of a pixel, and the file gets much smaller.
 */
function roundTranslates(svg: string): string {
  return svg.replace(/translate\((-?[\d.]+(?:e-?\d+)?),(-?[\d.]+(?:e-?\d+)?)\)/g, (_, x: string, y: string) => `translate(${+Number(x).toFixed(2)},${+Number(y).toFixed(2)})`);
}

/** Points per scatter panel at most, and over the whole pair plot: keeps pairs.svg at a few MB at worst. */
const PAIR_POINTS_PER_PANEL = 1000;
const PAIR_POINTS_TOTAL = 10000;

/**
 * Pair plot: the lower triangle of scatter plots of every pair of the chosen scalars (chains
 * pooled), each scalar's density on the diagonal, and divergent draws (when `divergent` is
 * given) in red on top, as ArviZ draws them. Scatter points are evenly spaced draws, at most
 * 1,000 per panel and fewer when there are many panels; every divergent draw is kept (up to
 * the same cap), since they are the points a reader looks for.
 */
export async function plotPairs(draws: DrawsByName, options: PlotOptions = {}): Promise<string> {
  const { chosen, note } = choosePanels(draws, options, 8);
  const k = chosen.length;
  const n = Math.min(...chosen.map(([, chains]) => chains.reduce((a, c) => a + c.length, 0)));
  const pooled = chosen.map(([name, chains]) => [name, chains.flat().slice(0, n)] as const);
  const div: boolean[] = options.divergent ? options.divergent.flatMap((c) => Array.from(c, (v) => v !== 0)).slice(0, n) : [];
  const panels = Math.max((k * (k - 1)) / 2, 1);
  const perPanel = Math.max(100, Math.min(PAIR_POINTS_PER_PANEL, Math.floor(PAIR_POINTS_TOTAL / panels)));
  const plain = thinIndices(n, perPanel);
  const divergentIdx = Array.from({ length: n }, (_, i) => i).filter((i) => div[i]);
  const keptDiv = thinIndices(divergentIdx.length, perPanel).map((j) => divergentIdx[j]!);
  const keep = [...new Set([...plain.filter((i) => !div[i]), ...keptDiv])];
  // Field names like `beta[1]` would read as nested access in Vega-Lite: use p0, p1, ... and titles.
  const rows: Row[] = keep.map((i) => ({ ...Object.fromEntries(pooled.map(([, xs], j) => [`p${j}`, xs[i]!])), div: div[i] ? 1 : 0 }));
  // One domain per scalar (all draws, not just the thinned ones) so a column lines up top to bottom.
  const domain = pooled.map(([, xs]) => {
    const f = xs.filter(Number.isFinite);
    const lo = Math.min(...f);
    const hi = Math.max(...f);
    return lo < hi ? [lo, hi] : [lo - 0.5, hi + 0.5];
  });
  const xTitle = (row: number, col: number): string | null => (row === k - 1 ? pooled[col]![0] : null);
  const yTitle = (row: number, col: number): string | null => (col === 0 ? pooled[row]![0] : null);
  const axisScale = (j: number) => ({ domain: domain[j]!, nice: false, zero: false });
  const density = (j: number) => ({
    width: 120,
    height: 120,
    data: { values: kdeBounded(pooled[j]![1], 100) },
    mark: { type: "line" as const, color: "#4c78a8", strokeWidth: 1.2, clip: true },
    encoding: {
      x: { field: "x", type: "quantitative" as const, title: xTitle(j, j), scale: axisScale(j) },
      y: { field: "density", type: "quantitative" as const, title: yTitle(j, j), axis: { labels: false, ticks: false } },
    },
  });
  const points = (row: number, col: number, divergent: boolean) => ({
    transform: [{ filter: `datum.div == ${divergent ? 1 : 0}` }],
    // Small squares (the shortest SVG path), no stroke and no ARIA labels: with thousands of
    // points these attributes would be most of the file.
    mark: divergent
      ? { type: "square" as const, size: 10, opacity: 0.9, color: "#d62728", strokeWidth: 0, aria: false }
      : { type: "square" as const, size: 5, opacity: 0.35, color: "#4c78a8", strokeWidth: 0, aria: false },
    encoding: {
      x: { field: `p${col}`, type: "quantitative" as const, title: xTitle(row, col), scale: axisScale(col) },
      y: { field: `p${row}`, type: "quantitative" as const, title: yTitle(row, col), scale: axisScale(row) },
    },
  });
  const scatter = (row: number, col: number) => ({
    width: 120,
    height: 120,
    // Divergent draws last, so they are drawn on top.
    layer: divergentIdx.length > 0 ? [points(row, col, false), points(row, col, true)] : [points(row, col, false)],
  });
  const spec: TopLevelSpec = {
    ...title(options, note),
    config: CONFIG,
    data: { values: rows },
    vconcat: pooled.map((_, row) => ({ hconcat: pooled.slice(0, row + 1).map((__, col) => (row === col ? density(col) : scatter(row, col))) })),
  };
  return roundTranslates(await renderSvg(spec));
}
