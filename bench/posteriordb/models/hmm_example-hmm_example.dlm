# Two-state hidden Markov model with unit-variance normal emissions.
# posteriordb: hmm_example-hmm_example. The transition rows have no prior statement (uniform on
# the simplex); the states are marginalised out with the forward algorithm in log space.

# log p(observations) of an HMM whose first state contributes only its emission term:
# log_theta[j, k] = log P(state k | previous state j), e[t, k] = log p(observation t | state k).
fn hmm_marginal(log_theta, e) {
  lp = e[1, :]
  for t in 2:nrows(e) {
    lp = logsumexp(reshape(lp, length(lp), 1) + log_theta, dims = 1) + e[t, :]
  }
  return logsumexp(lp)
}

# Normal(y[t] | mu[k], 1) log densities: [N, K]
fn emissions(y, mu) = -0.5 * square(reshape(y, length(y), 1) - mu) - 0.5 * log(2 * pi)

model hmm_example(N, K, y) {
  theta1 ~ Dirichlet(ones(K))
  theta2 ~ Dirichlet(ones(K))
  # positive, increasing state means (the ordering labels the states)
  mu ~ ordered(FlatPos(size = K))
  # normal priors, up to constants: mu[1] ~ N(3, 1), mu[2] ~ N(10, 1)
  factor(-0.5 * sum(square(mu - [3, 10])))
  factor(hmm_marginal(log(vcat(reshape(theta1, 1, K), reshape(theta2, 1, K))), emissions(y, mu)))
}
