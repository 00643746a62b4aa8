model outer(x) {
  model inner(y) {
    y ~ Normal(0, 1)
  }
}
