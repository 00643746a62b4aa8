# misspelled keywords on lines 2 and 6, an extra `}` on line 5
modl m(x) {
  x ~ Normal(0, 1)
}
}
fro i in 1:3 {
  print(i)
}
