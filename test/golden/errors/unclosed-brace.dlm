model m(x) {
  y ~ Normal(0, 1)
