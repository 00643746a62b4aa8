# Log earnings on height, sex and their interaction (Gelman & Hill, ch. 4).
# posteriordb: earnings-logearn_interaction. No priors in the original: flat on beta,
# flat on the positive reals for sigma. "log(earn) ~ Normal(m, s)" is written as
# "earn ~ LogNormal(m, s)", which differs only by the data constant -sum(log(earn)).
model logearn_interaction(N, earn, height, male) {
  beta ~ Flat(size = 4)
  sigma ~ FlatPos()
  earn ~ LogNormal(beta[1] + beta[2] * height + beta[3] * male + beta[4] * height * male, sigma)
}
