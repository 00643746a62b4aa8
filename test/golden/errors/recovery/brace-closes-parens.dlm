# a `)` missing before the model's `}`, a `]` missing before a `)`
model m(x) {
  a ~ Normal(0, 1
}
model n(y) {
  b ~ Normal([1, 2, 0)
}
