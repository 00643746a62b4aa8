// Poisson regression on a cubic in year with log link; coefficients uniform on their bounds
// (written for dlm's benchmark from the model's math).
data {
  int<lower=0> n;
  int<lower=0> C[n];
  vector[n] year;
}
parameters {
  real<lower=-20, upper=20> alpha;
  real<lower=-10, upper=10> beta1;
  real<lower=-10, upper=10> beta2;
  real<lower=-10, upper=10> beta3;
}
model {
  vector[n] year2 = year .* year;
  C ~ poisson_log(alpha + beta1 * year + beta2 * year2 + beta3 * (year2 .* year));
}
