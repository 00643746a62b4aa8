# a `for` without its variable and an `if` without its condition, each with a mistake inside
for in 1:3 {
  k = 1 1
}
if {
  z = f(2) 2
}
fnn g(x) {
  return x +* 1
}
