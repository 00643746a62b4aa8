/**
 * What `dlm sample` and `dlm summary` print: the summary table (stansummary-like) on stdout and
 * the warnings, one `warning: ...` line each, on stderr; or one JSON object on stdout:
 *
 *   {"parameters": {"beta[1]": {"mean", "sd", "mcse", "q5", "q50", "q95", "ess_bulk", "ess_tail", "rhat"}, ...},
 *    "divergences": n, "warnings": [...], "seconds": {"warmup": s, "sampling": s}, "chains": n, "draws": n}
 *
 * `draws` is the number of draws per chain; `parameters` leaves out `lp__` (the table shows
 * it first, as stansummary does); undefined diagnostics (constant draws) are `null`.
 */
import type { Summary } from "../inference/diagnostics/index.js";
import { formatSummaryTable } from "../inference/diagnostics/index.js";

export interface Seconds {
  readonly warmup: number;
  readonly sampling: number;
}

const KEYS = ["mean", "sd", "mcse", "q5", "q50", "q95", "ess_bulk", "ess_tail", "rhat"] as const;

/** The JSON summary object (numbers that are not finite become null). */
/** Where the gradients and the chains ran (`dlm sample`): the engine and the number of threads. */
export interface RunPlace {
  readonly engine: "host" | "tfjs";
  readonly threads: number;
}

const placeText = (p: RunPlace): string => `${p.engine === "host" ? "host engine" : "tfjs"}${p.threads > 1 ? `, ${p.threads} threads` : ""}`;

export function summaryJson(summary: Summary, warnings: readonly string[], seconds: Seconds, place?: RunPlace): Record<string, unknown> {
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  const parameters: Record<string, Record<string, number | null>> = {};
  for (const r of summary.rows) {
    if (r.name === "lp__") continue;
    parameters[r.name] = Object.fromEntries(KEYS.map((k) => [k, finite(r[k])]));
  }
  return {
    parameters,
    divergences: summary.sampler?.divergences ?? 0,
    warnings: [...warnings],
    seconds: { warmup: seconds.warmup, sampling: seconds.sampling },
    chains: summary.chains,
    draws: summary.drawsPerChain,
    ...(place !== undefined ? { engine: place.engine, threads: place.threads } : {}),
  };
}

/** The text report: a line of facts, then the table. */
export function summaryText(summary: Summary, seconds: Seconds | undefined, place?: RunPlace): string {
  const divergences = summary.sampler?.divergences ?? 0;
  const time = seconds ? `; ${seconds.warmup.toFixed(1)} s warm-up, ${seconds.sampling.toFixed(1)} s sampling${place !== undefined ? ` (${placeText(place)})` : ""}` : "";
  const head = `${summary.chains} chain${summary.chains === 1 ? "" : "s"} × ${summary.drawsPerChain} draws; ${divergences} divergent transition${divergences === 1 ? "" : "s"}${time}`;
  return [head, "", formatSummaryTable(summary.rows)].join("\n") + "\n";
}

/** The warnings of a summary, one `warning: ...` line each (for stderr); empty when there are none. */
export function warningLines(warnings: readonly string[]): string {
  return warnings.map((w) => `warning: ${w}\n`).join("");
}
