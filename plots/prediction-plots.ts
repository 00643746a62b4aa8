/**
 * Plots of predictions: predictive bands for 1-D regression, uncertainty maps for 2-D
 * classifiers, and training / ELBO curves. Inputs are plain arrays.
 */
import { CONFIG, renderSvg, type Row, type TopLevelSpec } from "./render.js";

/** A 1-D predictive band: at each `x`, the predictive mean and an interval (e.g. 5% and 95%). */
export interface Band {
  readonly x: readonly number[];
  readonly mean: readonly number[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  /** An optional inner interval (e.g. 25% and 75%), drawn darker. */
  readonly innerLower?: readonly number[];
  readonly innerUpper?: readonly number[];
  /** Observed points drawn on top. */
  readonly observed?: { readonly x: readonly number[]; readonly y: readonly number[] };
  readonly title?: string;
  /** Legend text of the outer interval (default "90% interval"). */
  readonly label?: string;
}

function sameLength(what: string, n: number, ...arrays: (readonly number[] | undefined)[]): void {
  for (const a of arrays) if (a !== undefined && a.length !== n) throw new RangeError(`${what}: arrays of different lengths (${n} and ${a.length})`);
}

/** Predictive band for 1-D regression: shaded interval(s), the mean line, the observed points. */
export async function plotBand(band: Band): Promise<string> {
  const n = band.x.length;
  sameLength("plotBand", n, band.mean, band.lower, band.upper, band.innerLower, band.innerUpper);
  if (band.observed) sameLength("plotBand observed", band.observed.x.length, band.observed.y);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => band.x[a]! - band.x[b]!);
  const rows: Row[] = order.map((i) => ({
    x: band.x[i]!,
    mean: band.mean[i]!,
    lower: band.lower[i]!,
    upper: band.upper[i]!,
    ...(band.innerLower && band.innerUpper ? { innerLower: band.innerLower[i]!, innerUpper: band.innerUpper[i]! } : {}),
  }));
  const x = { field: "x", type: "quantitative", title: "x" } as const;
  const spec: TopLevelSpec = {
    ...(band.title ? { title: band.title } : {}),
    config: CONFIG,
    width: 480,
    height: 300,
    layer: [
      { data: { values: rows }, mark: { type: "area", opacity: 0.25, color: "#4c78a8" }, encoding: { x, y: { field: "lower", type: "quantitative", title: "y" }, y2: { field: "upper" } } },
      ...(band.innerLower && band.innerUpper
        ? [{ data: { values: rows }, mark: { type: "area" as const, opacity: 0.35, color: "#4c78a8" }, encoding: { x, y: { field: "innerLower", type: "quantitative" as const }, y2: { field: "innerUpper" } } }]
        : []),
      { data: { values: rows }, mark: { type: "line", color: "#1f3b63", strokeWidth: 1.5 }, encoding: { x, y: { field: "mean", type: "quantitative" } } },
      ...(band.observed
        ? [{
            data: { values: band.observed.x.map((xi, i) => ({ x: xi, y: band.observed!.y[i]! })) },
            mark: { type: "circle" as const, size: 14, color: "#e45756", opacity: 0.8 },
            encoding: { x, y: { field: "y", type: "quantitative" as const } },
          }]
        : []),
    ],
  };
  return renderSvg(spec);
}

/** A value over a regular 2-D grid (e.g. predictive entropy or P(class 2)), with optional points. */
export interface UncertaintyMap {
  /** Grid point coordinates (one entry per grid point, any order). */
  readonly x1: readonly number[];
  readonly x2: readonly number[];
  readonly value: readonly number[];
  /** Legend title of the value (default "uncertainty"). */
  readonly label?: string;
  readonly points?: { readonly x1: readonly number[]; readonly x2: readonly number[]; readonly label: readonly (number | string)[] };
  readonly title?: string;
}

