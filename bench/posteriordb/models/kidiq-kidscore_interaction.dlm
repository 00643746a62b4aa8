# Child test scores on the mother's IQ, high-school completion and their interaction
# (Gelman & Hill, ch. 3). posteriordb: kidiq-kidscore_interaction. beta has no prior (flat).
model kidscore_interaction(N, kid_score, mom_iq, mom_hs) {
  beta ~ Flat(size = 4)
  sigma ~ HalfCauchy(2.5)
  kid_score ~ Normal(beta[1] + beta[2] * mom_hs + beta[3] * mom_iq + beta[4] * mom_hs * mom_iq, sigma)
}
