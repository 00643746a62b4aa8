# the model's `}` is missing; a `,` is missing on line 7
model linreg(x, y) {
  alpha ~ Normal(0, 10)
  y ~ Normal(alpha + x, 1)

data = read_csv("data.csv")
post = sample(linreg(data.x, data.y), NUTS(), draws = 1000 chains = 4)
