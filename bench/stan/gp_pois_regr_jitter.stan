// Poisson regression with a latent GP, non-centred, with the diagonal jitter of dlm's float32
// translation (bench/posteriordb/models/float32/: 1e-5 * alpha^2 instead of posteriordb's
// absolute 1e-10, which bench/stan/gp_pois_regr.stan keeps): run by Stan in float64 to show
// that the jitter alone leaves the posterior within the posteriordb check. Written for
// dlm's benchmark from the model's math: squared-exponential kernel on x, f = L * f_tilde.
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
    for (n in 1:N) K[n, n] = K[n, n] + 1e-5 * square(alpha);
    f = cholesky_decompose(K) * f_tilde;
  }
}
model {
  rho ~ gamma(25, 4);
  alpha ~ normal(0, 2);
  f_tilde ~ normal(0, 1);
  k ~ poisson_log(f);
}
