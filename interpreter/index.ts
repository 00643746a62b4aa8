/**
 * The interpreter's public surface: programs, model instances, the batched PosteriorModel,
 * simulation, scripts and the REPL session.
 */
export { DlmError } from "./errors.js";
export { compile, compileModel, modelInstance, parseChecked, renderError, DlmProgramError } from "./program.js";
export type { CompiledProgram, DataValue } from "./program.js";
export { check } from "./check.js";
export { instantiate, posteriorModel, logDensityOf, outputNamesOf, outputsOf, explainNonFiniteOf, constrainedLatents } from "./instance.js";
export type { ModelInstance } from "./instance.js";
export { priorPredictive, simulate, mixtureMoments, disposeSimulated } from "./simulate.js";
export type { Simulated } from "./simulate.js";
export { minibatchInstance } from "./minibatch.js";
export { runScript, createSession, describeError } from "./script.js";
export type { ScriptOptions, Session } from "./script.js";
export type { Value } from "./value.js";
