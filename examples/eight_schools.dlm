# Eight schools (Rubin 1981), non-centered parameterisation, on Stan-style JSON data.

model schools(J, y, sigma) {
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(5)
  theta_tilde ~ Normal(0, 1, size = J)
  theta = mu + tau * theta_tilde        # recorded per draw, like Stan's transformed parameters
  y ~ Normal(theta, sigma)
}

d = read_json("data/eight_schools.json")
post = sample(schools(d.J, d.y, d.sigma), NUTS(target_accept = 0.9), draws = 500, warmup = 500, chains = 4, seed = 2)
summary(post)
