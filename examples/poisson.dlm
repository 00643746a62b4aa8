# A Poisson GLM with an offset: insurance claims in 60 groups of policies that were insured
# for different lengths of time (data/claims.csv, simulated by data/make_claims.py: true rate
# 8.2 claims per 100 policy-years for a rural group of average age, age effect -0.3 per sd,
# urban rate ratio exp(0.5) = 1.65).
#
# A group insured for twice as long expects twice the claims, so the model is for the *rate*:
#   claims ~ Poisson(exposure * exp(alpha + age * b_age + urban * b_urban))
# which on the log scale is log(exposure) + alpha + ..., log(exposure) being the offset: a term
# with its coefficient fixed at 1. Leaving it out would make the coefficients describe
# whichever groups happen to be insured longest, not the risk per policy-year.

model claims_glm(claims, exposure, age, urban) {
  alpha ~ Normal(-2, 2)                     # log claims per policy-year: around 0.14
  b_age ~ Normal(0, 1)
  b_urban ~ Normal(0, 1)
  claims ~ Poisson(log_rate = log(exposure) + alpha + age * b_age + urban * b_urban)
  rate_per_100 = 100 * exp(alpha)           # rural, average age; recorded per draw
  urban_ratio = exp(b_urban)                # rate ratio, urban against rural
}

d = read_csv("data/claims.csv")
print("groups:", nrows(d), "policy-years:", sum(d.exposure), "claims:", sum(d.claims))
post = sample(claims_glm(d.claims, d.exposure, d.age, d.urban), NUTS(), draws = 1000, warmup = 1000, chains = 4, seed = 1)
summary(post)

# Expected claims for 1,000 policy-years of average age, rural and urban.
pred = predict(post, claims_glm(missing, [1000, 1000], [0, 0], [0, 1]))
print("expected claims per 1000 policy-years (rural, urban):", pred.claims.mean)
