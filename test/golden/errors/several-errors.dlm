# independent mistakes: each is reported, with its own location
model m(x, y) {
  a ~ Normal(0, , 1)
  b ~ Normal(0 1)
  y ~ Normal(a + b * x, 1)
}
c = 1 +* 2
fro i in 1:3 {
  print(i)
}
d = (4
