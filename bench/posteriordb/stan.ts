/**
 * Stan's own figures for the set (stan_rstan221_results.csv and its extra-seeds companion in
 * the data folder: rstan 2.21.7 on this 2-core machine, 1,000 warm-up + 1,000 draws). Used for
 * the divergence rule (divergences are acceptable only where Stan's runs diverge too) and as
 * speed anchors in the table.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { DATA_DIR } from "./posteriors.js";

/** Stan's figures for one posterior. */
export interface StanAnchor {
  /** Most divergences in any of Stan's runs of the posterior (any seed, 1 or 4 chains). */
  readonly maxDivergences: number;
  /** Min bulk ESS per second of sampling of the seed-4711 one-chain run, if present. */
  readonly essPerSecond1?: number;
  /** The same for the four-chain run, if present. */
  readonly essPerSecond4?: number;
}

function rows(file: string): Record<string, string>[] {
  const path = join(DATA_DIR, file);
  if (!existsSync(path)) return [];
  return parseCsv(readFileSync(path, "utf8"), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** Stan's figures by posterior name. */
export function stanAnchors(): Map<string, StanAnchor> {
  const main = rows("stan_rstan221_results.csv");
  const all = [...main, ...rows("stan_rstan221_results_seeds.csv")];
  const out = new Map<string, StanAnchor>();
  for (const name of new Set(all.map((r) => r["posterior"]!))) {
    const mine = all.filter((r) => r["posterior"] === name);
    const essPs = (config: string): number | undefined => {
      const r = main.find((x) => x["posterior"] === name && x["config"] === config);
      const v = r === undefined ? NaN : Number(r["ess_per_s_sampling"]);
      return Number.isFinite(v) ? v : undefined;
    };
    const e1 = essPs("1chain");
    const e4 = essPs("4chains");
    out.set(name, {
      maxDivergences: Math.max(0, ...mine.map((r) => Number(r["divergences"]) || 0)),
      ...(e1 !== undefined ? { essPerSecond1: e1 } : {}),
      ...(e4 !== undefined ? { essPerSecond4: e4 } : {}),
    });
  }
  return out;
}
