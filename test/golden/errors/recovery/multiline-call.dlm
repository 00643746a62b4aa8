# a call over several lines lacks its `)`; a `,` is missing on line 6
model m(x, y) {
  y ~ Normal(
    x * 2,
    1
  z ~ Normal(0 1)
}
