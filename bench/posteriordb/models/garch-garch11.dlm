# GARCH(1,1): y[t] ~ Normal(mu, sigma[t]) with
#   sigma[1]^2 = sigma1^2,  sigma[t]^2 = alpha0 + alpha1 * (y[t-1] - mu)^2 + beta1 * sigma[t-1]^2.
# posteriordb: garch-garch11. No prior statements: flat priors within the bounds
# alpha0 > 0, 0 < alpha1 < 1, 0 < beta1 < 1 - alpha1.

# sigma[t]^2 for t = 2..T. The recursion is linear, so instead of a loop of T steps it is
# unrolled into one matrix product: with a[s] = alpha0 + alpha1 * (y[s] - mu)^2 (s = 1..T-1),
#   sigma[t+1]^2 = beta1^t * sigma1^2 + sum_{s <= t} beta1^(t-s) * a[s].
fn garch_variance(y, mu, alpha0, alpha1, beta1, sigma1) {
  n = length(y) - 1
  steps = 1:n
  lag = reshape(steps, n, 1) - reshape(steps, 1, n)                 # t - s
  below = lag >= 0                                                   # s <= t
  decay = ifelse(below, beta1 ^ ifelse(below, lag, 0), 0)           # lower triangle of beta1^(t-s)
  a = alpha0 + alpha1 * square(y[1:n] - mu)
  return decay @ a + beta1 ^ steps * sigma1^2
}

model garch11(T, y, sigma1) {
  mu ~ Flat()
  alpha0 ~ FlatPos()
  alpha1 ~ Uniform(0, 1)
  beta1 ~ Uniform(0, 1 - alpha1)
  # the original's prior on beta1 is flat, not normalised: cancel Uniform's -log(1 - alpha1)
  factor(log(1 - alpha1))
  y[1] ~ Normal(mu, sigma1)
  y[2:T] ~ Normal(mu, sqrt(garch_variance(y, mu, alpha0, alpha1, beta1, sigma1)))
}
