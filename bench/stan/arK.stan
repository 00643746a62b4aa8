// AR(K): y_t ~ N(alpha + sum_k beta_k y_{t-k}, sigma) for t > K; alpha, beta_k ~ N(0, 10),
// sigma ~ half-Cauchy(0, 2.5) (written for dlm's benchmark from the model's math).
data {
  int<lower=0> K;
  int<lower=0> T;
  vector[T] y;
}
transformed data {
  matrix[T - K, K] lags;
  for (i in 1:(T - K))
    for (k in 1:K)
      lags[i, k] = y[K + i - k];
}
parameters {
  real alpha;
  vector[K] beta;
  real<lower=0> sigma;
}
model {
  alpha ~ normal(0, 10);
  beta ~ normal(0, 10);
  sigma ~ cauchy(0, 2.5);
  y[(K + 1):T] ~ normal(alpha + lags * beta, sigma);
}
