# a `)` missing at the end of line 2, an extra `)` on line 4
a = f(1
b = 2
c = g(3))
