# `,` missing on lines 3 and 6, `)` missing on line 4
model m(x) {
  a ~ Normal(0 1)
  b ~ Normal(a, 1
  c ~ Normal(b, 1)
  x ~ Normal(c 1)
}
