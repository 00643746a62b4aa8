/**
 * Special functions on tensors for log densities (inference.md §8), in float32, elementwise
 * over any shape (binary functions broadcast), differentiable, accepting `tf.Tensor | number`
 * and returning a tensor the caller owns.
 *
 * - gamma family: `lgamma`, `digamma`, `trigamma`, `lbeta` (special-gamma.ts)
 * - logs and exponentials: `log1p`, `expm1`, `log1m`, `xlogy`, `softplus`,
 *   `logSigmoid`, `log1mExp`, `logAddExp`, `logDiffExp`, `logSumExp` (special-log.ts)
 * - error function and normal: `erf`, `erfc`, `normalCdf`, `normalLogCdf`, `normalLogSf`,
 *   `probit` (special-normal.ts)
 *
 * Float64 versions on JS numbers live in special-host.ts.
 */
export { lgamma, digamma, trigamma, lbeta } from "./special-gamma.js";
export {
  log1p,
  expm1,
  log1m,
  xlogy,
  softplus,
  logSigmoid,
  log1mExp,
  logAddExp,
  logDiffExp,
  logSumExp,
} from "./special-log.js";
export { erf, erfc, normalCdf, normalLogCdf, normalLogSf, probit } from "./special-normal.js";
export type { Arg } from "./special-util.js";
