# A two-component normal mixture with ordered means, on posteriordb's low_dim_gauss_mix data
# (1,000 draws from a mixture; Stan's reference posterior: mu = (-2.73, 2.87),
# sigma = (1.03, 1.02), theta = 0.62).
#
# A mixture's likelihood does not change when the components swap labels, so the posterior
# has two copies of every mode, and chains that settle in different copies give R-hat far
# above 1. Declaring the means ordered (mu[1] < mu[2]) keeps one copy: component 1 is the one
# on the left. Mixture(...) sums the components' densities, weighted, on the log scale
# (Stan's log_mix), so no discrete component label is sampled.

model gauss_mix(y) {
  mu ~ ordered(Normal(0, 2, size = 2))
  sigma ~ HalfNormal(2, size = 2)
  theta ~ Beta(5, 5)                        # weight of component 1
  y ~ Mixture([theta, 1 - theta], [Normal(mu[1], sigma[1]), Normal(mu[2], sigma[2])])
}

d = read_json("data/gauss_mix.json")
print("observations:", d.N)
post = sample(gauss_mix(d.y), NUTS(), draws = 1000, warmup = 1000, chains = 4, seed = 2)
summary(post)
plot_density(post, "plots/mixture_density.svg")
