# A Bayesian neural network classifier on the two moons, fitted three ways:
#   MAP by `train` (one network: the mode of the posterior),
#   mean-field ADVI by `vi` (a factorised Gaussian over the weights),
#   NUTS by `sample` (draws from the posterior itself).
# The predictive entropy (0: sure; log 2 = 0.69: a coin toss) on the test points and over a
# grid of the plane shows where each one admits not knowing. The MAP network is one function:
# it is unsure only near its own decision boundary, and off the data it is much surer than the
# posterior. The NUTS posterior holds many networks that fit
# the 100 training points and disagree away from them, so its entropy is high off the data and
# low on it. Mean-field ADVI, here, settles on a nearly linear boundary that is unsure
# everywhere: a factorised Gaussian cannot follow the strongly correlated weights of a bent
# boundary, a known weakness of mean-field VI for networks (compare its accuracy and log
# likelihood with the others').
#
# The weights of a network are not identified (swapping two hidden units, or flipping the
# signs of a tanh unit's weights in and out, gives the same function), so R-hat and ESS of
# single weights measure how often the chains move between these copies; lp__ and the
# predictions are what matter. Here no quantity warns: an earlier version with a hyper-prior on
# one shared weight scale (`s ~ HalfNormal(1)`, `params(net) ~ Normal(0, s)`) mixed slowly in s
# and lp__ (R-hat 1.023), and fixed scales remove that funnel; with 4 or 8 hidden units instead
# of 16 single weights still reached R-hat 1.02 to 1.03 at these draws, since fewer units make
# fewer, farther-apart copies for the chains to move between.

network mlp(nin, nhidden) = Chain(Dense(nin => nhidden, tanh), Dense(nhidden => 1))

model bnn(x, y; nhidden = 16) {
  net = mlp(ncols(x), nhidden)
  params(net[1]) ~ Normal(0, 2)      # wide enough for a sharply bent boundary
  params(net[2]) ~ Normal(0, 2)
  y ~ Bernoulli(logit = net(x)[:, 1])
}

d   = read_csv("data/two_moons.csv")   # 500 points, shuffled: the first 100 train, the rest test
ntr = 100
x   = d[:, 1:2]
xtr = standardize(x[1:ntr, :])
xte = standardize(x[ntr+1:nrows(d), :], like = x[1:ntr, :])
ytr = d.target[1:ntr]
yte = d.target[ntr+1:nrows(d)]

fit  = train(bnn(xtr, ytr), Adam(0.05), epochs = 1000, seed = 1)
q    = vi(bnn(xtr, ytr), ADVI(), iterations = 5000, tol = 0.001, seed = 1)
post = sample(bnn(xtr, ytr), NUTS(), draws = 500, warmup = 500, chains = 4, seed = 1)
print("NUTS:")
summary(post)

# A 30 × 30 grid over the plane, and each grid point's distance to the nearest training point:
# "off the data" is farther than half a standard deviation.
g    = grid(xtr, 30)
dist = zeros(nrows(g))
for i in 1:nrows(g) {
  dist[i] = sqrt(min(sum((xtr - g[i, :])^2, dims = 2)))
}
far = dist > 0.5
print("grid points off the data:", sum(far), "of", nrows(g))

fn report(name, p, pg) {
  h = entropy(pg.y)
  print(name, "test accuracy", accuracy(p.y, yte), " log lik", loglik(p.y, yte),
        " entropy on the test points", mean(entropy(p.y)), " off the data", sum(h * far) / sum(far))
  return 0
}
pmap  = predict(fit, bnn(xte, missing))
gmap  = predict(fit, bnn(g, missing))
padvi = predict(q, bnn(xte, missing))
gadvi = predict(q, bnn(g, missing))
pnuts = predict(post, bnn(xte, missing))
gnuts = predict(post, bnn(g, missing))
report("MAP: ", pmap, gmap)
report("ADVI:", padvi, gadvi)
report("NUTS:", pnuts, gnuts)

# The uncertainty maps: predictive entropy (0 = sure, log 2 = 0.69 = a coin toss).
plot_uncertainty(gmap.y, "plots/bnn_map_entropy.svg")
plot_uncertainty(gadvi.y, "plots/bnn_advi_entropy.svg")
plot_uncertainty(gnuts.y, "plots/bnn_nuts_entropy.svg")
