/**
 * Script builtins that draw: `plot_trace(post, file)`, `plot_density(post, file)`,
 * `plot_pairs(post, file)` (a triangle of scatter plots, densities on the diagonal, divergent
 * draws in red), each with an optional `vars = ["a", "theta"]` choosing what to plot,
 * `plot_band(pred.y, x, file)`, `plot_uncertainty(pred.y, file)` over `grid(x, n)`, and
 * `plot_history(fit, file)` (the metrics of a `train` fit per epoch, or the ELBO of a `vi` fit). SVG files, paths relative
 * to the script's folder; rendering (plots/) is asynchronous, so each plot waits through the
 * script runner's `wait` (see script.ts).
 */
import { writeFile } from "node:fs/promises";
import { tf } from "../core/engine.js";
import type { Span } from "../grammar/index.js";
import type { PlotOptions } from "../plots/index.js";
import { bins, prediction } from "./calibration-builtins.js";
import { builtin } from "./builtins-math.js";
import { resolvePath } from "./data-readers.js";
import { DlmError } from "./errors.js";
import type { Posterior } from "./posterior.js";
import { asInt, asString, asTensorValue, describeValue, tensor, type Value } from "./value.js";

export interface PlotHost {
  /** The script file (paths are relative to its folder). */
  readonly file: string;
  /** Runs `make` once for the call at `span` and gives its value when the statement runs again. */
  readonly wait: (span: Span, make: () => Promise<Value>) => Value;
  readonly posteriorOf: (v: Value, span: Span) => Posterior;
  /** The fit a value holds (`train`), if it is one. */
  readonly fitOf: (v: Value) => { readonly history: readonly Readonly<Record<string, number>>[] } | undefined;
}

/** Linear interpolation quantile (numpy's default, "linear") of sorted values. */
export function quantileSorted(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * `grid(x, n)`: for a vector, n evenly spaced points over its range; for an N×2 matrix, the n×n
 * points of a regular grid over the range of each column (row i·n + j holds (x1_j, x2_i)), e.g.
 * for `plot_uncertainty`. Each range is widened by 5% on both sides.
 */
export function gridPoints(values: ArrayLike<number>, shape: readonly number[], n: number): { data: number[]; shape: number[] } {
  const cols = shape.length === 1 ? 1 : shape[1]!;
  const rows = shape[0]!;
  const axis = (c: number): number[] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < rows; i++) {
      const v = values[i * cols + c]!;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const pad = hi > lo ? 0.05 * (hi - lo) : 0.5;
    return Array.from({ length: n }, (_, k) => lo - pad + (n === 1 ? 0.5 : k / (n - 1)) * (hi - lo + 2 * pad));
  };
  if (cols === 1) return { data: axis(0), shape: [n] };
  const a = axis(0);
  const b = axis(1);
  const data: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data.push(a[j]!, b[i]!);
  return { data, shape: [n * n, 2] };
}

function predictive(v: Value, span: Span, what: string): ReadonlyMap<string, Value> {
  if (v.kind === "record" && v.tag === "predictive distribution") return v.fields;
  throw new DlmError(`${what} should be a predictive distribution such as \`pred.y\` (from \`predict\`), but it is ${describeValue(v)}`, span);
}

const host2d = (t: tf.Tensor): number[][] => {
  const n = t.shape[0]!;
  const m = t.size / n;
  const d = t.dataSync();
  return Array.from({ length: m }, (_, j) => Array.from({ length: n }, (_, i) => d[i * m + j]!).sort((a, b) => a - b));
};

/** `vars = ["a", "theta"]` (or one string) → the names. */
function plotVars(v: Value, span: Span): string[] {
  const items = v.kind === "list" ? v.items : [v];
  const names = items.map((x) => asString(x, span, "each entry of `vars`"));
  if (names.length === 0) throw new DlmError("`vars` is empty", span, "name at least one variable, e.g. vars = [\"mu\"]");
  return names;
}

