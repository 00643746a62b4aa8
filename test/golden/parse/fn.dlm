# fn: expression body or block body with return
fn center(x) = x - mean(x, dims = 1)
fn square(x) = x^2
fn scale(x; by = 2) = x * by
fn clip(x, lo, hi) {
  if x < lo {
    return lo
  }
  if x > hi {
    return hi
  }
  return x
}
fn nothing() {
  return
}
fn fact(n) = if n <= 1 { 1 } else { n * fact(n - 1) }
