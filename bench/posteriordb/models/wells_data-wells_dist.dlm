# Whether a household switched wells, on the distance to the nearest safe well
# (Gelman & Hill, ch. 5). posteriordb: wells_data-wells_dist. No prior on beta (flat).
model wells_dist(N, switched, dist) {
  beta ~ Flat(size = 2)
  switched ~ Bernoulli(logit = beta[1] + beta[2] * dist)
}
