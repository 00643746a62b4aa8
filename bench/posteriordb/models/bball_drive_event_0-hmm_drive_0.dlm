# Two-state hidden Markov model of basketball drives with exponential emissions for 1/speed (u)
# and hoop distance (v). posteriordb: bball_drive_event_0-hmm_drive_0.
# The states are marginalised out with the forward algorithm in log space.

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

# exponential log densities of every observation under each state: [N, K]
fn emissions(u, v, phi, lambda) =
  log(phi) - reshape(u, length(u), 1) * phi + log(lambda) - reshape(v, length(v), 1) * lambda

model hmm_drive_0(K, N, u, v, alpha) {
  # rows of the transition matrix, with Dirichlet priors from the rows of alpha
  theta1 ~ Dirichlet(alpha[1, :])
  theta2 ~ Dirichlet(alpha[2, :])
  # positive, increasing emission rates (the ordering labels the states)
  phi ~ ordered(FlatPos(size = K))
  lambda ~ ordered(FlatPos(size = K))
  # normal priors on the rates, up to constants: phi ~ N([0, 3], 1), lambda ~ N([0, 3], 1)
  factor(-0.5 * sum(square(phi - [0, 3])) - 0.5 * sum(square(lambda - [0, 3])))
  factor(hmm_marginal(log(vcat(reshape(theta1, 1, K), reshape(theta2, 1, K))), emissions(u, v, phi, lambda)))
}
