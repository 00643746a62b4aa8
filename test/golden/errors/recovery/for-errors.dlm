# a `for` range not closed before its block, a wrong closer inside the second loop
model m(x, y) {
  for i in 1:length(y {
    y[i] ~ Normal(x[i], 1)
  }
  for j in 1:3 {
    z[j] ~ Normal(0, 1]
  }
}
