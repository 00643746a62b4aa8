// Log price of diamonds on 24 centred predictors (written for dlm's benchmark from the model's
// math, brms's parameterisation): b ~ N(0, 1), Intercept ~ Student-t(3, 8, 10),
// sigma ~ half-Student-t(3, 0, 10), Y ~ N(Intercept + Xc b, sigma) unless prior_only.
data {
  int<lower=1> N;
  vector[N] Y;
  int<lower=1> K;
  matrix[N, K] X;
  int prior_only;
}
transformed data {
  matrix[N, K - 1] Xc;
  for (j in 2:K) Xc[, j - 1] = X[, j] - mean(X[, j]);
}
parameters {
  vector[K - 1] b;
  real Intercept;
  real<lower=0> sigma;
}
model {
  b ~ normal(0, 1);
  Intercept ~ student_t(3, 8, 10);
  sigma ~ student_t(3, 0, 10);
  if (prior_only == 0) Y ~ normal_id_glm(Xc, Intercept, b, sigma);
}
