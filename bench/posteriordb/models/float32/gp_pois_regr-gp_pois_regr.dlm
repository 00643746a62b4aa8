# gp_pois_regr for float32 (tfjs) runs: the translation in ../gp_pois_regr-gp_pois_regr.dlm with
# a jitter of 1e-5·alpha² on K's diagonal instead of posteriordb's 1e-10, which only works in
# float64. bench/posteriordb/posteriors.ts loads this file for the tfjs engine.
#
# With 11 points 2 apart and the posterior's length scales (rho ≈ 4.6–6.8), K's smallest
# eigenvalue is 1e-7 to 1e-10 of its largest, below float32's resolution, so a float32
# Cholesky fails there (NaN, i.e. a divergence) for much of the posterior. A diagonal of
# 1e-5·alpha² keeps the factor finite for every rho and alpha (checked in emulated float32
# for rho in [2, 15]); it adds white noise of sd 0.003·alpha to f, against posterior sds of
# 0.13–0.27. Stan's run of this jittered model against the reference: bench/RESULTS.md.
fn exp_quad_cov(x, alpha, rho, jitter) =
  square(alpha) * (exp(-0.5 * square(reshape(x, length(x), 1) - reshape(x, 1, length(x))) / square(rho)) +
    jitter * eye(length(x)))

model gp_pois_regr(N, x, k) {
  rho ~ Gamma(25, 4)
  alpha ~ HalfNormal(2)
  f_tilde ~ Normal(0, 1, size = N)
  f = cholesky(exp_quad_cov(x, alpha, rho, 1e-5)) @ f_tilde
  k ~ Poisson(log_rate = f)
}
