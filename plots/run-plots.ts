/** `dlm sample --plot DIR`: trace, density and pair plots of a run's draws as SVG files. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Draws } from "../inference/draws/index.js";
import { choosePanels, plotDensity, plotPairs, plotTrace, type DrawsByName, type PlotOptions } from "./posterior-plots.js";

/** The draws of a `Draws` record by name (lp__ first when present, then the columns in model order), as plain arrays. */
export function drawsByName(draws: Draws): Map<string, number[][]> {
  const out = new Map<string, number[][]>();
  const lp = draws.chains.map((c) => c.stats.lp__);
  if (lp.every((c) => c !== undefined)) out.set("lp__", lp.map((c) => Array.from(c)));
  draws.names.forEach((name, j) => out.set(name, draws.chains.map((c) => Array.from(c.values[j]!))));
  return out;
}

export interface RunPlotOptions {
  /** Variables to plot (`a`, `theta`, `theta[2]`; `lp__` too); default the first ones in model order. */
  readonly vars?: readonly string[];
  /** Told each note about panels left out (e.g. a line on stderr), so a cut is never silent. */
  readonly onNote?: (line: string) => void;
}

/** Writes trace.svg, density.svg and (with two or more quantities) pairs.svg into `dir`; returns the paths. */
export async function writeRunPlots(draws: Draws, dir: string, options: RunPlotOptions = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const byName: DrawsByName = drawsByName(draws);
  const params = new Map([...drawsByName(draws)].filter(([n]) => n !== "lp__"));
  // Divergent transitions, marked on the pair plot when the sampler recorded them.
  const div = draws.chains.map((c) => c.stats.divergent__);
  const divergent = div.every((d) => d !== undefined) ? (div as Float64Array[]) : undefined;
  const base: PlotOptions = options.vars ? { vars: options.vars } : {};
  const densityDraws = options.vars || params.size === 0 ? byName : params;
  const pairDraws = options.vars ? byName : params;
  const pairCount = options.vars ? choosePanels(pairDraws, base, 8).chosen.length : params.size;
  const jobs: [string, DrawsByName, number, Promise<string>][] = [
    ["trace.svg", byName, 12, plotTrace(byName, base)],
    ["density.svg", densityDraws, 12, plotDensity(densityDraws, base)],
  ];
  if (pairCount >= 2) jobs.push(["pairs.svg", pairDraws, 8, plotPairs(pairDraws, { ...base, ...(divergent ? { divergent } : {}) })]);
  const paths: string[] = [];
  for (const [name, d, max, svg] of jobs) {
    const path = join(dir, name);
    await writeFile(path, await svg, "utf8");
    paths.push(path);
    const { note } = choosePanels(d, base, max);
    if (note !== undefined) options.onNote?.(`${name}: ${note}`);
  }
  return paths;
}

/**
 * `--plot-vars a,b,theta[1,2]` → `["a", "b", "theta[1,2]"]`: commas split names except inside
 * brackets, where they separate the indices of a matrix element.
 */
export function parsePlotVars(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "[") depth += 1;
    if (ch === "]") depth = Math.max(0, depth - 1);
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out.filter((v) => v !== "");
}
