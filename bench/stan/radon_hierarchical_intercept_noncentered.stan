// Minnesota radon, county intercepts non-centred (written for dlm's benchmark from the model's
// math): alpha = mu_alpha + sigma_alpha * alpha_raw, alpha_raw ~ N(0, 1), beta ~ N(0, 10),
// mu_alpha ~ N(0, 10), sigma_alpha, sigma_y ~ half-N(0, 1),
// log_radon ~ N(alpha[county] + beta[1] log_uppm + beta[2] floor, sigma_y).
data {
  int<lower=0> J;
  int<lower=0> N;
  int<lower=1, upper=J> county_idx[N];
  vector[N] log_uppm;
  vector[N] floor_measure;
  vector[N] log_radon;
}
parameters {
  vector[J] alpha_raw;
  vector[2] beta;
  real mu_alpha;
  real<lower=0> sigma_alpha;
  real<lower=0> sigma_y;
}
transformed parameters {
  vector[J] alpha = mu_alpha + sigma_alpha * alpha_raw;
}
model {
  alpha_raw ~ normal(0, 1);
  beta ~ normal(0, 10);
  mu_alpha ~ normal(0, 10);
  sigma_alpha ~ normal(0, 1);
  sigma_y ~ normal(0, 1);
  log_radon ~ normal(alpha[county_idx] + beta[1] * log_uppm + beta[2] * floor_measure, sigma_y);
}
