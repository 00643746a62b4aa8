# GARCH(1,1): y[t] ~ Normal(mu, sigma[t]) with
#   sigma[1]^2 = sigma1^2,  sigma[t]^2 = alpha0 + alpha1 * (y[t-1] - mu)^2 + beta1 * sigma[t-1]^2.
# posteriordb: garch-garch11. No prior statements: flat priors within the bounds
# alpha0 > 0, 0 < alpha1 < 1, 0 < beta1 < 1 - alpha1.

# sigma[t]^2 for t = 2..T. The recursion x[t] = a[t] + beta1 * x[t-1] is linear with a constant
# coefficient, so instead of T sequential steps it is summed by recursive doubling (a parallel
# prefix scan): after the pass with shift k, x[t] = sum_{t-2k < s <= t} beta1^(t-s) * a[s].
# Here a[s] = alpha0 + alpha1 * (y[s] - mu)^2, and beta1 * sigma1^2 is folded into a[1].
fn garch_variance(y, mu, alpha0, alpha1, beta1, sigma1) {
  n = length(y) - 1
  x = alpha0 + alpha1 * square(y[1:n] - mu) + beta1 * sigma1^2 * ifelse(1:n == 1, 1, 0)
  shift = 1
  power = beta1                                    # beta1^shift
  for pass in 1:ceil(log(n) / log(2)) {
    x = x + power * vcat(zeros(shift), x[1:(n - shift)])
    power = power * power
    shift = 2 * shift
  }
  return x
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
