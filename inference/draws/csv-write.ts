/**
 * Write one chain in CmdStan's CSV layout (CmdStan Guide, "Stan CSV File Format"; compare the
 * files CmdStan 2.35 writes, e.g. inference/diagnostics/testdata/bern1.csv):
 *
 * 1. `#` comment lines with the configuration, indented as CmdStan nests its arguments;
 * 2. the header: the sampler columns, then every scalar with dotted 1-based indices, containers
 *    in column-major order (see names.ts);
 * 3. after adaptation, `# Adaptation terminated`, `# Step size = …` and the inverse metric;
 * 4. one row per draw;
 * 5. the elapsed-time block.
 *
 * Numbers are written with the shortest representation that reads back to the same float64
 * (CmdStan's default is 6 significant digits); non-finite values as `nan`, `inf`, `-inf`.
 */
import { type Draws, type SamplerSettings, SAMPLER_COLUMNS, chainLength } from "./draws.js";
import { cmdstanOrder, toCsvName } from "./names.js";

/** The version of this package, written as `dlm_version`. */
const DLM_VERSION = "0.1.0";

/** Format one value as CmdStan reads it back. */
export function formatCsvNumber(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return String(x);
}

/** The `#` configuration lines for a chain (0-based `chain`; the id written is chain + 1). */
export function configLines(s: SamplerSettings, chain: number): string[] {
  // CmdStan indents each nesting level by two spaces after "# ".
  const kv = (depth: number, key: string, value: string | number | boolean): string =>
    `#${" ".repeat(2 * depth + 1)}${key} = ${String(value)}`;
  const section = (depth: number, name: string): string => `#${" ".repeat(2 * depth + 1)}${name}`;
  const lines = [
    "# stan_version_major = 2",
    "# stan_version_minor = 35",
    "# stan_version_patch = 0",
    kv(0, "dlm_version", DLM_VERSION),
    kv(0, "model", s.model),
  ];
  if (s.startDatetime !== undefined) lines.push(kv(0, "start_datetime", s.startDatetime));
  lines.push(
    kv(0, "method", "sample"),
    section(1, "sample"),
    kv(2, "num_samples", s.numSamples),
    kv(2, "num_warmup", s.numWarmup),
    kv(2, "save_warmup", s.saveWarmup ?? false),
    kv(2, "thin", s.thin ?? 1),
    section(2, "adapt"),
    kv(3, "engaged", s.adaptEngaged ?? true),
    kv(3, "gamma", s.adaptGamma ?? 0.05),
    kv(3, "delta", s.adaptDelta),
    kv(3, "kappa", s.adaptKappa ?? 0.75),
    kv(3, "t0", s.adaptT0 ?? 10),
    kv(3, "init_buffer", s.initBuffer ?? 75),
    kv(3, "term_buffer", s.termBuffer ?? 50),
    kv(3, "window", s.window ?? 25),
    kv(3, "save_metric", false),
    kv(2, "algorithm", "hmc"),
    section(3, "hmc"),
    kv(4, "engine", "nuts"),
    section(5, "nuts"),
    kv(6, "max_depth", s.maxDepth),
    kv(4, "metric", s.metric),
    kv(4, "metric_file", ""),
    kv(4, "stepsize", s.stepSize ?? 1),
    kv(4, "stepsize_jitter", s.stepSizeJitter ?? 0),
    kv(2, "num_chains", s.numChains ?? 1),
    kv(0, "id", chain + 1),
    section(0, "data"),
    kv(1, "file", s.dataFile ?? ""),
    kv(0, "init", s.init ?? 2),
    section(0, "random"),
    kv(1, "seed", s.seed),
    section(0, "output"),
    kv(1, "file", s.outputFile ?? "output.csv"),
    kv(1, "diagnostic_file", ""),
    kv(1, "refresh", 100),
    kv(1, "sig_figs", 17),
  );
  for (const [k, v] of Object.entries(s.extra ?? {})) lines.push(kv(0, k, v));
  return lines;
}

/**
 * CmdStan-layout CSV text for chain `chain` (0-based) of `draws`. `settings` defaults to
 * `draws.settings`. Sampler columns absent from the chain are left out; scalars are written in
 * CmdStan's order (`cmdstanOrder`), whatever their order in `draws.names`.
 */
export function writeCmdStanCsv(draws: Draws, chain: number, settings: SamplerSettings = draws.settings): string {
  const c = draws.chains[chain];
  if (!c) throw new RangeError(`chain ${chain} does not exist (${draws.chains.length} chains)`);
  if (c.values.length !== draws.names.length) {
    throw new RangeError(`chain ${chain} has ${c.values.length} value columns for ${draws.names.length} names`);
  }
  const n = chainLength(c);
  const statNames = SAMPLER_COLUMNS.filter((k) => c.stats[k] !== undefined);
  const order = cmdstanOrder(draws.names);
  const columns = [...statNames.map((k) => c.stats[k]!), ...order.map((j) => c.values[j]!)];
  for (const col of columns) {
    if (col.length !== n) throw new RangeError(`chain ${chain}: columns have different lengths (${n} and ${col.length})`);
  }
  const out = configLines(settings, chain);
  out.push([...statNames, ...order.map((j) => toCsvName(draws.names[j]!))].join(","));
  if (c.adaptation) {
    out.push("# Adaptation terminated", `# Step size = ${formatCsvNumber(c.adaptation.stepSize)}`);
    const metric = c.adaptation.inverseMetric;
    if (metric) {
      switch (metric.kind) {
        case "diag":
          out.push("# Diagonal elements of inverse mass matrix:", `# ${metric.diagonal.map(formatCsvNumber).join(", ")}`);
          break;
        case "dense":
          out.push("# Elements of inverse mass matrix:", ...metric.matrix.map((row) => `# ${row.map(formatCsvNumber).join(", ")}`));
          break;
        default: {
          const never: never = metric;
          throw new Error(`unknown metric ${JSON.stringify(never)}`);
        }
      }
    }
  }
  const cells = new Array<string>(columns.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < columns.length; k++) cells[k] = formatCsvNumber(columns[k]![i]!);
    out.push(cells.join(","));
  }
  if (c.elapsed) {
    const { warmup, sampling } = c.elapsed;
    const sec = (x: number): string => String(Number(x.toFixed(3)));
    out.push(
      "# ",
      `#  Elapsed Time: ${sec(warmup)} seconds (Warm-up)`,
      `#                ${sec(sampling)} seconds (Sampling)`,
      `#                ${sec(warmup + sampling)} seconds (Total)`,
      "# ",
    );
  }
  return out.join("\n") + "\n";
}
