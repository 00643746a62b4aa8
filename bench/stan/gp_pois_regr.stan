// Poisson regression with a latent GP, non-centred, with posteriordb's own jitter (1e-10 added
// to the diagonal), as dlm's translation has it on the float64 host engine. Written for dlm's
// benchmark from the model's math: squared-exponential kernel on x, f = L * f_tilde.
data {
  int<lower=1> N;
  real x[N];
  int<lower=0> k[N];
}
parameters {
  real<lower=0> rho;
  real<lower=0> alpha;
  vector[N] f_tilde;
}
transformed parameters {
  vector[N] f;
  {
    matrix[N, N] K = cov_exp_quad(x, alpha, rho);
    for (n in 1:N) K[n, n] = K[n, n] + 1e-10;
    f = cholesky_decompose(K) * f_tilde;
  }
}
model {
  rho ~ gamma(25, 4);
  alpha ~ normal(0, 2);
  f_tilde ~ normal(0, 1);
  k ~ poisson_log(f);
}
