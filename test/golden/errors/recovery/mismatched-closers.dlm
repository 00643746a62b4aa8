# a wrong closer on each line
x = [1, 2, 3)
y = Normal(0, 1]
z = f([1, 2)
w = g(h(1]))
