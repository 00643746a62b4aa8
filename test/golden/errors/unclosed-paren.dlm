model m(x) {
  a ~ Normal(0, 1
  b ~ Normal(0, 1)
}
