/** `dlm summary FILES.csv...`: the posterior summary of CmdStan-layout CSV files (ours or Stan's). */
import type { Command } from "commander";
import { summarizeDraws, loadCmdStanCsv, combineChains, CsvFormatError } from "../../inference/draws/index.js";
import type { CmdStanCsv } from "../../inference/draws/index.js";
import { warnings } from "../../inference/diagnostics/index.js";
import { fileErrorMessage, UserError } from "../errors.js";
import { summaryJson, summaryText, warningLines } from "../report.js";

export interface SummaryOptions {
  readonly json?: boolean;
}

async function load(path: string): Promise<CmdStanCsv> {
  try {
    return await loadCmdStanCsv(path);
  } catch (e) {
    if (e instanceof CsvFormatError) throw new UserError(`${path}: ${e.message}`);
    if ((e as { code?: unknown }).code !== undefined) throw new UserError(fileErrorMessage(path, e));
    throw e;
  }
}

/** Reads the files (one chain each) and writes the table (its warnings to stderr) or the JSON summary to stdout. */
export async function summaryCommand(files: readonly string[], options: SummaryOptions): Promise<void> {
  const csvs = await Promise.all(files.map(load));
  let draws;
  try {
    draws = combineChains(csvs);
  } catch (e) {
    throw new UserError(`cannot combine ${files.join(", ")}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const summary = summarizeDraws(draws);
  const notes = warnings(summary);
  // Chains run side by side, so the run took as long as its slowest chain.
  const elapsed = draws.chains.map((c) => c.elapsed).filter((e) => e !== undefined);
  const seconds = elapsed.length > 0
    ? { warmup: Math.max(...elapsed.map((e) => e.warmup)), sampling: Math.max(...elapsed.map((e) => e.sampling)) }
    : undefined;
  if (options.json) process.stdout.write(JSON.stringify(summaryJson(summary, notes, seconds ?? { warmup: 0, sampling: 0 })) + "\n");
  else {
    process.stdout.write(summaryText(summary, seconds));
    process.stderr.write(warningLines(notes));
  }
}

/** Registers `summary` on `program`. */
export function registerSummary(program: Command): void {
  program
    .command("summary")
    .description("summarise CmdStan-layout CSV files (one chain per file): mean, sd, MCSE, quantiles, ESS, R-hat")
    .argument("<files...>", "CSV files, one chain each")
    .option("--json", "print one JSON object instead of the table")
    .action(summaryCommand);
}
