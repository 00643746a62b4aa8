model m(x) {
  exp(x) ~ Normal(0, 1)
}