type Plots = typeof import("../plots/index.js");

/** The plots module, and Vega with it, loaded at the first plot: most runs draw none, and Vega takes a good part of a second to load. */
const plots = (): Promise<Plots> => import("../plots/index.js");

/** The plotting builtins and `grid`, for a script session. */
export function plotBuiltins(host: PlotHost): Value[] {
  let lastGrid: { data: number[]; shape: number[] } | undefined;
  const write = (span: Span, path: string, render: (p: Plots) => Promise<string>): Value =>
    host.wait(span, async () => {
      const full = resolvePath(path, host.file);
      let svg: string;
      try {
        svg = await render(await plots());
      } catch (e) {
        throw new DlmError(e instanceof Error ? e.message : String(e), span);
      }
      try {
        await writeFile(full, svg, "utf8");
      } catch (e) {
        throw new DlmError(`cannot write ${full}: ${e instanceof Error ? e.message : String(e)}`, span);
      }
      return { kind: "missing" };
    });
  const posteriorPlot = (name: string, kind: "plotTrace" | "plotDensity" | "plotPairs"): Value =>
    builtin(name, (args, kwargs, span) => {
      const p = host.posteriorOf(args[0]!, span);
      const path = asString(args[1]!, span, "the file name");
      const vars = kwargs.has("vars") ? plotVars(kwargs.get("vars")!, span) : undefined;
      // The sampler's divergent__ column, when every chain has one, for the pair plot's red points.
      const div = p.result.stats.map((s) => s.divergent__);
      const divergent = div.length > 0 && div.every((d) => d !== undefined) ? (div as Float64Array[]) : undefined;
      const options: PlotOptions = { ...(vars ? { vars } : {}), ...(divergent ? { divergent } : {}) };
      return write(span, path, (m) => m[kind](m.drawsFromRows(p.names, p.outputs), options));
    });
  return [
    posteriorPlot("plot_trace", "plotTrace"),
    posteriorPlot("plot_density", "plotDensity"),
    posteriorPlot("plot_pairs", "plotPairs"),
    builtin("grid", (args, _kwargs, span) => {
      const x = asTensorValue(args[0]!, span, "the data");
      const n = asInt(args[1]!, span, "the number of points per axis");
      if (n < 1) throw new DlmError("grid needs at least 1 point per axis", span);
      if (x.batched || x.t.size === 0 || !(x.t.rank === 1 || (x.t.rank === 2 && (x.t.shape[1] === 1 || x.t.shape[1] === 2)))) {
        throw new DlmError(`grid needs a vector or a matrix with 1 or 2 columns, but this is ${describeValue(x)}`, span);
      }
      const g = gridPoints(x.t.dataSync(), x.t.rank === 2 && x.t.shape[1] === 1 ? [x.t.shape[0]!] : x.t.shape, n);
      if (g.shape.length === 2) lastGrid = g;
      return tensor(tf.tensor(g.data, g.shape, "float32"), false);
    }),
    builtin("plot_band", (args, kwargs, span) => {
      const f = predictive(args[0]!, span, "the first argument of `plot_band`");
      const x = Array.from(asTensorValue(args[1]!, span, "x").t.dataSync());
      const path = asString(args[2]!, span, "the file name");
      const level = kwargs.has("level") ? asTensorValue(kwargs.get("level")!, span, "level").t.dataSync()[0]! : 0.9;
      if (!(level > 0 && level < 1)) throw new DlmError("`level` should be between 0 and 1", span);
      const sorted = host2d(asTensorValue(f.get("draws")!, span).t);
      const mean = Array.from(asTensorValue(f.get("mean")!, span).t.dataSync());
      if (sorted.length !== x.length) throw new DlmError(`the prediction has ${sorted.length} points but x has ${x.length}`, span, "predict at the same x that you plot against");
      const lo = (1 - level) / 2;
      return write(span, path, (m) => m.plotBand({
        x, mean,
        lower: sorted.map((s) => quantileSorted(s, lo)), upper: sorted.map((s) => quantileSorted(s, 1 - lo)),
        innerLower: sorted.map((s) => quantileSorted(s, 0.25)), innerUpper: sorted.map((s) => quantileSorted(s, 0.75)),
        label: `${Math.round(level * 100)}% interval`,
      }));
    }),
    builtin("plot_uncertainty", (args, kwargs, span) => {
      const f = predictive(args[0]!, span, "the first argument of `plot_uncertainty`");
      const path = asString(args[1]!, span, "the file name");
      const probs = f.get("probs");
      let value: number[];
      let label: string;
      if (probs !== undefined) {
        // Predictive entropy −Σ p log p of the mixture's class probabilities.
        const t = asTensorValue(probs, span).t;
        const k = t.shape[t.rank - 1]!;
        const d = t.dataSync();
        value = Array.from({ length: t.size / k }, (_, i) => {
          let h = 0;
          for (let c = 0; c < k; c++) {
            const p = d[i * k + c]!;
            if (p > 0) h -= p * Math.log(p);
          }
          return h;
        });
        label = "predictive entropy";
      } else {
        value = Array.from(asTensorValue(f.get("sd")!, span).t.dataSync());
        label = "predictive sd";
      }
      const at = kwargs.get("x");
      const g = at !== undefined ? { data: Array.from(asTensorValue(at, span, "x").t.dataSync()), shape: asTensorValue(at, span).t.shape } : lastGrid;
      if (g === undefined || g.shape.length !== 2 || g.shape[1] !== 2) throw new DlmError("plot_uncertainty needs the 2-D points of the prediction", span, "predict over `grid(x, n)` of a two-column x (or pass `x = points`)");
      if (g.shape[0] !== value.length) throw new DlmError(`the prediction has ${value.length} points but the grid has ${g.shape[0]}`, span, "predict over the most recent `grid(x, n)` (or pass `x = points`)");
      const x1 = g.data.filter((_, i) => i % 2 === 0);
      const x2 = g.data.filter((_, i) => i % 2 === 1);
      return write(span, path, (m) => m.plotUncertainty({ x1, x2, value, label }));
    }),
    builtin("plot_calibration", (args, kwargs, span) => {
      const b = bins(prediction(args[0]!, span, "plot_calibration"), args[1]!, kwargs, span, "plot_calibration");
      return write(span, asString(args[2]!, span, "the file name"), (m) => m.plotCalibration({ ...b, title: "reliability" }));
    }),
    builtin("plot_history", (args, _kwargs, span) => {
      const path = asString(args[1]!, span, "the file name");
      const v = args[0]!;
      const q = v.kind === "opaque" && v.tag === "posterior" ? (v.payload as Posterior).vi : undefined;
      if (q !== undefined) {
        if (q.elbo.length === 0) throw new DlmError("the approximation has no ELBO estimate to plot (it stopped before the first one)", span);
        return write(span, path, (m) => m.plotHistory({ series: { ELBO: q.elbo.map((e) => e.value) }, step: q.elbo.map((e) => e.iteration), stepLabel: q.method === "bbb" ? "step" : "iteration", title: q.method === "bbb" ? "Bayes by Backprop" : `ADVI (${q.method})` }));
      }
      const fit = host.fitOf(v);
      if (fit === undefined) throw new DlmError(`plot_history needs a fit from \`train\` or \`vi\`, but this is ${describeValue(v)}`, span);
      if (fit.history.length === 0) throw new DlmError("the fit has no finished epoch to plot", span);
      const names = [...new Set(fit.history.flatMap((m) => Object.keys(m)))];
      const series = Object.fromEntries(names.map((k) => [k, fit.history.map((m) => m[k] ?? NaN)]));
      return write(span, path, (m) => m.plotHistory({ series, stepLabel: "epoch", title: "training" }));
    }),
  ];
}
