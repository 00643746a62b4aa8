// Two-state HMM of basketball drives (written for dlm's benchmark from the model's math):
// rows theta1, theta2 of the transition matrix ~ Dirichlet(alpha[k]), positive ordered
// exponential rates phi (1/speed) and lambda (hoop distance) with normal priors N(0, 1), N(3, 1);
// the hidden states are summed out by the forward recursion in log space.
data {
  int<lower=1> K;
  int<lower=1> N;
  real u[N];
  real v[N];
  matrix<lower=0>[K, K] alpha;
}
parameters {
  simplex[K] theta1;
  simplex[K] theta2;
  positive_ordered[K] phi;
  positive_ordered[K] lambda;
}
model {
  theta1 ~ dirichlet(alpha[1]');
  theta2 ~ dirichlet(alpha[2]');
  phi[1] ~ normal(0, 1);
  phi[2] ~ normal(3, 1);
  lambda[1] ~ normal(0, 1);
  lambda[2] ~ normal(3, 1);
  {
    // into[k]: log P(next state k | state j), as a vector over j
    vector[K] into[K];
    vector[K] fwd;
    for (k in 1:K) into[k] = log([theta1[k], theta2[k]]');
    for (k in 1:K) fwd[k] = exponential_lpdf(u[1] | phi[k]) + exponential_lpdf(v[1] | lambda[k]);
    for (t in 2:N) {
      vector[K] nxt;
      for (k in 1:K)
        nxt[k] = log_sum_exp(fwd + into[k]) + exponential_lpdf(u[t] | phi[k]) + exponential_lpdf(v[t] | lambda[k]);
      fwd = nxt;
    }
    target += log_sum_exp(fwd);
  }
}
