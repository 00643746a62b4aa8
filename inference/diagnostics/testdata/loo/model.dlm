# Linear regression for the loo reference (R's loo package computes the same log-likelihoods with dnorm).
model reg(x, y) {
  a ~ Normal(0, 10)
  b ~ Normal(0, 10)
  s ~ HalfNormal(5)
  y ~ Normal(a + b * x, s)
}
