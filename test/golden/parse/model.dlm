# models: positional parameters, `;` keyword parameters with defaults, tilde targets
model linreg(x, y) {
  alpha ~ Normal(0, 10)
  beta  ~ Normal(0, 10, size = ncols(x))
  sigma ~ HalfNormal(5)
  y ~ Normal(alpha + x @ beta, sigma)
}

model bnn(x, y; nhidden = 16, scale = 1.0) {
  s ~ HalfNormal(scale)                   # hyper-prior on the weight scale
  net = mlp(ncols(x), nhidden, 3)
  params(net) ~ Normal(0, s)              # every weight and bias gets this prior
  params(net[1]) ~ Normal(0, 1)
  net[2].weight ~ Laplace(0, 1)
  y ~ Categorical(logits = net(x))
}

model hier(y, group; K = 8) {
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(5)
  theta ~ Normal(mu, tau, size = K)
  for i in 1:length(y) {
    y[i] ~ Normal(theta[group[i]], 1)
  }
  factor(-0.5 * sum(theta^2))
}
