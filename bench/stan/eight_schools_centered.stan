// Eight schools, centred: theta_j ~ N(mu, tau), y_j ~ N(theta_j, sigma_j); mu ~ N(0, 5),
// tau ~ half-Cauchy(0, 5) (written for dlm's benchmark from the model's math).
data {
  int<lower=0> J;
  real y[J];
  real<lower=0> sigma[J];
}
parameters {
  real mu;
  real<lower=0> tau;
  vector[J] theta;
}
model {
  mu ~ normal(0, 5);
  tau ~ cauchy(0, 5);
  theta ~ normal(mu, tau);
  y ~ normal(theta, sigma);
}
