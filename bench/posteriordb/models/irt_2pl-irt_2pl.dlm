# Two-parameter logistic item-response model: P(y[i, j] = 1) = logistic(a[i] * (theta[j] - b[i]))
# for item i and person j, with hierarchical priors. posteriordb: irt_2pl-irt_2pl.
model irt_2pl(I, J, y) {
  sigma_theta ~ HalfCauchy(2)
  theta ~ Normal(0, sigma_theta, size = J)
  sigma_a ~ HalfCauchy(2)
  a ~ LogNormal(0, sigma_a, size = I)
  mu_b ~ Normal(0, 5)
  sigma_b ~ HalfCauchy(2)
  b ~ Normal(mu_b, sigma_b, size = I)
  # items are rows, persons columns: [I, J]
  y ~ Bernoulli(logit = reshape(a, I, 1) * (reshape(theta, 1, J) - reshape(b, I, 1)))
}
