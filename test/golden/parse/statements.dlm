# assignments, compound assignment, indexed targets, if/else, for, separators
x = 1
x += 2
x -= 1; x *= 3; x /= 2
v[i] = 0
s.field = 1
m[i, j] += 1
if x > 0 {
  y = 1
} else if x < 0 {
  y = -1
} else {
  y = 0
}
if ok {
  print("ok")
}
else {
  print("no")
}
z = if x > 0 { 1 } else if x < 0 { -1 } else { 0 }
for i in 1:N {
  total += x[i]
}
for k in [1, 2, 3] {}
# a newline after a binary operator, `=`, `,` or inside brackets continues the statement
long = a +
  b *
  c
args = f(a,
         b)
print(x)
