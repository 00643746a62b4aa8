/** Summaries of a `Draws` record (the diagnostics take the draws column-major per chain). */
import { type Summary, type SummaryInput, type SummaryOptions, summarize } from "../diagnostics/summary.js";
import type { Draws } from "./draws.js";

/** The `SummaryInput` view of `draws` (no copies). */
export function summaryInput(draws: Draws): SummaryInput {
  return { names: draws.names, chains: draws.chains.map((c) => c.values), sampler: draws.chains.map((c) => c.stats) };
}

/** `summarize` on a `Draws` record; the maximum tree depth comes from its settings. */
export function summarizeDraws(draws: Draws, options: SummaryOptions = {}): Summary {
  return summarize(summaryInput(draws), { maxDepth: draws.settings.maxDepth, ...options });
}
