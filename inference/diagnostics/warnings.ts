/**
 * Plain-sentence warnings from a `Summary`, with the thresholds of docs inference.md 6.7:
 * divergences after warm-up (any), tree-depth saturation (any), E-BFMI < 0.3 per chain,
 * R̂ ≥ 1.01, bulk- or tail-ESS below 100 per chain (Vehtari et al. 2021; CmdStan `diagnose`).
 */
import type { Summary, SummaryRow } from "./summary.js";

export interface WarningOptions {
  /** R̂ at or above this warns (default 1.01). */
  readonly rhatThreshold?: number;
  /** ESS below this many per chain warns (default 100). */
  readonly essPerChain?: number;
  /** E-BFMI below this warns (default 0.3). */
  readonly ebfmiThreshold?: number;
  /** At most this many parameter names per sentence (default 10). */
  readonly maxListed?: number;
}

function listNames(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

function pct(k: number, n: number): string {
  return `${((100 * k) / n).toFixed(1)}%`;
}

function plural(k: number, one: string, many: string): string {
  return `${k} ${k === 1 ? one : many}`;
}

/** The warnings for `summary`, one sentence each; empty when nothing is wrong. */
export function warnings(summary: Summary, options: WarningOptions = {}): string[] {
  const rhatMax = options.rhatThreshold ?? 1.01;
  const essPerChain = options.essPerChain ?? 100;
  const essMin = essPerChain * summary.chains;
  const bfmiMin = options.ebfmiThreshold ?? 0.3;
  const max = options.maxListed ?? 10;
  const total = summary.chains * summary.drawsPerChain;
  const out: string[] = [];
  const s = summary.sampler;
  if (s) {
    if (s.divergences > 0) {
      const which = s.divergencesPerChain.map((k, m) => (k > 0 ? `chain ${m + 1}: ${k}` : "")).filter((x) => x !== "");
      out.push(
        `${plural(s.divergences, "transition", "transitions")} of ${total} after warm-up ended with a divergence (${pct(s.divergences, total)}; ${which.join(", ")}). ` +
          "The draws may be biased; increase adapt_delta or reparameterise the model.",
      );
    }
    if (s.treedepthSaturated !== undefined && s.treedepthSaturated > 0) {
      out.push(
        `${plural(s.treedepthSaturated, "transition", "transitions")} of ${total} (${pct(s.treedepthSaturated, total)}) hit the maximum tree depth of ${s.maxDepth}. ` +
          "This is an efficiency problem: increase max_depth or reparameterise the model.",
      );
    }
    const low = s.ebfmi.map((e, m) => ({ e, m })).filter(({ e }) => e < bfmiMin);
    if (low.length > 0) {
      out.push(
        `E-BFMI below ${bfmiMin} in ${plural(low.length, "chain", "chains")} (${low.map(({ e, m }) => `chain ${m + 1}: ${e.toFixed(2)}`).join(", ")}). ` +
          "The sampler explores the energy distribution poorly; reparameterise the model.",
      );
    }
  }
  const bad = (pred: (r: SummaryRow) => boolean): SummaryRow[] => summary.rows.filter(pred);
  const highRhat = bad((r) => r.rhat >= rhatMax);
  if (highRhat.length > 0) {
    out.push(
      `R-hat is ${rhatMax} or more for ${plural(highRhat.length, "parameter", "parameters")}: ` +
        `${listNames(highRhat.map((r) => `${r.name} (${r.rhat.toFixed(3)})`), max)}. The chains have not mixed; run longer chains or reparameterise.`,
    );
  }
  for (const [label, key] of [["Bulk-ESS", "ess_bulk"], ["Tail-ESS", "ess_tail"]] as const) {
    const lowEss = bad((r) => r[key] < essMin);
    if (lowEss.length > 0) {
      out.push(
        `${label} is below ${essMin} (${essPerChain} per chain) for ${plural(lowEss.length, "parameter", "parameters")}: ` +
          `${listNames(lowEss.map((r) => `${r.name} (${Math.round(r[key])})`), max)}. ` +
          (key === "ess_bulk" ? "Posterior means and medians may be unreliable; run longer chains." : "Posterior intervals may be unreliable; run longer chains."),
      );
    }
  }
  return out;
}
