/**
 * Quick mode for the example scripts: the same script with fewer draws, chains, iterations and
 * epochs, so that the test suite can run every example. Keyword arguments are rewritten by
 * regex on the source text (`draws = 1000` → `draws = 20`, ...), so an example needs no
 * special hooks: write its settings as `name = number` and they are cut here.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runScript } from "../../interpreter/script.js";

export interface QuickSettings {
  /** Every `draws = N` (sample, vi, prior_predictive and predict alike). */
  readonly draws?: number;
  readonly warmup?: number;
  readonly chains?: number;
  /** `vi(...; iterations = N)`. */
  readonly iterations?: number;
  /** `train(...; epochs = N)`. */
  readonly epochs?: number;
  /** Added to every `NUTS(...)` that does not set it; undefined leaves NUTS alone. */
  readonly maxDepth?: number;
}

/** The defaults of test/models/examples.test.ts: the smallest run that still exercises every call. */
export const SMOKE: QuickSettings = { draws: 20, warmup: 20, chains: 2, maxDepth: 3 };

/** `source` with its run sizes replaced by `settings` (those left undefined are kept). */
export function short(source: string, settings: QuickSettings = SMOKE): string {
  let s = source;
  const set = (name: string, v: number | undefined): void => {
    if (v !== undefined) s = s.replace(new RegExp(`\\b${name} = \\d+`, "g"), `${name} = ${v}`);
  };
  set("draws", settings.draws);
  set("warmup", settings.warmup);
  set("chains", settings.chains);
  set("iterations", settings.iterations);
  set("epochs", settings.epochs);
  const depth = settings.maxDepth;
  if (depth !== undefined) {
    s = s.replace(/NUTS\(([^)]*)\)/g, (m, inner: string) =>
      /max_depth/.test(inner) ? m : `NUTS(max_depth = ${depth}${inner.trim() === "" ? "" : `, ${inner}`})`);
  }
  return s;
}

export interface QuickRun {
  readonly code: number;
  /** print and summary output, one entry per line. */
  readonly out: string[];
  /** Warnings and errors, one entry per line. */
  readonly err: string[];
  /** Both streams in the order written, errors and warnings prefixed with `! `. */
  readonly log: string[];
  /** Where the script's `plots/...` files went. */
  readonly plots: string;
}

/**
 * Run examples/NAME.dlm in quick mode, with its data read from examples/data as `dlm run`
 * reads it and its `plots/` files written to a fresh temporary folder instead of examples/plots.
 */
export async function runExample(name: string, settings: QuickSettings = SMOKE): Promise<QuickRun> {
  const file = `examples/${name}.dlm`;
  const plots = mkdtempSync(join(tmpdir(), `dlm-example-${name}-`));
  const source = short(readFileSync(file, "utf8"), settings).replace(/"plots\//g, `"${plots}/`);
  const out: string[] = [];
  const err: string[] = [];
  const log: string[] = [];
  const code = await runScript(source, {
    file,
    out: (l) => { out.push(...l.split("\n")); log.push(...l.split("\n")); },
    err: (l) => { err.push(...l.split("\n")); log.push(...l.split("\n").map((x) => `! ${x}`)); },
  });
  return { code, out, err, log, plots };
}

/**
 * The rows of the summary table that follows the line `after` (the first table when
 * undefined): quantity name → its columns (mean, sd, mcse, q5, q50, q95, ess_bulk, ess_tail, rhat).
 */
export function summaryTable(out: readonly string[], after?: string): Map<string, Record<string, number>> {
  let i = after === undefined ? 0 : out.findIndex((l) => l.startsWith(after));
  if (i < 0) throw new Error(`no line starting with ${after}`);
  while (i < out.length && !/^name\s+mean\s+sd/.test(out[i]!)) i++;
  if (i >= out.length) throw new Error("no summary table");
  const header = out[i]!.trim().split(/\s+/).slice(1);
  const rows = new Map<string, Record<string, number>>();
  for (i++; i < out.length; i++) {
    const cells = out[i]!.trim().split(/\s+/);
    if (cells.length !== header.length + 1 || !cells.slice(1).every((c) => /^-?[\d.]+(e[-+]?\d+)?$|^NaN$|^null$/.test(c))) break;
    rows.set(cells[0]!, Object.fromEntries(header.map((h, k) => [h, Number(cells[k + 1])])));
  }
  return rows;
}

/** The numbers in the printed line that starts with `prefix` (after the prefix), in order. */
export function numbersAfter(out: readonly string[], prefix: string): number[] {
  const line = out.find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`no line starting with ${prefix}:\n${out.join("\n")}`);
  return [...line.slice(prefix.length).matchAll(/-?\d+(\.\d+)?(e[-+]?\d+)?/g)].map((m) => Number(m[0]));
}
