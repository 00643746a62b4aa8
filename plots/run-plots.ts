/** `dlm sample --plot DIR`: trace, density and pair plots of a run's draws as SVG files. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Draws } from "../inference/draws/index.js";
import { plotDensity, plotPairs, plotTrace, type DrawsByName } from "./posterior-plots.js";

/** The draws of a `Draws` record by name (lp__ first when present), as plain arrays. */
export function drawsByName(draws: Draws): Map<string, number[][]> {
  const out = new Map<string, number[][]>();
  const lp = draws.chains.map((c) => c.stats.lp__);
  if (lp.every((c) => c !== undefined)) out.set("lp__", lp.map((c) => Array.from(c)));
  draws.names.forEach((name, j) => out.set(name, draws.chains.map((c) => Array.from(c.values[j]!))));
  return out;
}

/** Writes trace.svg, density.svg and (with two or more parameters) pairs.svg into `dir`; returns the paths. */
export async function writeRunPlots(draws: Draws, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const byName: DrawsByName = drawsByName(draws);
  const params = new Map([...drawsByName(draws)].filter(([n]) => n !== "lp__"));
  const jobs: [string, Promise<string>][] = [
    ["trace.svg", plotTrace(byName)],
    ["density.svg", plotDensity(params.size > 0 ? params : byName)],
  ];
  if (params.size >= 2) jobs.push(["pairs.svg", plotPairs(params)]);
  const paths: string[] = [];
  for (const [name, svg] of jobs) {
    const path = join(dir, name);
    await writeFile(path, await svg, "utf8");
    paths.push(path);
  }
  return paths;
}
