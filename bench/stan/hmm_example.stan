// Two-state HMM with unit-variance normal emissions (written for dlm's benchmark from the
// model's math): transition rows theta1, theta2 uniform on the simplex, positive ordered state
// means mu with mu[1] ~ N(3, 1), mu[2] ~ N(10, 1); states summed out by the forward recursion.
data {
  int<lower=0> N;
  int<lower=0> K;
  real y[N];
}
parameters {
  simplex[K] theta1;
  simplex[K] theta2;
  positive_ordered[K] mu;
}
model {
  mu[1] ~ normal(3, 1);
  mu[2] ~ normal(10, 1);
  {
    vector[K] into[K];
    vector[K] fwd;
    for (k in 1:K) into[k] = log([theta1[k], theta2[k]]');
    for (k in 1:K) fwd[k] = normal_lpdf(y[1] | mu[k], 1);
    for (t in 2:N) {
      vector[K] nxt;
      for (k in 1:K) nxt[k] = log_sum_exp(fwd + into[k]) + normal_lpdf(y[t] | mu[k], 1);
      fwd = nxt;
    }
    target += log_sum_exp(fwd);
  }
}
