// GARCH(1,1) (written for dlm's benchmark from the model's math): y[t] ~ N(mu, s[t]) with
// s[1] = sigma1, s[t]^2 = alpha0 + alpha1 (y[t-1] - mu)^2 + beta1 s[t-1]^2; flat priors within
// alpha0 > 0, 0 < alpha1 < 1, 0 < beta1 < 1 - alpha1.
data {
  int<lower=0> T;
  real y[T];
  real<lower=0> sigma1;
}
parameters {
  real mu;
  real<lower=0> alpha0;
  real<lower=0, upper=1> alpha1;
  real<lower=0, upper=(1 - alpha1)> beta1;
}
model {
  vector[T] s;
  s[1] = sigma1;
  for (t in 2:T) s[t] = sqrt(alpha0 + alpha1 * square(y[t - 1] - mu) + beta1 * square(s[t - 1]));
  y ~ normal(mu, s);
}