/** Uncertainty map for a 2-D classifier: a heat map of the value over the grid, data points on top. */
export async function plotUncertainty(map: UncertaintyMap): Promise<string> {
  const n = map.x1.length;
  sameLength("plotUncertainty", n, map.x2, map.value);
  if (n === 0) throw new RangeError("plotUncertainty: the grid is empty");
  const distinct = (xs: readonly number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);
  const step = (xs: readonly number[]): number => {
    const d = distinct(xs);
    return d.length > 1 ? (d[d.length - 1]! - d[0]!) / (d.length - 1) : 1;
  };
  const h1 = step(map.x1) / 2;
  const h2 = step(map.x2) / 2;
  const rows: Row[] = map.x1.map((a, i) => ({ a0: a - h1, a1: a + h1, b0: map.x2[i]! - h2, b1: map.x2[i]! + h2, value: map.value[i]! }));
  const label = map.label ?? "uncertainty";
  const spec: TopLevelSpec = {
    ...(map.title ? { title: map.title } : {}),
    config: CONFIG,
    width: 400,
    height: 400,
    layer: [
      {
        data: { values: rows },
        mark: { type: "rect" },
        encoding: {
          x: { field: "a0", type: "quantitative", title: "x1", scale: { zero: false, nice: false } },
          x2: { field: "a1" },
          y: { field: "b0", type: "quantitative", title: "x2", scale: { zero: false, nice: false } },
          y2: { field: "b1" },
          color: { field: "value", type: "quantitative", title: label, scale: { scheme: "viridis" } },
        },
      },
      ...(map.points
        ? [{
            data: { values: map.points.x1.map((a, i) => ({ a, b: map.points!.x2[i]!, label: String(map.points!.label[i]) })) },
            mark: { type: "point" as const, filled: true, size: 50, color: "white", stroke: "black", strokeWidth: 0.8, opacity: 0.9 },
            encoding: {
              x: { field: "a", type: "quantitative" as const },
              y: { field: "b", type: "quantitative" as const },
              shape: { field: "label", type: "nominal" as const, title: "class" },
            },
          } as const]
        : []),
    ],
    resolve: { scale: { color: "independent" } },
  };
  return renderSvg(spec);
}

/** Training or ELBO curves: named series over the step (iteration or epoch). */
export interface History {
  /** Series name → one value per step (e.g. `{ loss: [...], "validation loss": [...] }` or `{ elbo: [...] }`). */
  readonly series: Readonly<Record<string, readonly number[]>>;
  /** The step values (default 1, 2, ...). */
  readonly step?: readonly number[];
  /** Axis title of the step (default "iteration"). */
  readonly stepLabel?: string;
  readonly title?: string;
}

/** Training / ELBO curves, one line per series. */
export async function plotHistory(history: History): Promise<string> {
  const rows: Row[] = [];
  for (const [name, ys] of Object.entries(history.series)) {
    if (history.step) sameLength("plotHistory", history.step.length, ys);
    ys.forEach((y, i) => {
      if (Number.isFinite(y)) rows.push({ series: name, step: history.step?.[i] ?? i + 1, value: y });
    });
  }
  if (rows.length === 0) throw new RangeError("plotHistory: no finite values to plot");
  const spec: TopLevelSpec = {
    ...(history.title ? { title: history.title } : {}),
    config: CONFIG,
    width: 480,
    height: 260,
    data: { values: rows },
    mark: { type: "line", strokeWidth: 1.2 },
    encoding: {
      x: { field: "step", type: "quantitative", title: history.stepLabel ?? "iteration" },
      y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
      color: { field: "series", type: "nominal", title: null },
    },
  };
  return renderSvg(spec);
}

/** A reliability diagram's bins: mean confidence, accuracy and count per bin (NaN for empty bins). */
export interface Calibration {
  readonly confidence: ArrayLike<number>;
  readonly accuracy: ArrayLike<number>;
  readonly count: ArrayLike<number>;
  readonly title?: string;
}

/** Reliability diagram: accuracy against confidence per bin (points sized by count) and the diagonal of perfect calibration. */
export async function plotCalibration(c: Calibration): Promise<string> {
  const rows: Row[] = [];
  for (let b = 0; b < c.count.length; b++) {
    if (c.count[b]! > 0 && Number.isFinite(c.confidence[b]!)) rows.push({ confidence: c.confidence[b]!, accuracy: c.accuracy[b]!, count: c.count[b]! });
  }
  if (rows.length === 0) throw new RangeError("plotCalibration: every bin is empty");
  const axis = { type: "quantitative" as const, scale: { domain: [0, 1] } };
  const spec: TopLevelSpec = {
    ...(c.title ? { title: c.title } : {}),
    config: CONFIG,
    width: 320,
    height: 320,
    layer: [
      {
        data: { values: [{ confidence: 0, accuracy: 0 }, { confidence: 1, accuracy: 1 }] },
        mark: { type: "line", strokeDash: [4, 4], color: "#888", strokeWidth: 1 },
        encoding: { x: { field: "confidence", ...axis }, y: { field: "accuracy", ...axis } },
      },
      {
        data: { values: rows },
        mark: { type: "line", point: false, strokeWidth: 1.2 },
        encoding: { x: { field: "confidence", title: "confidence (mean predicted probability)", ...axis }, y: { field: "accuracy", title: "accuracy", ...axis } },
      },
      {
        data: { values: rows },
        mark: { type: "circle", opacity: 0.8 },
        encoding: { x: { field: "confidence", ...axis }, y: { field: "accuracy", ...axis }, size: { field: "count", type: "quantitative", title: "predictions" } },
      },
    ],
  };
  return renderSvg(spec);
}
