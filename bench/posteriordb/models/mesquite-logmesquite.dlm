# Log weight of mesquite bushes on log dimensions, density and group (Gelman & Hill, ch. 4).
# posteriordb: mesquite-logmesquite. No priors (flat beta, flat positive sigma).
# "log(weight) ~ Normal(m, s)" is written "weight ~ LogNormal(m, s)": the two differ only by
# the data constant -sum(log(weight)).
model logmesquite(N, weight, diam1, diam2, canopy_height, total_height, density, group) {
  beta ~ Flat(size = 7)
  sigma ~ FlatPos()
  weight ~ LogNormal(beta[1] + beta[2] * log(diam1) + beta[3] * log(diam2) + beta[4] * log(canopy_height) +
                     beta[5] * log(total_height) + beta[6] * log(density) + beta[7] * group, sigma)
}
