# Bayesian linear regression: y = alpha + x beta + noise.

model linreg(x, y) {
  alpha ~ Normal(0, 10)
  beta  ~ Normal(0, 10, size = ncols(x))
  sigma ~ HalfNormal(5)
  y ~ Normal(alpha + x @ beta, sigma)
}

d = read_csv("data/linreg.csv")
x = d[:, 1:2]
y = d.y
print("rows:", nrows(d), "columns:", names(d))

post = sample(linreg(x, y), NUTS(target_accept = 0.8), draws = 1000, warmup = 1000, chains = 4, seed = 1)
summary(post)

# posterior predictive at two new points
xnew = [[0.0, 0.0], [1.0, -1.0]]
pred = predict(post, linreg(xnew, missing))
print("predictive mean:", pred.y.mean)
print("predictive sd:", pred.y.sd)
