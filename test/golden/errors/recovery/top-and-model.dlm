# an operand missing at the top level, an extra `)` in the model, a `)` missing at the end
n = 100 +
model m(x) {
  sigma ~ HalfNormal(1))
  x ~ Normal(0, sigma)
}
result = sample(m(data), NUTS(), draws = 500
