# precedence, loosest first: => || && comparisons : (+ -) (* / @ %) unary ^ postfix
a = 1 + 2 * 3
b = (1 + 2) * 3
c = a - b - c
d = a / b * c % d
e = x @ W + b
f = -x^2
g = 2^-1
h = a^b^c
i = !p && q || r
j = a < b == (c >= d)
k = x != y
l = a <= b && c > d
m = 1:N+1
n = 1:2:10
o = -a * b
p = in_dim => out_dim
q = !!flag
