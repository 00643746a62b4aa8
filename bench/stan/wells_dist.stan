// Switching wells on the distance to the nearest safe well (written for dlm's benchmark from
// the model's math): logistic regression with flat priors.
data {
  int<lower=0> N;
  int<lower=0, upper=1> switched[N];
  vector[N] dist;
}
parameters {
  vector[2] beta;
}
model {
  switched ~ bernoulli_logit(beta[1] + beta[2] * dist);
}
