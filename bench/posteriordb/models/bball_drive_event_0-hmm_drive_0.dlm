# Two-state hidden Markov model of basketball drives with exponential emissions for 1/speed (u)
# and hoop distance (v). posteriordb: bball_drive_event_0-hmm_drive_0.
# The states are marginalised out with the forward algorithm in log space.

# log p(observations) of an HMM whose first state contributes only its emission term:
# log_theta[j, k] = log P(state k | previous state j), e[t, k] = log p(observation t | state k).
fn hmm_marginal(log_theta, e) {
  lp = e[1, :]
  for t in 2:nrows(e) {
    lp = logsumexp(reshape(lp, length(lp), 1) + log_theta, dims = 1) + e[t, :]
  }
  return logsumexp(lp)
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
