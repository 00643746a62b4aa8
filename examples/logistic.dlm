# Logistic regression with a train/test split and posterior predictive accuracy.

model logreg(x, y) {
  alpha ~ Normal(0, 2.5)
  beta ~ Normal(0, 2.5, size = ncols(x))
  y ~ Bernoulli(logit = alpha + x @ beta)
}

d = read_csv("data/logistic.csv")
x = d[:, 1:2]
y = d.label
split = train_test_split(nrows(x), 0.75, seed = 1)
xtr = standardize(x[split.train, :])
xte = standardize(x[split.test, :], like = x[split.train, :])

post = sample(logreg(xtr, y[split.train]), NUTS(), draws = 500, warmup = 500, chains = 4, seed = 3)
summary(post)

pred = predict(post, logreg(xte, missing))
print("test accuracy:", accuracy(pred.y, y[split.test]))
