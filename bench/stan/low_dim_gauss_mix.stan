// Two-component normal mixture in one dimension (written for dlm's benchmark from the model's
// math): ordered means ~ N(0, 2), scales ~ half-N(0, 2), weight theta ~ Beta(5, 5).
data {
  int<lower=0> N;
  vector[N] y;
}
parameters {
  ordered[2] mu;
  real<lower=0> sigma[2];
  real<lower=0, upper=1> theta;
}
model {
  mu ~ normal(0, 2);
  sigma ~ normal(0, 2);
  theta ~ beta(5, 5);
  for (i in 1:N)
    target += log_mix(theta, normal_lpdf(y[i] | mu[1], sigma[1]), normal_lpdf(y[i] | mu[2], sigma[2]));
}
