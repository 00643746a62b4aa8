# The UCI regression protocol (Hernández-Lobato & Adams 2015) on one data set, end to end:
# yacht hydrodynamics (data/yacht.csv: UCI's 308 rows, reordered so that split 0 of the
# protocol trains on the first 277 rows and tests on the last 31), one hidden layer of 50 ReLU
# units, Bayes by Backprop. Inputs and target are standardised with the training rows' means
# and sds; the test RMSE and log-likelihood are in the target's own units (residuary
# resistance). bench/uci.ts runs all 20 splits of five data sets (bench/RESULTS.md).

model uci(x, y) {
  net = Chain(Dense(ncols(x) => 50, relu), Dense(50 => 1))
  params(net) ~ Normal(0, 1)
  sigma ~ HalfNormal(1)
  y ~ Normal(net(x)[:, 1], sigma)
}

d = read_csv("data/yacht.csv")
x = d[:, 1:6]
fit_rows = range(1, 277)
test_rows = range(278, 308)
xtr = standardize(x[fit_rows, :])
xte = standardize(x[test_rows, :], like = x[fit_rows, :])
my = mean(d.resistance[fit_rows])
sy = std(d.resistance[fit_rows])

q = vi(uci(xtr, (d.resistance[fit_rows] - my) / sy), BayesByBackprop(), epochs = 400, batchsize = 32, seed = 1)
print(q)
p = predict(q, uci(xte, missing))
yte = (d.resistance[test_rows] - my) / sy
# A prediction of y/sy has density p(y) = p(y/sy)/sy: the log-likelihood shifts by -log(sy).
print("test RMSE:", rmse(p.y, yte) * sy)
print("test log-likelihood:", loglik(p.y, yte) - log(sy))
print("90% interval coverage:", coverage(p.y, yte, level = 0.9))
print("published means over the 20 splits: VI RMSE 6.89, log-likelihood -3.43; PBP 1.02, -1.63")
plot_history(q, "plots/uci_yacht_elbo.svg")
