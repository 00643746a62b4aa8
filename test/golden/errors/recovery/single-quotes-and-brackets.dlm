# single quotes on lines 2 and 5, a `]` missing on line 3
d = read_csv('data.csv')
x = d[:, [1, 2]
y = d.y
e = read_csv('other.csv')
