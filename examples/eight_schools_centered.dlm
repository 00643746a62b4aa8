# Eight schools (Rubin 1981) twice: centred, where NUTS reports divergent transitions, and
# non-centred, the same model written so that the sampler has no trouble.
#
# Both say theta[j] ~ Normal(mu, tau). The centred form makes theta the latent. When tau is
# small the thetas must all lie within a few tau of mu, and when tau is large they may spread:
# in (log tau, theta) the posterior is a funnel, wide at the top and very narrow at the neck.
# One step size cannot fit both ends. A step that suits the wide part is far too large in the
# neck, the simulated trajectory's energy blows up there, and NUTS stops it and records a
# *divergent transition*. Divergences are not a cosmetic warning: they mean the sampler could
# not enter the neck, so small values of tau are under-represented and the estimates of tau
# (and of the amount of pooling) are biased upwards. Raising target_accept shrinks the step
# size and the number of divergences, but usually does not remove them.
#
# The non-centred form samples theta_tilde ~ Normal(0, 1) and computes
# theta = mu + tau * theta_tilde. The prior on theta is the same, but the sampler now moves
# in (mu, tau, theta_tilde), which is close to independent standard normals a priori, and
# the funnel is gone. (With very informative data the centred form is the better one.)
#
# Expected: warnings for the centred fit on stderr (with these settings 157 of 4,000
# transitions divergent, E-BFMI below 0.3, R-hat 1.13 and a bulk ESS of 23 for tau), none for
# the non-centred fit, whose tau has R-hat 1.00 and an ESS in the thousands; the pair plot
# shows the centred fit's divergent transitions in red, bunched at small tau.
#
# warnings expected: the centred fit's divergent transitions are the point of this example.

model centred(J, y, sigma) {
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(5)
  theta ~ Normal(mu, tau, size = J)
  log_tau = log(tau)
  y ~ Normal(theta, sigma)
}

model noncentred(J, y, sigma) {
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(5)
  theta_tilde ~ Normal(0, 1, size = J)
  theta = mu + tau * theta_tilde
  log_tau = log(tau)
  y ~ Normal(theta, sigma)
}

d = read_json("data/eight_schools.json")

print("centred:")
pc = sample(centred(d.J, d.y, d.sigma), NUTS(target_accept = 0.9), draws = 1000, warmup = 1000, chains = 4, seed = 2)
summary(pc)
plot_pairs(pc, "plots/eight_schools_centred_pairs.svg", vars = ["mu", "log_tau", "theta[1]"])

print("non-centred:")
pn = sample(noncentred(d.J, d.y, d.sigma), NUTS(target_accept = 0.9), draws = 1000, warmup = 1000, chains = 4, seed = 2)
summary(pn)
plot_pairs(pn, "plots/eight_schools_noncentred_pairs.svg", vars = ["mu", "log_tau", "theta[1]"])
