/**
 * Plots as SVG (Vega-Lite compiled to Vega, rendered headless). Plain functions over plain
 * data, for the interpreter's `plot_trace(post, file)` & co. and for `dlm sample --plot DIR`.
 * Each `plot…` returns the SVG text; `writeSvgFile` saves it.
 */
export { plotTrace, plotDensity, plotPairs, drawsFromRows, selectScalars, choosePanels } from "./posterior-plots.js";
export type { Chosen, DrawsByName, PlotOptions } from "./posterior-plots.js";
export { plotBand, plotUncertainty, plotHistory, plotCalibration } from "./prediction-plots.js";
export type { Band, UncertaintyMap, History, Calibration } from "./prediction-plots.js";
export { renderSvg } from "./render.js";
export { kde, kdeAt, kdeBounded, kdeReflectedAt, guessBounds, silvermanBandwidth } from "./kde.js";
export { drawsByName, parsePlotVars, writeRunPlots } from "./run-plots.js";
export type { RunPlotOptions } from "./run-plots.js";

import { writeFile } from "node:fs/promises";

/** Writes SVG text to `file`. */
export async function writeSvgFile(svg: string, file: string): Promise<void> {
  await writeFile(file, svg, "utf8");
}
