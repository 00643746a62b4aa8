# The linear regression of linreg.dlm fitted twice: by NUTS (exact up to Monte Carlo error)
# and by mean-field ADVI (a Gaussian approximation, fitted in a fraction of the time).
# For this posterior, which is close to Gaussian and has weakly correlated coefficients,
# the two should agree: means within a few hundredths and sds within about 20%.

model linreg(x, y) {
  alpha ~ Normal(0, 10)
  beta  ~ Normal(0, 10, size = ncols(x))
  sigma ~ HalfNormal(5)
  y ~ Normal(alpha + x @ beta, sigma)
}

d = read_csv("data/linreg.csv")
x = d[:, 1:2]
y = d.y

post = sample(linreg(x, y), NUTS(), draws = 1000, warmup = 1000, chains = 4, seed = 1)
print("NUTS")
summary(post)

# tol = 0.001: at the default 0.01 ADVI stops after 200 iterations, about one posterior sd
# away from NUTS (see docs/inference-guide.md). Pareto k̂ comes out at 0.56 with these 1,000
# draws (0.71, just over the 0.7 warning threshold, when estimated from 4,000): usable but not
# perfect, the Gaussian's tails being a little lighter than the posterior's.
q = vi(linreg(x, y), ADVI(), iterations = 10000, tol = 0.001, draws = 1000, seed = 1)
print("ADVI (mean-field)")
summary(q)

# Compare the two through what they predict: the mean and sd of y at a few new points.
# The predictive mean is alpha + x beta averaged over the posterior, so it compares the
# coefficients; the predictive sd adds sigma and the coefficients' spread.
xnew = [[0.0, 0.0], [1.0, -1.0], [-2.0, 2.0]]
pn = predict(post, linreg(xnew, missing))
pv = predict(q, linreg(xnew, missing))
print("predictive mean, NUTS:", pn.y.mean)
print("predictive mean, ADVI:", pv.y.mean)
print("predictive sd,   NUTS:", pn.y.sd)
print("predictive sd,   ADVI:", pv.y.sd)
print("largest mean difference in predictive sds:", max(abs(pn.y.mean - pv.y.mean) / pn.y.sd))

plot_density(post, "plots/linreg_nuts_density.svg")
plot_density(q, "plots/linreg_advi_density.svg")
