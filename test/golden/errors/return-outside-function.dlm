model m(x) {
  return x
}
