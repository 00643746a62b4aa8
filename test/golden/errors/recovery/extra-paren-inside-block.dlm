# an extra `)` on line 3, a `]` for a `)` on line 5
model m(x) {
  a ~ Normal(0, 1))
  b ~ Normal(a, 1)
  x ~ Normal(b, 1]
}
