// Eight schools, non-centred (written for dlm's benchmark from the model's math):
// theta_j = mu + tau * z_j, z_j ~ N(0, 1), mu ~ N(0, 5), tau ~ half-Cauchy(0, 5), y_j ~ N(theta_j, sigma_j).
data {
  int<lower=0> J;
  vector[J] y;
  vector<lower=0>[J] sigma;
}
parameters {
  vector[J] z;
  real mu;
  real<lower=0> tau;
}
transformed parameters {
  vector[J] theta = mu + tau * z;
}
model {
  z ~ std_normal();
  mu ~ normal(0, 5);
  tau ~ cauchy(0, 5);
  y ~ normal(theta, sigma);
}
