# numbers, strings, booleans, missing, arrays, matrices, tuples
a = 1
b = 1.5
c = 1e-3
d = 2.5E+4
e = "iris.csv"
f = "quote \" backslash \\ newline \n tab \t"
g = true
h = false
m = missing
v = [1, 2, 3]
w = []
M = [[1, 2], [3, 4]]
t = (5, 5)
u = (1,)
p = (1 + 2)
σ = 0.5
