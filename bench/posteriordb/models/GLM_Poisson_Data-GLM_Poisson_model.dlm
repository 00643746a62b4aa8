# Peregrine population counts: Poisson regression on a cubic trend in (scaled) year.
# posteriordb: GLM_Poisson_Data-GLM_Poisson_model. The coefficients have bounds but no prior
# statement, so their priors are uniform over the bounds.
model GLM_Poisson_model(n, C, year) {
  alpha ~ Uniform(-20, 20)
  beta1 ~ Uniform(-10, 10)
  beta2 ~ Uniform(-10, 10)
  beta3 ~ Uniform(-10, 10)
  log_lambda = alpha + beta1 * year + beta2 * year^2 + beta3 * year^3
  C ~ Poisson(log_rate = log_lambda)
  lambda = exp(log_lambda)
}
