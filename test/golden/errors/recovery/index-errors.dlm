# an index not closed before `~`, an extra `]`, a wrong closer
model m(x, y, g) {
  mu ~ Normal(0, 1, size = 3)
  y[i ~ Normal(mu[g[i]], 1)
  z = x[1, 2]]
  w = x[:, 1:3)
}
