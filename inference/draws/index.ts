/** Draws records and CmdStan-layout CSV files. */
export { SAMPLER_COLUMNS, chainLength } from "./draws.js";
export type { Adaptation, ChainDraws, Draws, Elapsed, InverseMetric, SamplerColumn, SamplerSettings, SamplerStats } from "./draws.js";
export { cmdstanOrder, parseScalarName, toCsvName, toStanName } from "./names.js";
export type { ScalarName } from "./names.js";
export { configLines, formatCsvNumber, writeCmdStanCsv } from "./csv-write.js";
export { CsvFormatError, combineChains, configValue, parseCsvNumber, readCmdStanCsv, settingsFromConfig } from "./csv-read.js";
export type { CmdStanCsv } from "./csv-read.js";
export { loadCmdStanCsv, loadDrawsCsv, saveDrawsCsv, writeFileAtomic } from "./save.js";
export { summarizeDraws, summaryInput } from "./summary.js";
