# a `)` missing in the `if` block, two values on line 5, the `}` of an `if` expression missing on line 7
if x > 1 {
  y = f(x
} else {
  y = 2 3
}
z = if x { 1 } else { 2
w = 1
