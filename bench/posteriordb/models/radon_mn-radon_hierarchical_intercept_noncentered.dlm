# Minnesota radon: county intercepts (non-centred) plus effects of log uranium and floor.
# posteriordb: radon_mn-radon_hierarchical_intercept_noncentered.
model radon_hierarchical_intercept_noncentered(J, N, county_idx, log_uppm, floor_measure, log_radon) {
  alpha_raw ~ Normal(0, 1, size = J)
  beta ~ Normal(0, 10, size = 2)
  mu_alpha ~ Normal(0, 10)
  sigma_alpha ~ HalfNormal(1)
  sigma_y ~ HalfNormal(1)
  alpha = mu_alpha + sigma_alpha * alpha_raw
  log_radon ~ Normal(alpha[county_idx] + log_uppm * beta[1] + floor_measure * beta[2], sigma_y)
}
