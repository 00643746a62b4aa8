# an unclosed parameter list, a block body without its `}`
fn square(x = x^2
fn cube(x) = x * x * x
fn sum3(a, b, c) {
  return a + b + c
fn mean(v) = sum(v) / length(v)
