# two `)` missing at the end of line 2; a `)` missing before the `]` on line 4
x = f(g(1
y = 2
z = [1, (2]
w = 4
