# A hierarchical logistic regression: which Minnesota homes have radon above the EPA's action
# level of 4 pCi/L? 919 homes in 85 counties (posteriordb's radon_mn data, from Gelman & Hill
# 2007), with each county's soil uranium (log_uppm) and whether the reading was taken in the
# basement (floor 0) or on the first floor (floor 1).
#
# Each county gets its own intercept a[j] = mu + sigma * z[j]: counties with few homes are
# pulled towards the state-wide mu, counties with many keep closer to their own data (partial
# pooling), and sigma, learnt from the data, says how much the counties differ. The intercepts
# are non-centred (z ~ Normal(0, 1)) for the reason shown in eight_schools_centered.dlm:
# many counties have one or two homes, which gives a funnel in the centred form.

model radon_epa(J, county, log_uppm, floor, high) {
  mu ~ Normal(0, 2.5)
  sigma ~ HalfNormal(1)
  z ~ Normal(0, 1, size = J)
  b_uranium ~ Normal(0, 2.5)
  b_floor ~ Normal(0, 2.5)
  high ~ Bernoulli(logit = mu + sigma * z[county] + b_uranium * log_uppm + b_floor * floor)
}

d = read_json("data/radon.json")
high = d.log_radon > log(4)                 # 1 where the reading is above 4 pCi/L
print("homes:", d.N, "counties:", d.J, "above the action level:", sum(high))

post = sample(radon_epa(d.J, d.county_idx, d.log_uppm, d.floor_measure, high), NUTS(), draws = 1000, warmup = 1000, chains = 4, seed = 1)
summary(post)
plot_density(post, "plots/radon_density.svg", vars = ["mu", "sigma", "b_uranium", "b_floor"])

# Probability that a home is above the level: basement and first floor, in county 1 (Aitkin,
# 4 homes measured, log uranium -0.507) and county 26 (Hennepin, 105 homes, 0.008).
j = [1, 1, 26, 26]
pred = predict(post, radon_epa(d.J, j, [-0.507, -0.507, 0.008, 0.008], [0, 1, 0, 1], missing))
print("P(above 4 pCi/L): Aitkin basement, first floor; Hennepin basement, first floor:", pred.high.mean)
