# each line has its own mistake; none hides the next
x = (1 +) 2
y = [1 2]
z = f(a, , b)
w = 1 +* 2
v = x.
