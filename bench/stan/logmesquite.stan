// log(weight) regressed on the logs of the bush dimensions, density and group; flat
// coefficients and flat positive sigma (written for dlm's benchmark from the model's math).
data {
  int<lower=0> N;
  vector<lower=0>[N] weight;
  vector<lower=0>[N] diam1;
  vector<lower=0>[N] diam2;
  vector<lower=0>[N] canopy_height;
  vector<lower=0>[N] total_height;
  vector<lower=0>[N] density;
  vector[N] group;
}
parameters {
  vector[7] beta;
  real<lower=0> sigma;
}
model {
  log(weight) ~ normal(beta[1] + beta[2] * log(diam1) + beta[3] * log(diam2) + beta[4] * log(canopy_height)
                       + beta[5] * log(total_height) + beta[6] * log(density) + beta[7] * group, sigma);
}
