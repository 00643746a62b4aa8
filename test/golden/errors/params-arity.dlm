model m(x) {
  params(a, b) ~ Normal(0, 1)
}
