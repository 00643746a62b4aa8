# Eight schools (Rubin 1981), non-centred: theta = mu + tau * theta_trans.
# posteriordb: eight_schools-eight_schools_noncentered.
model eight_schools_noncentered(J, y, sigma) {
  theta_trans ~ Normal(0, 1, size = J)
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(5)
  theta = theta_trans * tau + mu
  y ~ Normal(theta, sigma)
}
