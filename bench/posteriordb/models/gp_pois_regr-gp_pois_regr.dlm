# Poisson regression with a latent Gaussian process (squared-exponential kernel), non-centred:
# f = cholesky(K) @ f_tilde with f_tilde ~ N(0, I). posteriordb: gp_pois_regr-gp_pois_regr.
#
# Jitter: posteriordb's, 1e-10 added to K's diagonal (gp_exp_quad_cov(x, alpha, rho) +
# diag_matrix(rep_vector(1e-10, N)) in posterior_database/models/stan/gp_pois_regr.stan).
# It needs float64: with 11 points 2 apart and the posterior's length scales (rho ≈ 4.6–6.8),
# K's smallest eigenvalue is 1e-7 to 1e-10 of its largest, below float32's resolution, so a
# float32 Cholesky fails there (NaN) for much of the posterior. The host engine (float64; what
# the default engine, auto, picks for this model) runs this file and gives the draws' f in
# float64 too (interpreter/record-outputs.ts); a tfjs run (--engine tfjs, float32) takes
# models/float32/ instead, whose jitter of 1e-5·alpha² keeps the factor finite in float32.
# Checks of both against the reference: bench/RESULTS.md.
fn exp_quad_cov(x, alpha, rho) =
  square(alpha) * exp(-0.5 * square(reshape(x, length(x), 1) - reshape(x, 1, length(x))) / square(rho))

model gp_pois_regr(N, x, k) {
  rho ~ Gamma(25, 4)
  alpha ~ HalfNormal(2)
  f_tilde ~ Normal(0, 1, size = N)
  f = cholesky(exp_quad_cov(x, alpha, rho) + 1e-10 * eye(N)) @ f_tilde
  k ~ Poisson(log_rate = f)
}
