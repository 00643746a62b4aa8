modl linreg(x, y) {
  y ~ Normal(0, 1)
}
