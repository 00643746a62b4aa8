# Eight schools (Rubin 1981), centred parameterisation: a funnel that makes NUTS diverge.
# posteriordb: eight_schools-eight_schools_centered.
model eight_schools_centered(J, y, sigma) {
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(5)
  theta ~ Normal(mu, tau, size = J)
  y ~ Normal(theta, sigma)
}
