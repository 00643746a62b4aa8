# one bracket mistake in each branch
if a > 1 {
  b = (a + 1
} else if a < 0 {
  b = a - 1)
} else {
  b = [a]]
}
