/**
 * The `Draws` record: what an MCMC run produced, per chain, in the shape the CmdStan CSV layout
 * needs (docs inference.md section 2.4 for the sampler columns).
 */

/** Sampler statistic columns, in the order CmdStan writes them for NUTS. */
export const SAMPLER_COLUMNS = ["lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"] as const;

export type SamplerColumn = (typeof SAMPLER_COLUMNS)[number];

/** Sampler statistics of one chain: column name → one value per draw. */
export type SamplerStats = Readonly<Partial<Record<SamplerColumn, Float64Array>>>;

/** The inverse metric (inverse mass matrix) adaptation ended with. */
export type InverseMetric =
  | { readonly kind: "diag"; readonly diagonal: readonly number[] }
  | { readonly kind: "dense"; readonly matrix: readonly (readonly number[])[] };

/** Adaptation result of one chain. */
export interface Adaptation {
  readonly stepSize: number;
  readonly inverseMetric?: InverseMetric;
}

/** Wall-clock seconds of one chain. */
export interface Elapsed {
  readonly warmup: number;
  readonly sampling: number;
}

/** The draws of one chain. */
export interface ChainDraws {
  /** `values[j][n]`: draw n of scalar `names[j]` (one Float64Array per scalar). */
  readonly values: readonly Float64Array[];
  readonly stats: SamplerStats;
  readonly adaptation?: Adaptation;
  readonly elapsed?: Elapsed;
}

/** Run settings, written into the CSV comment header in CmdStan's layout. */
export interface SamplerSettings {
  readonly model: string;
  readonly numSamples: number;
  readonly numWarmup: number;
  readonly thin?: number;
  readonly saveWarmup?: boolean;
  readonly adaptEngaged?: boolean;
  readonly adaptDelta: number;
  readonly adaptGamma?: number;
  readonly adaptKappa?: number;
  readonly adaptT0?: number;
  readonly initBuffer?: number;
  readonly termBuffer?: number;
  readonly window?: number;
  readonly maxDepth: number;
  readonly metric: "unit_e" | "diag_e" | "dense_e";
  readonly stepSize?: number;
  readonly stepSizeJitter?: number;
  readonly numChains?: number;
  readonly seed: number;
  readonly dataFile?: string;
  readonly init?: string;
  readonly outputFile?: string;
  /** Written as given (an ISO-like "YYYY-MM-DD hh:mm:ss UTC"); omitted when absent. */
  readonly startDatetime?: string;
  /** Further `key = value` lines for the header (our own settings). */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * All draws of a run. Names are Stan style and 1-based (`beta[1]`, `Sigma[2,1]`), in any order;
 * every chain has the same number of draws for every scalar and statistic.
 */
export interface Draws {
  readonly names: readonly string[];
  readonly chains: readonly ChainDraws[];
  readonly settings: SamplerSettings;
}

/** Number of draws in a chain (the length of its first column). */
export function chainLength(chain: ChainDraws): number {
  const first = chain.values[0] ?? Object.values(chain.stats).find((c) => c !== undefined);
  return first?.length ?? 0;
}
