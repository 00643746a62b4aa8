// Motorcycle-crash acceleration: mean and log standard deviation are approximate
// (Hilbert-space basis) Gaussian processes of time with squared-exponential spectral densities.
// Written for dlm's benchmark from the model's math (the same as
// bench/posteriordb/models/mcycle_gp-accel_gp.dlm), with scalar GP hyperparameters.
functions {
  // X * (sqrt(S(w)) .* z), S the spectral density of the SE kernel at frequencies w (D = 1)
  vector gp_approx(matrix X, matrix slambda, real sdgp, real lscale, vector z) {
    int NB = rows(slambda);
    vector[NB] spd;
    for (m in 1:NB)
      spd[m] = sqrt(square(sdgp) * sqrt(2 * pi()) * lscale * exp(-0.5 * square(lscale) * dot_self(slambda[m])));
    return X * (spd .* z);
  }
}
data {
  int<lower=1> N;
  vector[N] Y;
  int<lower=1> NBgp_1;
  matrix[N, NBgp_1] Xgp_1;
  matrix[NBgp_1, 1] slambda_1;
  int<lower=1> NBgp_sigma_1;
  matrix[N, NBgp_sigma_1] Xgp_sigma_1;
  matrix[NBgp_sigma_1, 1] slambda_sigma_1;
  int prior_only;
}
parameters {
  real Intercept;
  real<lower=0> sdgp_1;
  real<lower=0> lscale_1;
  vector[NBgp_1] zgp_1;
  real Intercept_sigma;
  real<lower=0> sdgp_sigma_1;
  real<lower=0> lscale_sigma_1;
  vector[NBgp_sigma_1] zgp_sigma_1;
}
model {
  Intercept ~ student_t(3, -13, 36);
  sdgp_1 ~ student_t(3, 0, 36);
  lscale_1 ~ inv_gamma(1.124909, 0.0177);
  zgp_1 ~ normal(0, 1);
  Intercept_sigma ~ student_t(3, 0, 10);
  sdgp_sigma_1 ~ student_t(3, 0, 36);
  lscale_sigma_1 ~ inv_gamma(1.124909, 0.0177);
  zgp_sigma_1 ~ normal(0, 1);
  if (!prior_only)
    Y ~ normal(Intercept + gp_approx(Xgp_1, slambda_1, sdgp_1, lscale_1, zgp_1),
               exp(Intercept_sigma + gp_approx(Xgp_sigma_1, slambda_sigma_1, sdgp_sigma_1, lscale_sigma_1, zgp_sigma_1)));
}
