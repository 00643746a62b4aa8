# an extra `}` on line 4 (the model ends on line 6), an operator missing its operand on line 7
model m(x) {
  a ~ Normal(0, 1)
  }
  b ~ Normal(0, 1)
}
y = 1 +* 2
