model m(x; k) {
  x ~ Normal(0, k)
}
