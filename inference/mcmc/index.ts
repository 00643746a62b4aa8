/**
 * MCMC: static HMC and Stan's NUTS for many chains in lockstep (one batched model gradient per
 * leapfrog, the sampler's own arithmetic on the host in float64), with Stan's warm-up.
 */
export { sample } from "./sample.js";
export { runChains } from "./run.js";
export type { GradientSource } from "./run.js";
export type { SampleOptions, SampleResult, ProgressInfo, HmcSettings } from "./run.js";
export { nuts, hmc } from "./kernel.js";
export type { Kernel, KernelState, StepInfo } from "./kernel.js";
export { nutsTransition, nutsWorkspace } from "./nuts.js";
export type { NutsOptions, NutsTransition } from "./nuts.js";
export { hmcTransition, hmcSteps } from "./hmc.js";
export type { HmcOptions, HmcLength } from "./hmc.js";
export { leapfrog, integrator } from "./integrator.js";
export { evaluate } from "./gradient.js";
export { float64Gradient } from "./float64-gradient.js";
export type { RowValueAndGrad } from "./float64-gradient.js";
export type { PhasePoint, Integrator } from "./integrator.js";
export { hostGradient } from "./gradient.js";
export type { HostGradient } from "./gradient.js";
export { diagMetric, denseMetric, unitMetric, velocity, kinetic, drawMomentum } from "./metric.js";
export type { Metric, MetricKind } from "./metric.js";
export { initStepSize, StepSizeError } from "./stepsize.js";
export { initialState, InitializationError, MAX_INIT_TRIES } from "./init.js";
export type { InitOptions } from "./init.js";
export {
  DUAL_AVERAGING_DEFAULTS,
  WINDOW_DEFAULTS,
  dualAveragingInit,
  dualAveragingLearn,
  dualAveragingFinal,
  windowInit,
  windowStep,
  windowSchedule,
  inSlowWindow,
  welfordInit,
  welfordAdd,
  welfordVariance,
  regularisedMetric,
  MetricAdaptationError,
} from "./adaptation.js";
export type { DualAveraging, DualAveragingOptions, WindowOptions, WindowState, Welford } from "./adaptation.js";
export { STAT_COLUMNS } from "./state.js";
export type { ChainState, TransitionStats, TransitionResult, StatColumn } from "./state.js";
export { cholesky, NotPositiveDefiniteError } from "./linalg.js";
