# Two-component normal mixture in one dimension; the ordered means label the components.
# posteriordb: low_dim_gauss_mix-low_dim_gauss_mix.
model low_dim_gauss_mix(N, y) {
  mu ~ ordered(Normal(0, 2, size = 2))
  sigma ~ HalfNormal(2, size = 2)
  theta ~ Beta(5, 5)
  y ~ Mixture([theta, 1 - theta], [Normal(mu[1], sigma[1]), Normal(mu[2], sigma[2])])
}
