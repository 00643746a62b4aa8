# Autoregressive model of order K: y[t] ~ Normal(alpha + sum_k beta[k] * y[t - k], sigma)
# for t = K+1..T. posteriordb: arK-arK.
model arK(K, T, y) {
  alpha ~ Normal(0, 10)
  beta ~ Normal(0, 10, size = K)
  sigma ~ HalfCauchy(2.5)
  # lags[i, k] = y[K + i - k]: the k-th lag of observation K + i (data, built once)
  lags = zeros(T - K, K)
  for k in 1:K {
    lags[:, k] = y[(K + 1 - k):(T - k)]
  }
  y[(K + 1):T] ~ Normal(alpha + lags @ beta, sigma)
}
