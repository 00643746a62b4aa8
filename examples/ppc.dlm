# Prior and posterior predictive checks, on the mixture data of mixture.dlm.
#
# A prior predictive check simulates data sets from the priors alone and asks whether they
# look like data we could have seen: here, whether the spread of y is on the right scale.
# A posterior predictive check simulates replicated data sets from the fitted model (one per
# posterior draw) and compares a statistic T of them with T of the real data. The p-value
# P(T(y_rep) >= T(y)) should not be close to 0 or 1; when it is, the model does not
# reproduce that feature of the data. T should be a feature the model was not fitted to
# match exactly. We fit a single normal and the two-component mixture and check both with
#   T1 = sd(y): the overall spread, which a single normal also captures;
#   T2 = fraction of y in (-1, 1): the trough between the two groups, which it cannot.

model one_normal(y; N = 1000) {
  mu ~ Normal(0, 2)
  sigma ~ HalfNormal(2)
  y ~ Normal(mu, sigma, size = N)
}

model gauss_mix(y; N = 1000) {
  mu ~ ordered(Normal(0, 2, size = 2))
  sigma ~ HalfNormal(2, size = 2)
  theta ~ Beta(5, 5)
  y ~ Mixture([theta, 1 - theta], [Normal(mu[1], sigma[1]), Normal(mu[2], sigma[2])], size = N)
}

fn trough(y) = mean(abs(y) < 1, dims = 2)        # T2 of each row of a [draws, N] array

d = read_json("data/gauss_mix.json")
y = d.y
t_obs = mean(abs(y) < 1)
print("observed: sd(y) =", sd(y), " fraction in (-1, 1) =", t_obs)

# Prior predictive: 500 data sets from the mixture's priors. The middle 90% of their sds
# should cover the observed sd without reaching absurd values.
prior = prior_predictive(gauss_mix(missing, N = d.N), draws = 500, seed = 1)
prior_sd = sd(prior.y, dims = 2)
print("prior predictive sd(y), 5% 50% 95%:", quantile(prior_sd, 0.05), quantile(prior_sd, 0.5), quantile(prior_sd, 0.95))

# Posterior predictive checks: one replicated data set per posterior draw.
p1 = sample(one_normal(y, N = d.N), NUTS(), draws = 500, warmup = 500, chains = 4, seed = 1)
summary(p1)
r1 = predict(p1, one_normal(missing, N = d.N), seed = 2).y.draws
p2 = sample(gauss_mix(y, N = d.N), NUTS(), draws = 500, warmup = 500, chains = 4, seed = 2)
summary(p2)
r2 = predict(p2, gauss_mix(missing, N = d.N), seed = 2).y.draws

print("one normal:  p(sd) =", mean(sd(r1, dims = 2) >= sd(y)), " p(trough) =", mean(trough(r1) >= t_obs))
print("mixture:     p(sd) =", mean(sd(r2, dims = 2) >= sd(y)), " p(trough) =", mean(trough(r2) >= t_obs))
# The single normal puts about a quarter of its replicated data in (-1, 1), several times the
# observed fraction, so p(trough) is 1: it fits the spread but not the shape. The mixture
# passes both checks.
