/** MCMC convergence diagnostics and summaries (docs inference.md section 6). */
export type { Chains } from "./chains.js";
export { averageRanks, drawsPerChain, isDegenerate, quantile, rankNormalize, splitChains } from "./chains.js";
export { autocovariance, fft } from "./autocovariance.js";
export { essBulk, essMean, essOfChains, essQuantile, essTail } from "./ess.js";
export { rhat, rhatBasic, rhatBulk, rhatTail } from "./rhat.js";
export { mcseMean, mcseQuantile, mcseSd } from "./mcse.js";
export type { McseSdVariant } from "./mcse.js";
export { ebfmi, ebfmiPerChain } from "./ebfmi.js";
export { summarize, summarizeScalar } from "./summary.js";
export type { SamplerFacts, Summary, SummaryInput, SummaryOptions, SummaryRow } from "./summary.js";
export { warnings } from "./warnings.js";
export type { WarningOptions } from "./warnings.js";
export { formatSignificant, formatSummaryTable } from "./format.js";
export type { FormatOptions } from "./format.js";
