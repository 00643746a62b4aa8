# Two-state hidden Markov model with unit-variance normal emissions.
# posteriordb: hmm_example-hmm_example. The transition rows have no prior statement (uniform on
# the simplex); the states are marginalised out with the forward algorithm in log space.

# log p(observations) of an HMM whose first state contributes only its emission term, with
# log_theta[j, k] = log P(state k | previous state j) and e[t, k] = log p(observation t | state k).
# The forward algorithm is a chain of (log-sum-exp, +) matrix products,
#   lp = logsumexp(e[1, :] * M[2] * ... * M[n]),  M[t][j, k] = log_theta[j, k] + e[t, k],
# and the product is associative, so it is evaluated as a balanced tree: log2(n) rounds of
# pairwise products instead of n sequential steps. The list of matrices is padded to a power of
# two with the identity of this product (0 on the diagonal, "-infinity" elsewhere).
fn hmm_marginal(log_theta, e) {
  n = nrows(e)
  states = ncols(e)
  rounds = ceil(log(n - 1) / log(2))
  m = 2^rounds
  identity = (eye(states) - 1) * 1e30
  M = vcat(reshape(log_theta, 1, states, states) + reshape(e[2:n, :], n - 1, 1, states), zeros(m - n + 1, states, states) + reshape(identity, 1, states, states))
  for round in 1:rounds {
    m = m / 2
    M = logsumexp(reshape(M[1:2:(2 * m), :, :], m, states, states, 1) + reshape(M[2:2:(2 * m), :, :], m, 1, states, states), dims = 3)
  }
  return logsumexp(reshape(e[1, :], states, 1) + reshape(M, states, states))
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
