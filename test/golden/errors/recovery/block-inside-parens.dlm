# parameter list and call not closed before their blocks
model m(x {
  x ~ Normal(0, 1)
}
for i in range(1, 3 {
  print(i)
}
