# a script: top-level statements run top to bottom
include "models.dlm"
data  = read_csv("iris.csv")
x     = standardize(data[:, 1:4])
y     = data.target + 1                   # classes are 1..K, like every index
post  = sample(bnn(x, y), NUTS(target_accept = 0.8), draws = 1000, chains = 4, seed = 1)
summary(post)
pred  = predict(post, bnn(x, missing))    # posterior predictive: y is now unknown
print(accuracy(pred.y, y), loglik(pred.y, y))
