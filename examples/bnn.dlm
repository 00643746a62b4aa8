# A small Bayesian neural network classifier on two noisy half-moons.

network mlp(nin, nhidden) = Chain(Dense(nin => nhidden, tanh), Dense(nhidden => 1))

model bnn(x, y; nhidden = 8) {
  s ~ HalfNormal(1)                  # hyper-prior on the weight scale
  net = mlp(ncols(x), nhidden)
  params(net) ~ Normal(0, s)         # every weight and bias gets this prior
  y ~ Bernoulli(logit = net(x)[:, 1])
}

d = read_csv("data/moons.csv")
x = standardize(d[:, 1:2])
y = d.label

post = sample(bnn(x, y), NUTS(target_accept = 0.8), draws = 300, warmup = 300, chains = 4, seed = 4)
summary(post)

pred = predict(post, bnn(x, missing))
print("training accuracy:", accuracy(pred.y, y))
