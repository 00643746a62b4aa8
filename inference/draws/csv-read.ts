/**
 * Read a CmdStan-layout CSV file (CmdStan's own output or ours, see csv-write.ts).
 *
 * Comment lines (`#`) may appear anywhere; those before the header are the configuration,
 * those after it carry the adaptation result and the timing. Names come back Stan style
 * (`Sigma.2.1` → `Sigma[2,1]`) in file order.
 */
import { type Adaptation, type ChainDraws, type Draws, type Elapsed, type InverseMetric, type SamplerColumn, type SamplerSettings, SAMPLER_COLUMNS } from "./draws.js";
import { toStanName } from "./names.js";

/** One file's contents. `config` maps dotted argument paths (`sample.adapt.delta`) to values. */
export interface CmdStanCsv {
  readonly names: readonly string[];
  readonly chain: ChainDraws;
  readonly config: Readonly<Record<string, string>>;
  /** Columns that are neither sampler statistics of NUTS nor scalars (e.g. ADVI's `log_p__`). */
  readonly otherColumns: Readonly<Record<string, Float64Array>>;
}

/** Thrown for text that is not a CmdStan CSV file. */
export class CsvFormatError extends Error {
  override readonly name = "CsvFormatError";
}

/** Parse one CSV cell: decimal numbers plus CmdStan's `nan`, `inf`, `+inf`, `-inf` spellings. */
export function parseCsvNumber(cell: string): number {
  const t = cell.trim();
  const lower = t.toLowerCase();
  if (lower === "nan" || lower === "-nan") return NaN;
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (t === "" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw new CsvFormatError(`not a number: '${cell}'`);
  return Number(t);
}

const SAMPLER_SET: ReadonlySet<string> = new Set(SAMPLER_COLUMNS);
const TIME = /([0-9.eE+-]+)\s+seconds\s+\((Warm-up|Sampling)\)/;

/** Parse the text of one CmdStan CSV file. */
export function readCmdStanCsv(text: string): CmdStanCsv {
  const lines = text.split(/\r?\n/);
  const config: Record<string, string> = {};
  const sections: { indent: number; name: string }[] = [];
  let header: string[] | undefined;
  const rows: number[][] = [];
  let stepSize: number | undefined;
  let metric: InverseMetric | undefined;
  let metricMode: "none" | "diag" | "dense" = "none";
  const dense: number[][] = [];
  let warmup: number | undefined;
  let sampling: number | undefined;
  lines.forEach((raw, lineNo) => {
    const line = raw.trimEnd();
    if (line === "") return;
    if (line.startsWith("#")) {
      const body = line.slice(1);
      if (header === undefined) {
        readConfigLine(body, sections, config);
        return;
      }
      const content = body.trim();
      const step = /^Step size\s*=\s*(\S+)/.exec(content);
      const time = TIME.exec(content);
      if (step) stepSize = parseCsvNumber(step[1]!);
      else if (/^Diagonal elements of inverse mass matrix:?/.test(content)) metricMode = "diag";
      else if (/^Elements of inverse mass matrix:?/.test(content)) metricMode = "dense";
      else if (time) {
        if (time[2] === "Warm-up") warmup = Number(time[1]);
        else sampling = Number(time[1]);
      } else if (metricMode !== "none" && /^[-+0-9.eEinfa, ]+$/i.test(content) && /\d|inf|nan/i.test(content)) {
        const values = content.split(",").map(parseCsvNumber);
        if (metricMode === "diag") {
          metric = { kind: "diag", diagonal: values };
          metricMode = "none";
        } else dense.push(values);
      } else metricMode = "none";
      return;
    }
    const cells = line.split(",");
    if (header === undefined) {
      header = cells.map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
      return;
    }
    if (cells.length !== header.length) {
      throw new CsvFormatError(`line ${lineNo + 1}: ${cells.length} values for ${header.length} columns`);
    }
    rows.push(cells.map(parseCsvNumber));
  });
  if (header === undefined) throw new CsvFormatError("no header row found");
  if (dense.length > 0) metric = { kind: "dense", matrix: dense };
  const columns = header.map((_, k) => Float64Array.from(rows, (r) => r[k]!));
  const names: string[] = [];
  const values: Float64Array[] = [];
  const stats: Partial<Record<SamplerColumn, Float64Array>> = {};
  const otherColumns: Record<string, Float64Array> = {};
  header.forEach((h, k) => {
    if (SAMPLER_SET.has(h)) stats[h as SamplerColumn] = columns[k]!;
    else if (h.endsWith("__")) otherColumns[h] = columns[k]!;
    else {
      names.push(toStanName(h));
      values.push(columns[k]!);
    }
  });
  const adaptation: Adaptation | undefined =
    stepSize === undefined ? undefined : metric === undefined ? { stepSize } : { stepSize, inverseMetric: metric };
  const elapsed: Elapsed | undefined =
    warmup === undefined || sampling === undefined ? undefined : { warmup, sampling };
  const chain: ChainDraws = {
    values,
    stats,
    ...(adaptation ? { adaptation } : {}),
    ...(elapsed ? { elapsed } : {}),
  };
  return { names, chain, config, otherColumns };
}

// "  key = value (Default)" or "  section": the nesting is the indentation (two spaces a level).
function readConfigLine(body: string, sections: { indent: number; name: string }[], config: Record<string, string>): void {
  const indent = body.length - body.trimStart().length;
  const content = body.trim();
  if (content === "") return;
  while (sections.length > 0 && sections[sections.length - 1]!.indent >= indent) sections.pop();
  const eq = content.indexOf("=");
  if (eq < 0) {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(content)) sections.push({ indent, name: content });
    return;
  }
  const key = content.slice(0, eq).trim();
  const value = content.slice(eq + 1).replace(/\(Default\)\s*$/, "").trim();
  const path = [...sections.map((s) => s.name), key].join(".");
  config[path] = value;
}

/** Look a setting up by the end of its dotted path (`max_depth` finds `sample.hmc.nuts.max_depth`). */
export function configValue(config: Readonly<Record<string, string>>, leaf: string): string | undefined {
  if (leaf in config) return config[leaf];
  const key = Object.keys(config).find((k) => k.endsWith(`.${leaf}`));
  return key === undefined ? undefined : config[key];
}

/** Best-effort `SamplerSettings` from a file's configuration (CmdStan's defaults where absent). */
export function settingsFromConfig(config: Readonly<Record<string, string>>): SamplerSettings {
  const num = (leaf: string, fallback: number): number => {
    const v = configValue(config, leaf);
    const x = v === undefined ? NaN : Number(v);
    return Number.isFinite(x) ? x : fallback;
  };
  const metric = configValue(config, "metric");
  return {
    model: configValue(config, "model") ?? "model",
    numSamples: num("num_samples", 1000),
    numWarmup: num("num_warmup", 1000),
    thin: num("thin", 1),
    adaptDelta: num("delta", 0.8),
    maxDepth: num("max_depth", 10),
    metric: metric === "unit_e" || metric === "dense_e" ? metric : "diag_e",
    seed: num("seed", 0),
  };
}

/** Several files (one chain each) → `Draws`; the files must have the same columns. */
export function combineChains(files: readonly CmdStanCsv[]): Draws {
  const first = files[0];
  if (!first) throw new CsvFormatError("no files to combine");
  for (const f of files) {
    if (f.names.join("\u0000") !== first.names.join("\u0000")) throw new CsvFormatError("files have different columns");
  }
  return { names: first.names, chains: files.map((f) => f.chain), settings: settingsFromConfig(first.config) };
}
