# Log price of diamonds on 24 strongly correlated predictors (a brms-generated model).
# posteriordb: diamonds-diamonds. The predictors are centred; Intercept is the intercept
# of the centred regression.
model diamonds(N, Y, K, X, prior_only) {
  Xc = X[:, 2:K] - mean(X[:, 2:K], dims = 1)
  b ~ Normal(0, 1, size = K - 1)
  Intercept ~ StudentT(3, 8, 10)
  sigma ~ HalfStudentT(3, 10)
  if prior_only == 0 {
    Y ~ Normal(Intercept + Xc @ b, sigma)
  }
}
