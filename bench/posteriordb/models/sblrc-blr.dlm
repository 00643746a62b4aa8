# Bayesian linear regression in matrix form with vague priors. posteriordb: sblrc-blr.
model blr(N, D, X, y) {
  beta ~ Normal(0, 10, size = D)
  sigma ~ HalfNormal(10)
  y ~ Normal(X @ beta, sigma)
}
