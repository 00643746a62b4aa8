# Poisson regression with a latent Gaussian process (squared-exponential kernel), non-centred:
# f = cholesky(K) @ f_tilde with f_tilde ~ N(0, I). posteriordb: gp_pois_regr-gp_pois_regr.

# squared-exponential covariance of the points x, plus a 1e-10 jitter on the diagonal
fn exp_quad_cov(x, alpha, rho) =
  square(alpha) * exp(-0.5 * square(reshape(x, length(x), 1) - reshape(x, 1, length(x))) / square(rho)) +
    1e-10 * eye(length(x))

model gp_pois_regr(N, x, k) {
  rho ~ Gamma(25, 4)
  alpha ~ HalfNormal(2)
  f_tilde ~ Normal(0, 1, size = N)
  f = cholesky(exp_quad_cov(x, alpha, rho)) @ f_tilde
  k ~ Poisson(log_rate = f)
}
