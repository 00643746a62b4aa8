// The public API of the package (re-exports only).
export * from "./core/index.js";
export { parse, renderDiagnostic, renderDiagnostics } from "./grammar/index.js";
export type { Diagnostic, Program } from "./grammar/index.js";
export {
  DlmError, DlmProgramError, compile, compileModel, modelInstance, posteriorModel, priorPredictive, simulate,
  minibatchInstance, runScript, createSession,
} from "./interpreter/index.js";
export type { CompiledProgram, DataValue, ModelInstance, ScriptOptions, Session, Simulated } from "./interpreter/index.js";
export { sample } from "./inference/mcmc/index.js";
export type { SampleOptions, SampleResult } from "./inference/mcmc/index.js";
export { summarize, formatSummaryTable } from "./inference/diagnostics/index.js";
