# nothing right of `~` on line 3, nor right of `=` on line 7
model m(x) {
  mu ~
  sigma ~ HalfNormal(1)
  x ~ Normal(mu, sigma)
}
n =
k = 3
