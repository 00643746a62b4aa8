/**
 * The posterior summary: one row per scalar (mean, sd, MCSE of the mean, 5/50/95% quantiles,
 * bulk- and tail-ESS, R̂) and, when the sampler statistics are given, the sampler-level facts
 * (divergences, tree-depth saturation, E-BFMI per chain). Columns as in R posterior's
 * `summarise_draws` default and CmdStan's `stansummary`.
 */
import { type Chains, drawsPerChain, mean, pooled, quantileSorted, variance } from "./chains.js";
import { ebfmi } from "./ebfmi.js";
import { essBulk, essTail } from "./ess.js";
import { mcseMean } from "./mcse.js";
import { rhat } from "./rhat.js";

/**
 * Input draws, column-major per chain: `chains[m][j][n]` is draw n of scalar `names[j]` in chain
 * m (a `Draws` chain's `values` has exactly this shape). `sampler[m]` holds chain m's sampler
 * statistics by CmdStan column name (`lp__`, `treedepth__`, `divergent__`, `energy__`, …).
 */
export interface SummaryInput {
  readonly names: readonly string[];
  readonly chains: readonly (readonly ArrayLike<number>[])[];
  readonly sampler?: readonly Readonly<Partial<Record<string, ArrayLike<number>>>>[];
}

export interface SummaryOptions {
  /** The sampler's maximum tree depth; tree-depth saturation is counted only when given. */
  readonly maxDepth?: number;
  /** Put a row for `lp__` first when the sampler statistics have it (default true, as CmdStan). */
  readonly includeLp?: boolean;
}

/** One scalar's summary. NaN where a diagnostic is undefined (constant or non-finite draws). */
export interface SummaryRow {
  readonly name: string;
  readonly mean: number;
  readonly sd: number;
  /** MCSE of the mean. */
  readonly mcse: number;
  readonly q5: number;
  readonly q50: number;
  readonly q95: number;
  readonly ess_bulk: number;
  readonly ess_tail: number;
  readonly rhat: number;
}

/** Facts about the sampler's behaviour over the kept (post-warm-up) draws. */
export interface SamplerFacts {
  /** Transitions flagged `divergent__ = 1`, in total and per chain. */
  readonly divergences: number;
  readonly divergencesPerChain: readonly number[];
  /** Transitions with `treedepth__ ≥ maxDepth` (undefined without `maxDepth` or the column). */
  readonly treedepthSaturated?: number;
  readonly maxDepth?: number;
  /** E-BFMI of each chain (empty without `energy__`). */
  readonly ebfmi: readonly number[];
}

export interface Summary {
  readonly rows: readonly SummaryRow[];
  readonly chains: number;
  readonly drawsPerChain: number;
  readonly sampler?: SamplerFacts;
}

/** Summary row of one scalar's chains. */
export function summarizeScalar(name: string, chains: Chains): SummaryRow {
  const all = pooled(chains);
  const sorted = Float64Array.from(all).sort();
  return {
    name,
    mean: mean(all),
    sd: Math.sqrt(variance(all)),
    mcse: mcseMean(chains),
    q5: quantileSorted(sorted, 0.05),
    q50: quantileSorted(sorted, 0.5),
    q95: quantileSorted(sorted, 0.95),
    ess_bulk: essBulk(chains),
    ess_tail: essTail(chains),
    rhat: rhat(chains),
  };
}

/** Summarise every scalar of `input` (see `SummaryInput` for the layout). */
export function summarize(input: SummaryInput, options: SummaryOptions = {}): Summary {
  const m = input.chains.length;
  input.chains.forEach((c, k) => {
    if (c.length !== input.names.length) throw new RangeError(`chain ${k} has ${c.length} columns for ${input.names.length} names`);
  });
  const column = (j: number): Chains => input.chains.map((c) => c[j]!);
  const rows: SummaryRow[] = [];
  const stats = input.sampler;
  const statColumn = (key: string): Chains | undefined => {
    if (!stats || stats.length !== m || m === 0) return undefined;
    const cols = stats.map((s) => s[key]);
    return cols.every((c) => c !== undefined) ? (cols as Chains) : undefined;
  };
  const lp = statColumn("lp__");
  if ((options.includeLp ?? true) && lp) rows.push(summarizeScalar("lp__", lp));
  input.names.forEach((name, j) => rows.push(summarizeScalar(name, column(j))));
  const n = m === 0 ? 0 : input.names.length > 0 ? drawsPerChain(column(0)) : (lp ? drawsPerChain(lp) : 0);
  const sampler = samplerFacts(statColumn("divergent__"), statColumn("treedepth__"), statColumn("energy__"), options.maxDepth);
  return { rows, chains: m, drawsPerChain: n, ...(sampler ? { sampler } : {}) };
}

function samplerFacts(divergent: Chains | undefined, treedepth: Chains | undefined, energy: Chains | undefined, maxDepth: number | undefined): SamplerFacts | undefined {
  if (!divergent && !treedepth && !energy) return undefined;
  const count = (c: ArrayLike<number>, pred: (x: number) => boolean): number => {
    let k = 0;
    for (let i = 0; i < c.length; i++) if (pred(c[i]!)) k++;
    return k;
  };
  const perChain = divergent ? divergent.map((c) => count(c, (x) => x !== 0)) : [];
  const saturated =
    treedepth && maxDepth !== undefined ? treedepth.reduce((s, c) => s + count(c, (x) => x >= maxDepth), 0) : undefined;
  return {
    divergences: perChain.reduce((a, b) => a + b, 0),
    divergencesPerChain: perChain,
    ...(saturated !== undefined ? { treedepthSaturated: saturated, maxDepth: maxDepth! } : {}),
    ebfmi: energy ? energy.map((e) => ebfmi(e)) : [],
  };
}
