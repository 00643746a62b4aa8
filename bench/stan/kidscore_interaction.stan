// Kid test score on mother's high-school completion, IQ and their interaction; flat
// coefficients, sigma ~ half-Cauchy(0, 2.5) (written for dlm's benchmark from the model's math).
data {
  int<lower=0> N;
  vector[N] kid_score;
  vector[N] mom_iq;
  vector[N] mom_hs;
}
parameters {
  vector[4] beta;
  real<lower=0> sigma;
}
model {
  sigma ~ cauchy(0, 2.5);
  kid_score ~ normal(beta[1] + beta[2] * mom_hs + beta[3] * mom_iq + beta[4] * (mom_hs .* mom_iq), sigma);
}
