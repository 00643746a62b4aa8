# the `else` block's `}` is missing (the `}` on line 9 lines up with the `for`), two values on line 11
model m(x) {
  for i in 1:10 {
    if i > 5 {
      x[i] ~ Normal(0, 1)
    } else {
      x[i] ~ Normal(1, 1)

  }
}
y = 1 2
