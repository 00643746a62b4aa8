# two strings without their closing quote (each swallows the `)` after it)
d = read_csv("iris.csv)
x = d.petal_length
e = read_csv("other.csv
y = e[:, 1]
