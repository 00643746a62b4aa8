# the `for` block's `}` is missing (the model's `}` follows); an extra `]` on line 8
model m(x, y) {
  for i in 1:10 {
    y[i] ~ Normal(x[i], 1)

  sigma ~ HalfNormal(1)
}
post = sample(m(x, y), NUTS(), draws = 100)]
