/** The distributions package: factories, bijectors, constraints and the interpreter's registry. */
export type { Distribution, Shape } from "./distribution.js";
export { DistributionError } from "./distribution.js";
export * from "./constraints.js";
// The `ordered` constraint is shadowed by the ordered(D) factory below; reach it by this name.
export { ordered as orderedSupport } from "./constraints.js";
export { bijectorFor } from "./bijectors.js";
export type { Bijector } from "./bijectors.js";
export type { DistributionOptions, Param } from "./util.js";
export { broadcastShapes, sumPerChain } from "./util.js";
export { DISTRIBUTIONS } from "./registry.js";
export type { BoundArgs, DistArg, DistributionArgs, DistributionSpec, KeywordAlternative } from "./registry.js";
export { normal, halfNormal, logNormal } from "./normal.js";
export { studentT, halfStudentT } from "./student-t.js";
export { cauchy, halfCauchy } from "./cauchy.js";
export { laplace, logistic } from "./laplace.js";
export { exponential, weibull } from "./exponential.js";
export { gamma, inverseGamma, beta } from "./gamma.js";
export { uniform } from "./uniform.js";
export { bernoulli, bernoulliLogit, binomial, binomialLogit } from "./bernoulli.js";
export { poisson, poissonLogRate, negativeBinomial } from "./poisson.js";
export { categorical, categoricalLogits } from "./categorical.js";
export { dirichlet } from "./dirichlet.js";
export { mvNormal, mvNormalCholesky } from "./mv-normal.js";
export { lkjCholesky } from "./lkj-cholesky.js";
export { mixture } from "./mixture.js";
export { flat, flatPos } from "./flat.js";
export { truncated } from "./truncated.js";
export { ordered } from "./ordered.js";
