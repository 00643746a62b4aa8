# In-between uncertainty: a small Bayesian network on 1-D data with a gap (no x in [1, 3); a
# copy of ../shared/data/synthetic/toy_regression.csv: y = x sin x + noise whose sd grows with |x|).
# Where the data stop, what the network knows should stop too: its epistemic sd (the spread of
# the predictive mean across posterior draws) should grow inside the gap. NUTS, full-rank ADVI
# and Bayes by Backprop with a full covariance show it; mean-field Bayes by Backprop, fitted to
# convergence, does not (a factorised q over a one-hidden-layer network cannot, Foong et al.
# 2020); MC dropout is shown beside them.
# The plots draw each method's predictive band over the data's range and past it.

model reg(x, y) {
  net = Chain(Dense(1 => 8, tanh), Dense(8 => 1))
  params(net) ~ Normal(0, 1)
  sigma ~ HalfNormal(1)
  y ~ Normal(net(x)[:, 1], sigma)
}

# The same network without priors and with dropout, for MC dropout (Gal & Ghahramani 2016).
model dropnet(x, y) {
  net = Chain(Dense(1 => 50, relu), Dropout(0.1), Dense(50 => 50, relu), Dropout(0.1), Dense(50 => 1))
  sigma ~ HalfNormal(1)
  y ~ Normal(net(x)[:, 1], sigma)
}

d = read_csv("data/toy_regression.csv")
x = d[:, 1:1] / 3                                      # x and y of about unit scale
y = d.y / 2
grid = reshape(range(-7, 7, step = 0.25), 57, 1) / 3
gap = [[1.25], [1.5], [1.75], [2], [2.25], [2.5], [2.75]] / 3
near = [[-0.5], [0], [0.5], [3.5], [4], [4.5]] / 3   # data on both sides of the gap

post = sample(reg(x, y), NUTS(max_depth = 8), draws = 200, warmup = 200, chains = 4, seed = 1)
advi = vi(reg(x, y), ADVI(method = "fullrank"), draws_per_step = 5, iterations = 10000, tol = 0.001, seed = 1)
bbb = vi(reg(x, y), BayesByBackprop(), epochs = 500, batchsize = 100, lr = 0.05, seed = 1)
# A correlated q draws whole weight vectors each step (no local reparameterisation): all rows a
# step, 8 draws, and a cosine-decayed learning rate to settle the noisy correlations.
bbbfull = vi(reg(x, y), BayesByBackprop(covariance = "full"), epochs = 4000, lr = 0.02, draws_per_step = 8, schedule = "cosine", seed = 1)
fit = train(dropnet(x, y), Adam(0.01), epochs = 100, batchsize = 32, seed = 1)

fn ratio(g, n) = mean(epistemic_sd(g.y)) / mean(epistemic_sd(n.y))
print("epistemic sd in the gap / at the data:")
print("NUTS:", ratio(predict(post, reg(gap, missing)), predict(post, reg(near, missing))))
print("full-rank ADVI:", ratio(predict(advi, reg(gap, missing)), predict(advi, reg(near, missing))))
print("Bayes by Backprop, mean-field:", ratio(predict(bbb, reg(gap, missing)), predict(bbb, reg(near, missing))))
print("Bayes by Backprop, full covariance:", ratio(predict(bbbfull, reg(gap, missing)), predict(bbbfull, reg(near, missing))))
print("MC dropout:", ratio(predict(fit, dropnet(gap, missing), dropout = true, draws = 100), predict(fit, dropnet(near, missing), dropout = true, draws = 100)))
print("RMSE against the true mean, NUTS, ADVI, BBB, full BBB:", rmse(predict(post, reg(x, missing)).y, d.f / 2), rmse(predict(advi, reg(x, missing)).y, d.f / 2), rmse(predict(bbb, reg(x, missing)).y, d.f / 2), rmse(predict(bbbfull, reg(x, missing)).y, d.f / 2))

plot_band(predict(post, reg(grid, missing)).y, grid, "plots/gap_nuts.svg")
plot_band(predict(advi, reg(grid, missing)).y, grid, "plots/gap_advi.svg")
plot_band(predict(bbb, reg(grid, missing)).y, grid, "plots/gap_bbb.svg")
plot_band(predict(bbbfull, reg(grid, missing)).y, grid, "plots/gap_bbb_full.svg")
plot_band(predict(fit, dropnet(grid, missing), dropout = true, draws = 100).y, grid, "plots/gap_mc_dropout.svg")
