/**
 * Vega-Lite specification → SVG text, in Node, with no browser and no canvas: Vega-Lite
 * compiles the spec to Vega, and a headless Vega view (renderer "none") writes the SVG.
 */
import { writeFile } from "node:fs/promises";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export type { TopLevelSpec };

/** One data row of a plot. */
export type Row = Readonly<Record<string, number | string>>;

/** SVG text of a Vega-Lite spec. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders and writes `spec` to `file`. */
export async function writeSvg(spec: TopLevelSpec, file: string): Promise<void> {
  await writeFile(file, await renderSvg(spec), "utf8");
}

/** Shared look: white background, a fixed font, no chart border. */
export const CONFIG = {
  background: "white",
  font: "sans-serif",
  view: { stroke: null },
  axis: { labelFontSize: 10, titleFontSize: 11 },
} as const;

/** Evenly spaced indices 0..n−1, at most `max` of them (to keep large plots small). */
export function thinIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const step = n / max;
  return Array.from({ length: max }, (_, i) => Math.floor(i * step));
}
